// Refs and remotes.
import { runInRepo, textInRepo } from "./repo.js";
import type { GitContext } from "./runner.js";

/** A ref and the object it points to. */
export interface RefEntry {
  /** Full name, e.g. `refs/notes/textconv/git-vault`. */
  readonly ref: string;
  readonly object: string;
}

/** Options of push. */
export interface PushOptions {
  /** Record the remote branch as upstream (`--set-upstream`). */
  readonly setUpstream?: boolean;
}

/**
 * Refs matching `pattern` as `for-each-ref` matches it: a prefix
 * (`refs/notes/textconv`) or a glob (`refs/notes/textconv/*`).
 */
export function refsMatching(ctx: GitContext, pattern: string): RefEntry[] {
  // Ref names cannot contain spaces or newlines, so line records are unambiguous.
  const text = textInRepo(ctx, ["for-each-ref", "--format=%(objectname) %(refname)", pattern]);
  if (text === "") return [];
  return text.split("\n").map((line) => {
    const space = line.indexOf(" ");
    return { object: line.slice(0, space), ref: line.slice(space + 1) };
  });
}

/** Deletes `ref` (full name); returns false when it did not exist. */
export function deleteRef(ctx: GitContext, ref: string): boolean {
  const exists = runInRepo(ctx, ["rev-parse", "--verify", "--quiet", ref], [1]).status === 0;
  if (exists) runInRepo(ctx, ["update-ref", "-d", ref]);
  return exists;
}

/**
 * Removes every unreachable object now (`git gc --prune=now`): what is left
 * of a deleted ref's history, such as a textconv cache of decrypted values.
 */
export function pruneUnreachableNow(ctx: GitContext): void {
  runInRepo(ctx, ["gc", "--quiet", "--prune=now"]);
}

/**
 * The fetch URL of remote `name` after `url.*.insteadOf` rewriting (what git
 * will contact), or null when there is no such remote.
 */
export function remoteUrl(ctx: GitContext, name: string): string | null {
  // Exit 2: "No such remote".
  const result = runInRepo(ctx, ["remote", "get-url", "--", name], [2]);
  return result.status === 0 ? result.stdout.toString("utf8").replace(/\n$/, "") : null;
}

/**
 * Pushes `refspecs` to `remote` with the user's credentials and hooks
 * (pre-push hooks such as git-lfs's must still run). Prompts, if any, reach
 * the terminal through git's own /dev/tty handling.
 */
export function push(ctx: GitContext, remote: string, refspecs: readonly string[], options: PushOptions = {}): void {
  const args = ["push", "--quiet", ...(options.setUpstream ? ["--set-upstream"] : []), "--", remote, ...refspecs];
  runInRepo(ctx, args);
}
