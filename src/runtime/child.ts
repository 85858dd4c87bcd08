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
 * Linux's limit on one string of a new program's environment or arguments
 * (MAX_ARG_STRLEN, 32 pages), counting the terminating NUL: a `KEY=value` of
 * this many bytes or more makes exec fail with E2BIG. Other systems only
 * limit the total.
 */
export const MAX_ENV_STRING_BYTES = 131_072;

/** The names of variables whose `KEY=value` is too long for exec on this platform (none off Linux). */
export function oversizedVariables(env: Readonly<Record<string, string>>, platform: NodeJS.Platform = process.platform): string[] {
  if (platform !== "linux") return [];
  return Object.entries(env)
    .filter(([k, v]) => Buffer.byteLength(k) + 1 + Buffer.byteLength(v) >= MAX_ENV_STRING_BYTES)
    .map(([k]) => k);
}

/** The error a failed start of `command` becomes; exit codes as a shell reports them. */
function startError(command: string, error: Error): Error {
  switch ((error as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return new VaultError("command-not-found", `command not found: ${command}`, { exitCode: 127 });
    case "EACCES":
      return new VaultError("command-not-executable", `permission denied: ${command}`, { exitCode: 126 });
    case "E2BIG":
      return new VaultError("environment-too-large", `cannot start ${command}: its environment and arguments are too large for the system (E2BIG)`, {
        exitCode: 126,
        hint: "pass fewer or smaller values with --only KEY,KEY, or shorter arguments",
      });
    default:
      return error;
  }
}

/**
 * Runs `argv` and resolves with its exit code; a child killed by a signal
 * gives 128 + the signal number, as shells report it.
 */
export function runChild(argv: readonly string[], options: ChildOptions): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) throw new VaultError("usage", "no command given to run");
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: "inherit" });
    } catch (error) {
      // Node throws (rather than emits) most exec failures, E2BIG among them.
      reject(startError(command, error instanceof Error ? error : new Error(String(error))));
      return;
    }
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const s of FORWARDED) options.signals.on(s, forward);
    const cleanup = (): void => {
      for (const s of FORWARDED) options.signals.off(s, forward);
    };
    child.once("error", (error) => {
      cleanup();
      reject(startError(command, error));
    });
    child.once("exit", (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
