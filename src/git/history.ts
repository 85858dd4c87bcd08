// Fetching, fast-forwarding and reading history for `pull`, `review` and `get --at`.
import { runInRepo, textInRepo } from "./repo.js";
import { type GitContext, splitNul } from "./runner.js";

// git-vault reads history as stored: no textconv or external diff (textconv would decrypt).
const RAW_DIFF = ["--no-ext-diff", "--no-textconv"] as const;

/** `git fetch --quiet remote` with the user's credentials. */
export function fetch(ctx: GitContext, remote: string): void {
  runInRepo(ctx, ["fetch", "--quiet", "--", remote]);
}

/** Fast-forwards the checked-out branch to `rev` (`merge --ff-only`); git refuses when local changes would be overwritten. */
export function fastForward(ctx: GitContext, rev: string): void {
  runInRepo(ctx, ["merge", "--quiet", "--ff-only", rev, "--"]);
}

/** Rebases the checked-out branch onto `upstream` (the merge driver settles env files key by key). */
export function rebase(ctx: GitContext, upstream: string): void {
  runInRepo(ctx, ["rebase", "--quiet", upstream]);
}

/** The full commit id `rev` names, or null when it names no commit. */
export function resolveCommit(ctx: GitContext, rev: string): string | null {
  const result = runInRepo(ctx, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], [1, 128]);
  return result.status === 0 ? result.stdout.toString("utf8").trim() : null;
}

/** Paths that differ between two commits (repository-relative), renames as delete + add. */
export function changedPaths(ctx: GitContext, from: string, to: string): string[] {
  return splitNul(runInRepo(ctx, ["diff", "--name-only", "-z", "--no-renames", ...RAW_DIFF, from, to, "--"]).stdout);
}

/** Every file path in the tree of `rev`. */
export function treePaths(ctx: GitContext, rev: string): string[] {
  return splitNul(runInRepo(ctx, ["ls-tree", "-r", "-z", "--name-only", "--full-tree", rev, "--"]).stdout);
}

/** The commit a host commit `rev` pins the submodule at `path` to, or null when it has none there. */
export function gitlinkAt(ctx: GitContext, rev: string, path: string): string | null {
  const out = textInRepo(ctx, ["ls-tree", "-z", rev, "--", path]);
  // "160000 commit SHA\tpath"
  const match = /^160000 commit ([0-9a-f]{40,64})\t/.exec(out);
  return match ? (match[1] as string) : null;
}

/** The merge base of two commits, or null when they share no history. */
export function mergeBase(ctx: GitContext, a: string, b: string): string | null {
  const result = runInRepo(ctx, ["merge-base", a, b], [1]);
  return result.status === 0 ? result.stdout.toString("utf8").trim() : null;
}
