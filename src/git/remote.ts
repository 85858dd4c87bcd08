// Cloning and talking to remotes for `init`.
import { runInRepo, textInRepo } from "./repo.js";
import { runGit, type GitContext } from "./runner.js";

/**
 * True when the repository at `url` has no refs at all (a freshly created
 * empty remote). `ls-remote` needs no working tree; ctx.cwd is only where it runs.
 */
export function remoteIsEmpty(ctx: GitContext, url: string): boolean {
  return runGit(ctx, ["ls-remote", "--", url]).stdout.toString("utf8").trim() === "";
}

/** `git clone --quiet -- url dir` from ctx.cwd (a plain clone may use any transport the user allows). */
export function clone(ctx: GitContext, url: string, dir: string): void {
  runGit(ctx, ["clone", "--quiet", "--", url, dir]);
}

/** Moves the git dirs of submodules into the superproject's `.git/modules`, as `submodule add` would have. */
export function absorbGitDirs(ctx: GitContext, path: string): void {
  runInRepo(ctx, ["submodule", "absorbgitdirs", "--", path]);
}

/**
 * The branch `origin/HEAD` points to (the remote's default branch), or null
 * when it is unknown.
 */
export function remoteDefaultBranch(ctx: GitContext, remote = "origin"): string | null {
  const result = runInRepo(ctx, ["symbolic-ref", "--quiet", "--short", `refs/remotes/${remote}/HEAD`], [1, 128]);
  if (result.status !== 0) return null;
  const name = result.stdout.toString("utf8").trim();
  return name.startsWith(`${remote}/`) ? name.slice(remote.length + 1) : null;
}

/** Sets the upstream of the current branch when `remote/branch` exists; returns whether it did. */
export function setUpstreamIfPresent(ctx: GitContext, remote: string, branch: string): boolean {
  const exists = runInRepo(ctx, ["rev-parse", "--verify", "--quiet", `refs/remotes/${remote}/${branch}`], [1]).status === 0;
  if (exists) runInRepo(ctx, ["branch", "--quiet", `--set-upstream-to=${remote}/${branch}`]);
  return exists;
}

/** The symbolic name HEAD points to even before the first commit (`main` in a new repo). */
export function unbornBranch(ctx: GitContext): string {
  return textInRepo(ctx, ["symbolic-ref", "--short", "HEAD"]);
}

/** True when commit `ancestor` is reachable from `descendant` (`merge-base --is-ancestor`). */
export function isAncestor(ctx: GitContext, ancestor: string, descendant: string): boolean {
  return runInRepo(ctx, ["merge-base", "--is-ancestor", ancestor, descendant], [1]).status === 0;
}

