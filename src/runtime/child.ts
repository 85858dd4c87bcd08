/**
 * Starting a program with secrets in its environment only: no shell, argv as
 * given, stdio inherited, signals forwarded, its exit status returned.
 */
import { spawn } from "node:child_process";
import { accessSync, closeSync, constants as fsConstants, openSync, readFileSync, readSync, statSync } from "node:fs";
import { constants } from "node:os";
import { delimiter, resolve } from "node:path";
import { UsageError, VaultError } from "../errors.js";

/** Signals a terminal or supervisor sends that the child must receive too. */
const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"];

/**
 * Signals a terminal sends to every process of its foreground process group
 * (Ctrl-C, Ctrl-\, a resize): the child, in git-vault's group, has its own.
 */
const FROM_TERMINAL: ReadonlySet<NodeJS.Signals> = new Set(["SIGINT", "SIGQUIT", "SIGWINCH"]);

/**
 * The environment a program git-vault starts gets from the user's: every
 * variable but git-vault's own (`GIT_VAULT_*`, the identity among them).
 */
export function withoutOwnVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !k.startsWith("GIT_VAULT_")) out[k] = v;
  }
  return out;
}

/** Options for {@link runChild}. */
export interface ChildOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** The process whose signals are forwarded (the running git-vault). */
  readonly signals: Pick<NodeJS.Process, "on" | "off">;
  /** Whether git-vault's process group is in the foreground of its terminal (default: {@link inTerminalForeground}). */
  readonly inForeground?: () => boolean;
}

/**
 * Whether a `/proc/PID/stat` line shows a process whose group is the
 * foreground process group of its controlling terminal (field 5, pgrp, equals
 * field 8, tpgid; tpgid is -1 without a terminal).
 */
export function isForegroundStat(stat: string): boolean {
  // Field 2, the command name in parentheses, may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const pgrp = Number(fields[2]);
  const tpgid = Number(fields[5]);
  return Number.isInteger(tpgid) && tpgid > 0 && tpgid === pgrp;
}

/**
 * Whether this process's group is the foreground group of its terminal, so
 * that a Ctrl-C reached the child too. Linux only (from /proc/self/stat);
 * false elsewhere, where every signal is forwarded.
 */
export function inTerminalForeground(): boolean {
  try {
    return isForegroundStat(readFileSync("/proc/self/stat", "latin1"));
  } catch {
    return false;
  }
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

/** Refuses an argv that names no command (`git vault run -- ''`) before anything is decrypted. */
export function checkCommand(argv: readonly string[]): void {
  const [command] = argv;
  if (command === undefined) throw new UsageError("no command given", "put the command after --: git vault run -- COMMAND [ARGS...]");
  if (command === "") throw new UsageError("empty command name", "put the command after --: git vault run -- COMMAND [ARGS...]");
}

/**
 * The file exec would start for `command`: the path as given (relative to
 * `cwd`) when it holds a slash, else the first executable file of that name
 * on `path`; null when there is none.
 */
export function findExecutable(command: string, cwd: string, path: string | undefined): string | null {
  const candidates = command.includes("/") ? [resolve(cwd, command)] : (path ?? "").split(delimiter).filter((d) => d !== "").map((d) => resolve(cwd, d, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there, or not executable: the next one
    }
  }
  return null;
}

/** The interpreter a script's `#!` line names, when it is plain text; null for anything else. */
function interpreterOf(file: string): string | null {
  const head = Buffer.alloc(256);
  let length = 0;
  try {
    const fd = openSync(file, "r");
    try {
      length = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const line = head.subarray(0, length).toString("latin1").split("\n")[0] ?? "";
  if (!line.startsWith("#!")) return null;
  const name = line.slice(2).trim().split(/[ \t]/)[0] ?? "";
  return /^[\x21-\x7e]+$/.test(name) ? name : null;
}

/**
 * ENOENT from exec: either no such command, or a file that exists but whose
 * interpreter (`#!` line) or dynamic loader does not, which bash reports as
 * "bad interpreter" with 126.
 */
function notFoundError(command: string, options: Pick<ChildOptions, "cwd" | "env">): VaultError {
  const file = findExecutable(command, options.cwd, options.env["PATH"]);
  if (file === null) return new VaultError("command-not-found", `command not found: ${command}`, { exitCode: 127 });
  const shown = command.includes("/") ? command : `${command} (${file})`;
  const interpreter = interpreterOf(file);
  return interpreter === null
    ? new VaultError("interpreter-not-found", `cannot run ${shown}: a program it needs to start (its interpreter or dynamic loader) was not found`, {
        exitCode: 126,
      })
    : new VaultError("interpreter-not-found", `cannot run ${shown}: its interpreter ${interpreter} was not found`, {
        exitCode: 126,
        hint: `install ${interpreter}, or correct the #! line of ${file}`,
      });
}

/** The error a failed start of `command` becomes; exit codes as a shell reports them. */
function startError(command: string, error: Error, options: Pick<ChildOptions, "cwd" | "env">): Error {
  switch ((error as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return notFoundError(command, options);
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
  checkCommand(argv);
  const [command = "", ...args] = argv;
  const inForeground = options.inForeground ?? inTerminalForeground;
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn> | undefined;
    const forward = (signal: NodeJS.Signals): void => {
      // A Ctrl-C reached the whole foreground group, the child included: a second one would be one too many.
      // Node does not say who sent a signal, so a `kill -INT` aimed at git-vault alone while it is in
      // the foreground is not forwarded either (docs/cli.md says so).
      if (FROM_TERMINAL.has(signal) && inForeground()) return;
      child?.kill(signal);
    };
    // Caught from before the child starts: a signal (a hang-up) that came as it printed its
    // first line would otherwise kill git-vault and leave the child running.
    for (const s of FORWARDED) options.signals.on(s, forward);
    const cleanup = (): void => {
      for (const s of FORWARDED) options.signals.off(s, forward);
    };
    try {
      child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: "inherit" });
    } catch (error) {
      cleanup();
      // Node throws (rather than emits) most exec failures, E2BIG among them.
      reject(startError(command, error instanceof Error ? error : new Error(String(error)), options));
      return;
    }
    child.once("error", (error) => {
      cleanup();
      reject(startError(command, error, options));
    });
    child.once("exit", (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
