/**
 * The error vocabulary of git-vault. Lower layers throw these; only the CLI
 * layer turns them into exit codes and hints. Messages name files, lines and
 * keys, never a value or an identity.
 */

/** Exit codes documented in docs/cli.md. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notInRepo: 128,
  /** The reader of stdout or stderr went away (128 + SIGPIPE, as a shell reports `git log | head`). */
  closedPipe: 141,
} as const;

/** Marks every VaultError, whichever copy of this module made it. */
const VAULT_ERROR = Symbol.for("git-vault.VaultError");

/** A failure the user can act on, with a stable machine-readable code. */
export class VaultError extends Error {
  override readonly name: string = "VaultError";
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly [VAULT_ERROR] = true;

  constructor(code: string, message: string, options: { hint?: string; exitCode?: number } = {}) {
    super(message);
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint;
  }

  /**
   * `error instanceof VaultError` holds for a VaultError from any bundle:
   * crypto.cjs, loaded on first use, carries its own copy of this module, so
   * its CryptoErrors do not descend from the CLI's VaultError class. Subclasses
   * keep the ordinary check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === VaultError && typeof value === "object" && value !== null && (value as { [VAULT_ERROR]?: unknown })[VAULT_ERROR] === true;
  }
}

/** The command line was wrong: unknown option, missing argument, bad combination. */
export class UsageError extends VaultError {
  override readonly name = "UsageError";
  constructor(message: string, hint?: string) {
    super("usage", message, { exitCode: ExitCode.usage, ...(hint === undefined ? {} : { hint }) });
  }
}

/** A git command failed; carries git's exit code and its trimmed stderr. */
export class GitError extends VaultError {
  override readonly name = "GitError";
  readonly gitExitCode: number | null;
  readonly stderr: string;

  constructor(args: readonly string[], gitExitCode: number | null, stderr: string) {
    const trimmed = stderr.trim();
    super("git", `git ${args.slice(0, 3).join(" ")} failed${trimmed ? `: ${trimmed}` : ""}`);
    this.gitExitCode = gitExitCode;
    this.stderr = trimmed;
  }
}

/** A bug in git-vault itself: an impossible state was reached. */
export class InternalError extends VaultError {
  override readonly name = "InternalError";
  constructor(message: string) {
    super("internal", `internal error: ${message}`, {
      hint: "this is a bug in git-vault; please report it with the command you ran (no secret values)",
    });
  }
}

/** Raised where a git repository is required and none was found. */
export class NotInRepoError extends VaultError {
  override readonly name = "NotInRepoError";
  constructor(cwd: string) {
    super("not-in-repo", `not a git repository: ${cwd}`, {
      exitCode: ExitCode.notInRepo,
      hint: "run this inside a git repository (commands that work on one env file also take --file or --vault-dir)",
    });
  }
}

const PRIVATE_KEY = /AGE-SECRET-KEY-(?:PQ-)?1[0-9A-Z]+/gi;

/**
 * Text with every age private key in it replaced by a marker. A key pasted
 * where a path, a name or a variable's value goes ends up in the message that
 * names that path; printed back, it would land in a terminal's scrollback or
 * a CI log.
 */
export function withoutPrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY, "AGE-SECRET-KEY-… (a private key, not shown)");
}

/** Whether text holds an age private key (`AGE-SECRET-KEY-1…`). */
export function containsPrivateKey(text: string): boolean {
  return new RegExp(PRIVATE_KEY.source, "i").test(text);
}

/** What a failed file-system call says about the file, by Node's error code. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "is a folder",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "name too long",
  EMFILE: "too many open files",
};

/**
 * A failed file-system call (Node's errors carry `code`, `syscall`, `path`)
 * as a VaultError naming the file, or null for any other error.
 */
export function fileSystemError(error: unknown): VaultError | null {
  if (!(error instanceof Error)) return null;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  const what = code === undefined ? undefined : FILE_ERRORS[code];
  if (what === undefined || typeof path !== "string") return null;
  return new VaultError("file-system", `cannot ${syscall ?? "use"} ${path}: ${what}`, {
    hint: code === "ENOSPC" || code === "EDQUOT" ? "free some space and run the command again; the file was left as it was" : "check the path and its permissions; the file was left as it was",
  });
}
