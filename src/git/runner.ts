// The one place that spawns git. Sibling modules in src/git/ call runGit();
// src/git/index.ts does not re-export it, so nothing else can spawn git.
import { spawnSync } from "node:child_process";
import { GitError } from "../errors.js";

/**
 * Where and how a git command runs: the working directory and the complete
 * environment (the app's Context provides it; src/git never reads
 * process.env, so tests and hooks control exactly what git sees).
 */
export interface GitContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Options of one git invocation. */
export interface RunOptions {
  /** `-c key=value` pairs placed before the subcommand (this invocation only). */
  readonly config?: Readonly<Record<string, string>>;
  /** Bytes for git's stdin; without it stdin is empty (never inherited). */
  readonly input?: Buffer | string;
  /** Inherit the caller's stdin (only for commands that may need the terminal). */
  readonly inheritStdin?: boolean;
  /** Exit codes that are answers rather than failures (0 is always accepted). */
  readonly okCodes?: readonly number[];
}

/** What a git invocation produced. */
export interface RunResult {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

// Blobs and long lists can be large; failing on 1 MiB (the default) would be a
// bug, not a safety feature.
const MAX_BUFFER = 512 * 1024 * 1024;

/**
 * Runs `git [-c k=v …] ...args` in ctx.cwd with exactly ctx.env, no shell.
 * Throws GitError (git's exit code, trimmed stderr) unless the exit code is 0
 * or listed in okCodes.
 */
export function runGit(ctx: GitContext, args: readonly string[], options: RunOptions = {}): RunResult {
  const configArgs = Object.entries(options.config ?? {}).flatMap(([key, value]) => ["-c", `${key}=${value}`]);
  const argv = [...configArgs, ...args];
  const result = spawnSync("git", argv, {
    cwd: ctx.cwd,
    env: withoutIdentity(ctx.env),
    input: options.input,
    stdio: [options.inheritStdin ? "inherit" : "pipe", "pipe", "pipe"],
    maxBuffer: MAX_BUFFER,
    windowsHide: true,
  });
  if (result.error) {
    // git missing from PATH, cwd gone, buffer overflow: report like a git failure.
    throw new GitError(args, null, result.error.message);
  }
  const status = result.status ?? 128;
  const { stdout, stderr } = result;
  if (status !== 0 && !(options.okCodes ?? []).includes(status)) {
    throw new GitError(args, status, stderr.toString("utf8"));
  }
  return { status, stdout, stderr };
}

/**
 * The environment git gets: an identity given as text (GIT_VAULT_IDENTITY)
 * stays with git-vault, since git starts other programs (hooks, credential
 * helpers, ssh, editors) that did not ask for it (SPEC §6).
 */
function withoutIdentity(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env["GIT_VAULT_IDENTITY"] === undefined) return env;
  const rest = { ...env };
  delete rest["GIT_VAULT_IDENTITY"];
  return rest;
}

/** Runs git and returns stdout as UTF-8 with the trailing newline removed. */
export function gitText(ctx: GitContext, args: readonly string[], options: RunOptions = {}): string {
  return runGit(ctx, args, options).stdout.toString("utf8").replace(/\r?\n$/, "");
}

/** Splits `-z` output into its NUL-terminated records (no empty trailing record). */
export function splitNul(output: Buffer | string): string[] {
  const text = typeof output === "string" ? output : output.toString("utf8");
  if (text === "") return [];
  const records = text.split("\0");
  if (records[records.length - 1] === "") records.pop();
  return records;
}
