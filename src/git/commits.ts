// Making commits and counting them.
import { runInRepo, textInRepo } from "./repo.js";
import type { GitContext } from "./runner.js";

// git-vault's own commits (e.g. in the vault repo) must not run hooks: the
// pre-commit guard would re-enter git-vault, and user hooks (commit-msg,
// post-commit) are not expecting a tool commit. A hooks path that is not a
// directory makes git find no hooks at all, for this one invocation.
const NO_HOOKS = { "core.hooksPath": "/dev/null" } as const;

/** Options of revList. */
export interface RevListOptions {
  readonly pathspecs?: readonly string[];
  readonly maxCount?: number;
}

/**
 * Commits the index (or, with `paths`, only those paths, as `git commit --
 * paths` does) with `message`, without running any hook. Returns the new
 * commit id.
 */
export function commit(ctx: GitContext, message: string, paths?: readonly string[]): string {
  const args = ["commit", "--quiet", "--no-verify", "--file=-"];
  if (paths !== undefined) args.push("--only", "--", ...paths);
  // The message goes through stdin so no text is ever taken for an option.
  runInRepo(ctx, args, [], { config: NO_HOOKS, input: message });
  return textInRepo(ctx, ["rev-parse", "--verify", "HEAD^{commit}"]);
}

/** Commit ids reachable from the revisions/range in `revs` (e.g. `A..B`), newest first. */
export function revList(ctx: GitContext, revs: readonly string[], options: RevListOptions = {}): string[] {
  const args = ["rev-list"];
  if (options.maxCount !== undefined) args.push(`--max-count=${options.maxCount}`);
  args.push(...revs, "--", ...(options.pathspecs ?? []));
  const text = textInRepo(ctx, args);
  return text === "" ? [] : text.split("\n");
}

/** Number of commits on HEAD that `upstream` (e.g. `origin/main`, `@{upstream}`) does not have. */
export function aheadCount(ctx: GitContext, upstream: string): number {
  return Number(textInRepo(ctx, ["rev-list", "--count", `${upstream}..HEAD`, "--"]));
}

/** The upstream of the current branch (e.g. `origin/main`), or null when none is set or HEAD is detached. */
export function upstreamBranch(ctx: GitContext): string | null {
  const result = runInRepo(ctx, ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], [128]);
  // Exit 128 with a repository present means "no upstream" (or detached HEAD).
  return result.status === 0 ? result.stdout.toString("utf8").trim() : null;
}

/** True when `rev` names a commit this repository has. */
export function hasCommit(ctx: GitContext, rev: string): boolean {
  return runInRepo(ctx, ["cat-file", "-e", `${rev}^{commit}`], [1, 128]).status === 0;
}

/** Number of commits reachable from `rev` that no remote-tracking branch has (commits nobody else can fetch). */
export function commitsOnNoRemote(ctx: GitContext, rev: string): number {
  return Number(textInRepo(ctx, ["rev-list", "--count", rev, "--not", "--remotes", "--"]));
}
