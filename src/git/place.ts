// Where a repository sits (its root, the superproject it is a submodule of,
// its first commit, its entry in the host's .gitmodules): the trust store
// keys an env file by these and the origin URL (remoteUrl, refs.ts). Each
// answer is one git process; `set` pays for them on every call, so none is
// asked twice or when its answer cannot matter.
import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { GitError } from "../errors.js";
import { configGetRegexp } from "./config.js";
import { type GitContext, runGit } from "./runner.js";

/** Where the repository at ctx.cwd sits. */
export interface RepoPlace {
  /** Absolute path of its working tree root. */
  readonly root: string;
  /** The working tree of the repository it is a submodule of, or null. */
  readonly superRoot: string | null;
  /** False on an unborn branch (no commit yet). */
  readonly born: boolean;
}

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The place of the repository containing ctx.cwd, or null when there is none
 * (no repository, a bare one, inside `.git`): one `git rev-parse`. Throws
 * GitError when git refuses the repository (`safe.directory`). With
 * `superproject: false` the superproject is not asked for (superRoot is
 * null): git answers it with a child process of its own (`ls-files` in the
 * parent folder), which {@link mayBeListedSubmodule} often shows is not needed.
 */
export function repoPlace(ctx: GitContext, options: { superproject?: boolean } = {}): RepoPlace | null {
  const askSuper = options.superproject ?? true;
  const args = ["rev-parse", "--show-toplevel", ...(askSuper ? ["--show-superproject-working-tree"] : []), "-q", "--verify", "HEAD^{commit}"];
  // Exit 1: HEAD names no commit yet (the lines before it are printed all the same).
  const result = runGit(ctx, args, { okCodes: [1, 128] });
  if (result.status === 128) {
    const stderr = result.stderr.toString("utf8");
    if (stderr.includes("safe.directory")) throw new GitError(args, 128, stderr);
    return null;
  }
  const born = result.status === 0;
  const lines = result.stdout.toString("utf8").replace(/\n$/, "").split("\n");
  const [root = "", ...rest] = lines;
  // The superproject line is an absolute path, the commit an object id: never the same shape.
  const paths = rest.filter((line) => !OBJECT_ID.test(line));
  if (isAbsolute(root) && paths.length <= 1 && paths.every((p) => isAbsolute(p)) && rest.length - paths.length === (born ? 1 : 0)) {
    return { root, superRoot: paths[0] ?? null, born };
  }
  // A folder name with a line break in it: the paths asked for one by one, each on its own.
  const only = (flag: string): string => runGit(ctx, ["rev-parse", flag]).stdout.toString("utf8").replace(/\n$/, "");
  const superRoot = askSuper ? only("--show-superproject-working-tree") : "";
  return { root: only("--show-toplevel"), superRoot: superRoot === "" ? null : superRoot, born };
}

// Variables with which git finds a repository other than by walking up from
// the working directory: where one is set, only git can say where a folder's
// repository is.
const DISCOVERY_ENV = ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM"];

function discoveryIsPlain(env: GitContext["env"]): boolean {
  return DISCOVERY_ENV.every((name) => env[name] === undefined);
}

/** The real path of a folder (git walks up the physical one), or null when it is missing. */
function realFolder(dir: string): string | null {
  try {
    return realpathSync(dir);
  } catch {
    return null;
  }
}

/**
 * The path of the file at `path` inside the working tree whose root is
 * `root` (git's answer, a real path), `/`-separated: taken from the real
 * folder of the file, since `path` may lead into the tree through a link.
 */
export function pathInRepo(root: string, path: string): string {
  const folder = realFolder(dirname(path)) ?? dirname(path);
  return relative(root, join(folder, basename(path))).split(sep).join("/");
}

/** `dir` and the folders above it, nearest first. */
function foldersUp(dir: string): string[] {
  const folders = [dir];
  for (let up = dirname(folders[0] as string); up !== folders[folders.length - 1]; up = dirname(up)) folders.push(up);
  return folders;
}

/**
 * False when the repository holding `dir` cannot be a submodule that a
 * `.gitmodules` lists: no folder above the nearest one holding `.git` has a
 * `.gitmodules` file (the superproject's root is such a folder). A few
 * `stat` calls in place of git's child process; true whenever the
 * environment steers git's discovery, or no `.git` is found.
 */
export function mayBeListedSubmodule(dir: string, env: GitContext["env"]): boolean {
  const real = discoveryIsPlain(env) ? realFolder(dir) : null;
  if (real === null) return true;
  const folders = foldersUp(real);
  const nearest = folders.findIndex((folder) => existsSync(join(folder, ".git")));
  return nearest === -1 || folders.slice(nearest + 1).some((folder) => existsSync(join(folder, ".gitmodules")));
}

/**
 * True when git run in `dir` finds the repository whose working tree root is
 * `root`: `dir` is `root` or below it, with no `.git` in a folder between
 * (a nested repository or a submodule's). Decided by `stat` calls, and only
 * when nothing in the environment steers git's discovery (false otherwise).
 */
export function sharesRepository(dir: string, root: string, env: GitContext["env"]): boolean {
  const [realDir, realRoot] = discoveryIsPlain(env) ? [realFolder(dir), realFolder(root)] : [null, null];
  if (realDir === null || realRoot === null) return false;
  const rel = relative(realRoot, realDir);
  if (rel.startsWith("..") || isAbsolute(rel)) return false;
  const steps = rel === "" ? [] : rel.split(sep);
  // The folders from dir up to, not including, root: none may hold a `.git`, and all must sit on root's
  // file system (git stops its search at a mount point unless GIT_DISCOVERY_ACROSS_FILESYSTEM is set).
  const device = statSync(realRoot).dev;
  return steps.every((_, i) => {
    const folder = join(realRoot, ...steps.slice(0, steps.length - i));
    return !existsSync(join(folder, ".git")) && statSync(folder).dev === device;
  });
}

/**
 * The first (parentless) commit reachable from HEAD, or null on an unborn
 * branch: a repository's lasting identity. With several roots (merged
 * histories), the smallest id, which is as stable as any.
 */
export function queryRootCommit(ctx: GitContext): string | null {
  const result = runGit(ctx, ["rev-list", "--max-parents=0", "HEAD", "--"], { okCodes: [128] });
  if (result.status !== 0) return null;
  const roots = result.stdout.toString("utf8").split("\n").filter((line) => line !== "");
  return roots.length === 0 ? null : ([...roots].sort()[0] as string);
}

/**
 * The URL the `.gitmodules` at `root` lists for the submodule at `path`
 * (relative to root, `/`-separated; what a commit can change, before any
 * `git submodule sync`), or null when it lists none there: one `git config`.
 */
export function queryGitmodulesUrl(ctx: GitContext, root: string, path: string): string | null {
  const file = join(root, ".gitmodules");
  if (!existsSync(file)) return null;
  const entries = configGetRegexp(ctx, "^submodule\\..*\\.(path|url)$", { scope: "file", file });
  const named = (key: string, variable: string): string | null => (key.endsWith(`.${variable}`) ? key.slice("submodule.".length, -variable.length - 1) : null);
  const name = entries.find((e) => named(e.key, "path") !== null && e.value?.replace(/\/+$/, "") === path);
  if (name === undefined) return null;
  const wanted = named(name.key, "path");
  // The last value wins, as for `git config --get`.
  return entries.filter((e) => named(e.key, "url") === wanted).pop()?.value ?? null;
}
