// Where the repository is and what state HEAD is in.
import { realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { GitError, NotInRepoError, VaultError } from "../errors.js";
import { gitText, runGit, type GitContext, type RunOptions, type RunResult } from "./runner.js";

// Variables that pin git to one repository (git rev-parse --local-env-vars).
// Git sets some of them for hooks (GIT_INDEX_FILE=.git/index, GIT_PREFIX), so
// when git-vault runs from a hook and then works in another repository (host
// ↔ vault submodule) they must not follow. The -c parameters are kept, as git
// itself keeps them for submodules.
const LOCAL_REPO_ENV = [
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_CONFIG",
  "GIT_OBJECT_DIRECTORY",
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_IMPLICIT_WORK_TREE",
  "GIT_GRAFT_FILE",
  "GIT_INDEX_FILE",
  "GIT_NO_REPLACE_OBJECTS",
  "GIT_REPLACE_REF_BASE",
  "GIT_PREFIX",
  "GIT_INTERNAL_SUPER_PREFIX",
  "GIT_SHALLOW_FILE",
  "GIT_COMMON_DIR",
] as const;

/** A parsed `git version`. */
export interface GitVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * A context for another repository at `cwd` (e.g. the vault submodule), with
 * the variables that tie git to the current repository removed from env.
 */
export function repoContext(ctx: GitContext, cwd: string): GitContext {
  const local: readonly string[] = LOCAL_REPO_ENV;
  const env = Object.fromEntries(Object.entries(ctx.env).filter(([name]) => !local.includes(name)));
  return { cwd: resolve(ctx.cwd, cwd), env };
}

/**
 * Absolute path of the working tree root containing ctx.cwd, or null when
 * there is none (not a repository, a bare repository, or inside `.git`).
 * Throws GitError when git refuses the repository (e.g. `safe.directory`).
 */
export function tryRepoRoot(ctx: GitContext): string | null {
  const result = runGit(ctx, ["rev-parse", "--show-toplevel"], { okCodes: [128] });
  if (result.status === 0) return result.stdout.toString("utf8").replace(/\n$/, "");
  const stderr = result.stderr.toString("utf8");
  // The config key is the one part of the ownership message git never translates.
  if (stderr.includes("safe.directory")) throw new GitError(["rev-parse", "--show-toplevel"], 128, stderr);
  return null;
}

/**
 * True when `dir` (resolved against ctx.cwd) is the top of its own working
 * tree. False when it is missing, in no repository, or a plain folder of an
 * enclosing one, such as the empty dir of a submodule that is not checked
 * out: git run there would describe the superproject instead.
 */
export function isWorkTreeRoot(ctx: GitContext, dir: string): boolean {
  const target = repoContext(ctx, dir);
  if (!statSync(target.cwd, { throwIfNoEntry: false })?.isDirectory()) return false;
  const root = tryRepoRoot(target);
  return root !== null && realpathSync(root) === realpathSync(target.cwd);
}

/**
 * Absolute path of the working tree root containing ctx.cwd.
 * Throws NotInRepoError outside a repository, VaultError `bare-repo` in a bare one.
 */
export function repoRoot(ctx: GitContext): string {
  const root = tryRepoRoot(ctx);
  if (root !== null) return root;
  if (tryIsBare(ctx) === true) {
    throw new VaultError("bare-repo", `${ctx.cwd} is a bare repository; git-vault needs a working tree`);
  }
  throw new NotInRepoError(ctx.cwd);
}

/** Absolute path of the git directory (`.git`, or `.git/modules/NAME` for a submodule). */
export function gitDir(ctx: GitContext): string {
  return textInRepo(ctx, ["rev-parse", "--absolute-git-dir"]);
}

/**
 * Absolute path git uses for `name` inside the git directory
 * (`rev-parse --git-path`): follows worktrees' common dir and core.hooksPath.
 */
export function gitPath(ctx: GitContext, name: string): string {
  // Output is relative to cwd unless git chose an absolute path; resolve both.
  return resolve(ctx.cwd, textInRepo(ctx, ["rev-parse", "--git-path", name]));
}

/**
 * Absolute path of the directory git runs hooks from: `core.hooksPath` when set
 * (relative values are resolved the way git resolves them), else `.git/hooks`.
 */
export function hooksDir(ctx: GitContext): string {
  return gitPath(ctx, "hooks");
}

/** Whether the repository at ctx.cwd is bare. Throws NotInRepoError outside one. */
export function isBare(ctx: GitContext): boolean {
  const bare = tryIsBare(ctx);
  if (bare === null) throw new NotInRepoError(ctx.cwd);
  return bare;
}

/** The installed git's version, e.g. `{major: 2, minor: 39, patch: 5}`. */
export function gitVersion(ctx: GitContext): GitVersion {
  const text = gitText(ctx, ["version"]);
  // "git version 2.39.5", "… 2.39.3 (Apple Git-146)", "… 2.45.1.windows.1"
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) throw new GitError(["version"], 0, `unrecognised version string: ${text}`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** True when `version` is at least major.minor.patch. */
export function versionAtLeast(version: GitVersion, major: number, minor: number, patch = 0): boolean {
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}

/** Full object id of the commit HEAD points to, or null on an unborn branch. */
export function headCommit(ctx: GitContext): string | null {
  const result = runInRepo(ctx, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], [1]);
  return result.status === 0 ? result.stdout.toString("utf8").trim() : null;
}

/** Short name of the checked-out branch (also when unborn), or null when HEAD is detached. */
export function currentBranch(ctx: GitContext): string | null {
  const result = runInRepo(ctx, ["symbolic-ref", "--quiet", "--short", "HEAD"], [1]);
  return result.status === 0 ? result.stdout.toString("utf8").trim() : null;
}

function tryIsBare(ctx: GitContext): boolean | null {
  const result = runGit(ctx, ["rev-parse", "--is-bare-repository"], { okCodes: [128] });
  if (result.status !== 0) return null;
  return result.stdout.toString("utf8").trim() === "true";
}

/**
 * Runs a command that needs a repository. When git exits 128 and there is no
 * repository at all, throws NotInRepoError (exit code 128 and a hint) instead
 * of a raw GitError, even when 128 is in okCodes; the extra check runs only on
 * that path.
 */
export function runInRepo(ctx: GitContext, args: readonly string[], okCodes: readonly number[] = [], options: RunOptions = {}): RunResult {
  const result = runGit(ctx, args, { ...options, okCodes: [...okCodes, 128] });
  if (result.status !== 128) return result;
  const stderr = result.stderr.toString("utf8");
  if (tryIsBare(ctx) === null && !stderr.includes("safe.directory")) throw new NotInRepoError(ctx.cwd);
  if (okCodes.includes(128)) return result;
  throw new GitError(args, 128, stderr);
}

/** runInRepo, returning stdout as UTF-8 without its trailing newline. */
export function textInRepo(ctx: GitContext, args: readonly string[], options: RunOptions = {}): string {
  return runInRepo(ctx, args, [], options).stdout.toString("utf8").replace(/\r?\n$/, "");
}
