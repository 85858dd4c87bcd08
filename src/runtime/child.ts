/**
 * Starting a program with secrets in its environment only: no shell, argv as
 * given, stdio inherited, signals forwarded, its exit status returned.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { VaultError } from "../errors.js";

/** Signals a terminal or supervisor sends that the child must receive too. */
const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"];

/** Options for {@link runChild}. */
export interface ChildOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** The process whose signals are forwarded (the running git-vault). */
  readonly signals: Pick<NodeJS.Process, "on" | "off">;
}

/**
 * Runs `argv` and resolves with its exit code; a child killed by a signal
 * gives 128 + the signal number, as shells report it.
 */
export function runChild(argv: readonly string[], options: ChildOptions): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) throw new VaultError("usage", "no command given to run");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const s of FORWARDED) options.signals.on(s, forward);
    const cleanup = (): void => {
      for (const s of FORWARDED) options.signals.off(s, forward);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      cleanup();
      if (error.code === "ENOENT") reject(new VaultError("command-not-found", `command not found: ${command}`, { exitCode: 127 }));
      else if (error.code === "EACCES") reject(new VaultError("command-not-executable", `permission denied: ${command}`, { exitCode: 126 }));
      else reject(error);
    });
    child.once("exit", (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
