// The vault repo as a submodule of the host repo.
import { existsSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { GitError } from "../errors.js";
import { configGet, configGetRegexp, configRemoveSection, configUnset, escapeRegexp } from "./config.js";
import { lsFiles } from "./files.js";
import { isAncestor } from "./remote.js";
import { currentBranch, headCommit, repoRoot, runInRepo } from "./repo.js";
import type { GitContext } from "./runner.js";
import { isLocalUrl, isRelativeUrl, resolveRelativeUrl } from "./url.js";

/** State of one submodule as the superproject sees it. */
export interface SubmoduleStatus {
  /** Path relative to the superproject root. */
  readonly path: string;
  /** `uninitialized` (not cloned), `current` (checked out = pinned), `moved` (checked out ≠ pinned), `conflict`. */
  readonly state: "uninitialized" | "current" | "moved" | "conflict";
  /** The commit the superproject's index pins, or null during a conflict. */
  readonly pinned: string | null;
  /** The commit checked out in the submodule, or null when not initialized. */
  readonly checkedOut: string | null;
}

/** What attachBranch did. */
export type AttachResult = "already-attached" | "attached" | "created" | "moved" | "diverged";

/**
 * Why `-c protocol.file.allow=always`: since git 2.38.1 (CVE-2022-39253) the
 * file transport is refused for submodules by default (`user` only allows it
 * for commands the user typed). A vault repo on a local path or file:// URL
 * (a shared drive, tests, an offline clone) is a legitimate setup, so
 * `submodule add` of a URL the user typed gets it for that one invocation.
 * A URL read from `.gitmodules` (someone else's clone) never does: there the
 * user's own git configuration decides. Global config is never changed.
 */
const ALLOW_FILE_TRANSPORT = { "protocol.file.allow": "always" } as const;

/** Status of the submodule at `path` (relative to ctx.cwd), or null when `path` is not a submodule. */
export function submoduleStatus(ctx: GitContext, path: string): SubmoduleStatus | null {
  const gitlinks = lsFiles(ctx, [path], { stage: true }).filter((entry) => entry.mode === "160000");
  if (gitlinks.length === 0) return null;
  // "<flag><object> <path>[ (<describe>)]"; the path is known, only flag and object matter.
  const line = runInRepo(ctx, ["submodule", "status", "--", path]).stdout.toString("utf8").split("\n")[0] ?? "";
  const flag = line.charAt(0);
  const object = line.slice(1, line.indexOf(" ", 1));
  const root = repoRoot(ctx);
  const rootPath = relative(root, resolve(ctx.cwd, path)).split(sep).join("/");
  const pinned = gitlinks.find((entry) => entry.stage === 0)?.object ?? null;
  if (flag === "U") return { path: rootPath, state: "conflict", pinned: null, checkedOut: null };
  if (flag === "-") return { path: rootPath, state: "uninitialized", pinned, checkedOut: null };
  return { path: rootPath, state: flag === "+" ? "moved" : "current", pinned, checkedOut: object };
}

/**
 * `git submodule add [-b branch] -- url path`: clones `url` into `path` and
 * records it in `.gitmodules` as given (a relative URL stays relative). The
 * URL comes from the user, so a local path or file:// URL is allowed (see
 * ALLOW_FILE_TRANSPORT).
 */
export function submoduleAdd(ctx: GitContext, url: string, path: string, options: { branch?: string } = {}): void {
  const args = ["submodule", "add", "--quiet", ...(options.branch ? ["-b", options.branch] : []), "--", url, path];
  runInRepo(ctx, args, [], isLocalUrl(submoduleFetchUrl(ctx, url)) ? { config: ALLOW_FILE_TRANSPORT } : {});
}

/**
 * `git submodule update --init -- path`: registers the submodule, clones it
 * (if needed) and checks out the pinned commit. The URL comes from the
 * repository's `.gitmodules`, which may be someone else's, so the user's git
 * configuration decides which transports are allowed (a local URL is refused
 * unless `protocol.file.allow` says otherwise; see isFileTransportRefusal).
 * When it fails, the registration it made (`submodule.NAME.url` and
 * `.active` in the local config) is undone, so the repository is left as it
 * was.
 */
export function submoduleUpdateInit(ctx: GitContext, path: string): void {
  const name = submoduleName(ctx, path);
  const registered = name === null ? [] : ["url", "active"].filter((key) => configGet(ctx, `submodule.${name}.${key}`, { scope: "local" }) !== null);
  try {
    runInRepo(ctx, ["submodule", "update", "--init", "--", path]);
  } catch (error) {
    if (name !== null) unregister(ctx, name, registered);
    throw error;
  }
}

/**
 * True when `error` is git refusing the file transport for a submodule
 * (`transport 'file' not allowed`, CVE-2022-39253 protection).
 */
export function isFileTransportRefusal(error: unknown): boolean {
  return error instanceof GitError && error.stderr.includes("transport 'file' not allowed");
}

/**
 * The URL git fetches from for a submodule URL: a relative one (`./`, `../`)
 * resolved against the superproject's default remote URL (the current
 * branch's `branch.NAME.remote`, else `origin`), or against its top-level
 * directory when that remote has no URL, as `git submodule add` does; any
 * other URL as given.
 */
export function submoduleFetchUrl(ctx: GitContext, url: string): string {
  if (!isRelativeUrl(url)) return url;
  const branch = currentBranch(ctx);
  const remote = (branch === null ? null : configGet(ctx, `branch.${branch}.remote`)) ?? "origin";
  // The raw config value, as git reads it here (no url.*.insteadOf rewriting).
  return resolveRelativeUrl(configGet(ctx, `remote.${remote}.url`) ?? repoRoot(ctx), url);
}

/**
 * The URL git will clone the submodule at `path` from: `submodule.NAME.url`
 * from the local config (set by `submodule init`, may be overridden by the
 * user), else from `.gitmodules`; null when `path` is not listed.
 */
export function submoduleUrl(ctx: GitContext, path: string): string | null {
  const name = submoduleName(ctx, path);
  if (name === null) return null;
  const gitmodules = join(repoRoot(ctx), ".gitmodules");
  return configGet(ctx, `submodule.${name}.url`, { scope: "local" }) ?? configGet(ctx, `submodule.${name}.url`, { scope: "file", file: gitmodules });
}

// The name `.gitmodules` gives the submodule at `path`, or null when it lists none there.
function submoduleName(ctx: GitContext, path: string): string | null {
  const root = repoRoot(ctx);
  const gitmodules = join(root, ".gitmodules");
  if (!existsSync(gitmodules)) return null;
  const wanted = relative(root, resolve(ctx.cwd, path)).split(sep).join("/");
  const entry = configGetRegexp(ctx, "^submodule\\..*\\.path$", { scope: "file", file: gitmodules }).find(
    (candidate) => candidate.value?.replace(/\/+$/, "") === wanted,
  );
  return entry ? entry.key.slice("submodule.".length, -".path".length) : null;
}

// Removes the keys `submodule init` added (those not in `kept`), and the
// section when nothing else is left in it.
function unregister(ctx: GitContext, name: string, kept: readonly string[]): void {
  for (const key of ["url", "active"]) if (!kept.includes(key)) configUnset(ctx, `submodule.${name}.${key}`, { scope: "local" });
  const left = configGetRegexp(ctx, `^submodule\\.${escapeRegexp(name)}\\.`, { scope: "local" });
  if (left.length === 0) configRemoveSection(ctx, `submodule.${name}`, { scope: "local" });
}

/**
 * Puts the repository at ctx.cwd (typically the vault submodule, detached
 * after `submodule update`) on `branch` without ever moving an existing
 * branch: creates it at HEAD, or switches to it when it already points at
 * HEAD; reports `diverged` and changes nothing otherwise.
 */
export function attachBranch(ctx: GitContext, branch: string, options: { keptBy?: string } = {}): AttachResult {
  if (currentBranch(ctx) === branch) return "already-attached";
  const tip = runInRepo(ctx, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], [1]);
  if (tip.status !== 0) {
    runInRepo(ctx, ["checkout", "--quiet", "-b", branch]);
    return "created";
  }
  if (tip.stdout.toString("utf8").trim() !== headCommit(ctx)) {
    // With `keptBy` (origin/BRANCH): a branch whose every commit that ref has too is moved to HEAD, as
    // after `git pull --recurse-submodules` moved the pin past it; nothing is lost.
    const keeper = options.keptBy === undefined ? null : runInRepo(ctx, ["rev-parse", "--verify", "--quiet", `${options.keptBy}^{commit}`], [1]);
    if (keeper?.status !== 0 || !isAncestor(ctx, `refs/heads/${branch}`, options.keptBy as string)) return "diverged";
    runInRepo(ctx, ["checkout", "--quiet", "-B", branch]);
    return "moved";
  }
  runInRepo(ctx, ["checkout", "--quiet", branch, "--"]);
  return "attached";
}
