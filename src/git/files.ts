// Files in the index and working tree, and blob contents. Blob reads use
// `cat-file blob`, which never runs textconv or filters, so git-vault cannot
// end up decrypting (or re-entering itself) while reading what git stores.
import { GitError } from "../errors.js";
import { runInRepo } from "./repo.js";
import { splitNul, type GitContext } from "./runner.js";

/** One index entry as `ls-files --stage` reports it. */
export interface IndexEntry {
  /** Octal mode, e.g. `100644`, `100755`, `120000` (symlink), `160000` (submodule). */
  readonly mode: string;
  readonly object: string;
  /** 0 normally; 1–3 (base, ours, theirs) during a conflicted merge. */
  readonly stage: number;
  readonly path: string;
}

/** One `status --porcelain=v1` record. */
export interface StatusEntry {
  /** Index status letter (`M`, `A`, `D`, `R`, `C`, `U`, `?`, `!`, or space). */
  readonly index: string;
  /** Working tree status letter, same alphabet. */
  readonly worktree: string;
  readonly path: string;
  /** Source path of a rename or copy. */
  readonly origPath?: string;
}

/** Options of statusPorcelain. */
export interface StatusOptions {
  /** `none` also reports dirty submodules that `submodule.<name>.ignore = dirty` hides. */
  readonly ignoreSubmodules?: "none" | "untracked" | "dirty" | "all";
  readonly untracked?: "no" | "normal" | "all";
  readonly pathspecs?: readonly string[];
}

// diff.relative (git ≥ 2.28) would make paths relative to cwd and drop files
// outside it; pinning it keeps paths repository-relative on every version.
const REPO_RELATIVE = { "diff.relative": "false" } as const;

/** Tracked paths matching pathspecs (all when empty), relative to ctx.cwd. */
export function lsFiles(ctx: GitContext, pathspecs: readonly string[], options?: { stage?: false }): string[];
/** Index entries (mode, object, stage, path) matching pathspecs. */
export function lsFiles(ctx: GitContext, pathspecs: readonly string[], options: { stage: true }): IndexEntry[];
export function lsFiles(ctx: GitContext, pathspecs: readonly string[], options: { stage?: boolean } = {}): string[] | IndexEntry[] {
  const records = splitNul(runInRepo(ctx, ["ls-files", "-z", ...(options.stage ? ["--stage"] : []), "--", ...pathspecs]).stdout);
  if (!options.stage) return records;
  return records.map((record) => {
    // "<mode> SP <object> SP <stage> TAB <path>"
    const tab = record.indexOf("\t");
    const [mode = "", object = "", stage = "0"] = record.slice(0, tab).split(" ");
    return { mode, object, stage: Number(stage), path: record.slice(tab + 1) };
  });
}

/**
 * Paths added, copied, modified or renamed in the index relative to HEAD
 * (what the next commit changes; deletions excluded), repository-relative.
 * Honours GIT_INDEX_FILE, so inside a pre-commit hook of `git commit -a` or
 * `git commit PATH` it sees the index git is about to commit.
 */
export function stagedFiles(ctx: GitContext, pathspecs: readonly string[]): string[] {
  const args = ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--no-ext-diff", "--no-textconv", "--", ...pathspecs];
  return splitNul(runInRepo(ctx, args, [], { config: REPO_RELATIVE }).stdout);
}

/**
 * Raw bytes of a blob: `:path` (staged), `REV:path`, or an object id.
 * Throws GitError when it does not exist.
 */
export function showBlob(ctx: GitContext, spec: string): Buffer {
  return runInRepo(ctx, ["cat-file", "blob", spec]).stdout;
}

/** Like showBlob, but null when `spec` names no object (e.g. a path absent at REV). */
export function tryShowBlob(ctx: GitContext, spec: string): Buffer | null {
  const result = runInRepo(ctx, ["cat-file", "blob", spec], [128]);
  if (result.status === 0) return result.stdout;
  // Tell "no such object" from a real failure without parsing translated text.
  const exists = runInRepo(ctx, ["rev-parse", "--verify", "--quiet", spec], [1]).status === 0;
  if (exists) throw new GitError(["cat-file", "blob", spec], result.status, result.stderr.toString("utf8"));
  return null;
}

/**
 * Working tree status (`status --porcelain=v1 -z`). Paths are
 * repository-relative. Takes no optional locks, so it never competes with the
 * user's own git commands for `index.lock`.
 */
export function statusPorcelain(ctx: GitContext, options: StatusOptions = {}): StatusEntry[] {
  const args = ["--no-optional-locks", "status", "--porcelain=v1", "-z"];
  if (options.ignoreSubmodules) args.push(`--ignore-submodules=${options.ignoreSubmodules}`);
  if (options.untracked) args.push(`--untracked-files=${options.untracked}`);
  args.push("--", ...(options.pathspecs ?? []));
  const records = splitNul(runInRepo(ctx, args).stdout);
  const entries: StatusEntry[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as string;
    const index = record.charAt(0);
    const entry = { index, worktree: record.charAt(1), path: record.slice(3) };
    // A rename or copy is followed by a record holding its source path.
    if (index === "R" || index === "C") entries.push({ ...entry, origPath: records[++i] ?? "" });
    else entries.push(entry);
  }
  return entries;
}

/** Stages `paths` (`git add -- paths`); nothing happens for an empty list. */
export function add(ctx: GitContext, paths: readonly string[]): void {
  if (paths.length === 0) return;
  runInRepo(ctx, ["add", "--", ...paths]);
}

/**
 * When each line of `path` last changed: the committer time (seconds) of the
 * commit `git blame` names for it, by line number (1-based); null for lines
 * not committed yet. ctx.cwd must be inside the file's repository.
 */
export function lineCommitTimes(ctx: GitContext, path: string): (number | null)[] {
  // --no-textconv: blame would otherwise run the diff driver, which decrypts every revision of an env file.
  const text = runInRepo(ctx, ["blame", "--porcelain", "--no-textconv", "--", path]).stdout.toString("utf8");
  const times = new Map<string, number>();
  const lines: (number | null)[] = [];
  let commit = "";
  let line = 0;
  for (const record of text.split("\n")) {
    const header = /^([0-9a-f]{40,64}) \d+ (\d+)/.exec(record);
    if (header !== null) {
      commit = header[1] as string;
      line = Number(header[2]);
    } else if (record.startsWith("committer-time ")) {
      times.set(commit, Number(record.slice(15)));
    } else if (record.startsWith("\t")) {
      lines[line] = /^0+$/.test(commit) ? null : (times.get(commit) ?? null);
    }
  }
  return lines;
}
