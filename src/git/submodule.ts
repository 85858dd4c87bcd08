// The vault repo as a submodule of the host repo.
import { existsSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { configGet, configGetRegexp } from "./config.js";
import { lsFiles } from "./files.js";
import { remoteUrl } from "./refs.js";
import { currentBranch, headCommit, repoRoot, runInRepo } from "./repo.js";
import type { GitContext } from "./runner.js";

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
export type AttachResult = "already-attached" | "attached" | "created" | "diverged";

/**
 * Why `-c protocol.file.allow=always`: since git 2.38.1 (CVE-2022-39253) the
 * file transport is refused for submodules by default (`user` only allows it
 * for commands the user typed). A vault repo on a local path or file:// URL
 * (a shared drive, tests, an offline clone) is a legitimate setup, so the
 * two commands that clone a submodule get it for that one invocation when the
 * URL is local, and nothing else does. Global config is never changed.
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
 * records it in `.gitmodules`. The URL comes from the user, so a local path or
 * file:// URL is allowed (see ALLOW_FILE_TRANSPORT).
 */
export function submoduleAdd(ctx: GitContext, url: string, path: string, options: { branch?: string } = {}): void {
  const args = ["submodule", "add", "--quiet", ...(options.branch ? ["-b", options.branch] : []), "--", url, path];
  runInRepo(ctx, args, [], isLocalUrl(url) ? { config: ALLOW_FILE_TRANSPORT } : {});
}

/**
 * `git submodule update --init -- path`: clones (if needed) and checks out the
 * pinned commit. The URL comes from the repository's `.gitmodules`, which may
 * be someone else's, so the file transport is allowed only for a local URL
 * that resolves outside this working tree: a repository shipped inside the
 * clone itself is exactly the CVE-2022-39253 attack, and git refuses it.
 */
export function submoduleUpdateInit(ctx: GitContext, path: string): void {
  const url = submoduleUrl(ctx, path);
  const local = url === null ? null : resolvedLocalUrl(ctx, url);
  const root = repoRoot(ctx);
  const allow = local !== null && !isInside(realpathOrSelf(local), realpathOrSelf(root));
  runInRepo(ctx, ["submodule", "update", "--init", "--", path], [], allow ? { config: ALLOW_FILE_TRANSPORT } : {});
}

/**
 * The URL git will clone the submodule at `path` from: `submodule.NAME.url`
 * from the local config (set by `submodule init`, may be overridden by the
 * user), else from `.gitmodules`; null when `path` is not listed.
 */
export function submoduleUrl(ctx: GitContext, path: string): string | null {
  const root = repoRoot(ctx);
  const gitmodules = join(root, ".gitmodules");
  if (!existsSync(gitmodules)) return null;
  const wanted = relative(root, resolve(ctx.cwd, path)).split(sep).join("/");
  const entry = configGetRegexp(ctx, "^submodule\\..*\\.path$", { scope: "file", file: gitmodules }).find(
    (candidate) => candidate.value?.replace(/\/+$/, "") === wanted,
  );
  if (!entry) return null;
  const name = entry.key.slice("submodule.".length, -".path".length);
  return configGet(ctx, `submodule.${name}.url`, { scope: "local" }) ?? configGet(ctx, `submodule.${name}.url`, { scope: "file", file: gitmodules });
}

/**
 * Puts the repository at ctx.cwd (typically the vault submodule, detached
 * after `submodule update`) on `branch` without ever moving an existing
 * branch: creates it at HEAD, or switches to it when it already points at
 * HEAD; reports `diverged` and changes nothing otherwise.
 */
export function attachBranch(ctx: GitContext, branch: string): AttachResult {
  if (currentBranch(ctx) === branch) return "already-attached";
  const tip = runInRepo(ctx, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], [1]);
  if (tip.status !== 0) {
    runInRepo(ctx, ["checkout", "--quiet", "-b", branch]);
    return "created";
  }
  if (tip.stdout.toString("utf8").trim() !== headCommit(ctx)) return "diverged";
  runInRepo(ctx, ["checkout", "--quiet", branch, "--"]);
  return "attached";
}

/**
 * True when git would use the file transport for `url`: a `file://` URL, or
 * no `scheme://` and no scp-like `host:path` (a colon before the first slash).
 */
export function isLocalUrl(url: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (scheme) return scheme[1]?.toLowerCase() === "file";
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  return colon === -1 || (slash !== -1 && slash < colon);
}

// Where a local submodule URL points on disk, resolved as git resolves it:
// `./`/`../` against the superproject's default remote (or its root when it
// has none); null when the URL (or the remote it is relative to) is not local.
function resolvedLocalUrl(ctx: GitContext, url: string): string | null {
  const root = repoRoot(ctx);
  let base = root;
  if (url.startsWith("./") || url.startsWith("../")) {
    const branch = currentBranch(ctx);
    const remoteName = (branch === null ? null : configGet(ctx, `branch.${branch}.remote`)) ?? "origin";
    const remote = remoteUrl(ctx, remoteName);
    if (remote !== null) {
      if (!isLocalUrl(remote)) return null;
      base = resolve(root, stripFileScheme(remote));
    }
  } else if (!isLocalUrl(url)) {
    return null;
  }
  return resolve(base, stripFileScheme(url));
}

function stripFileScheme(url: string): string {
  return /^file:\/\//i.test(url) ? url.slice("file://".length) : url;
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
