// Reading and writing git config, always through `git config` so includes,
// conditional includes and GIT_CONFIG_GLOBAL behave exactly as for the user.
import { GitError } from "../errors.js";
import { runGit, splitNul, type GitContext } from "./runner.js";

/** Which config file to read or write; without it git's usual cascade (reads) or the local file (writes). */
export interface ConfigTarget {
  readonly scope?: "local" | "global" | "file";
  /** The file for scope `file`. */
  readonly file?: string;
}

/** One `key = value` line; value is null for a bare `key` (boolean true). */
export interface ConfigEntry {
  readonly key: string;
  readonly value: string | null;
}

/** An entry with the scope (`system`, `global`, `local`, `worktree`, `command`) and file it came from. */
export interface ScopedConfigEntry extends ConfigEntry {
  readonly scope: string;
  readonly origin: string;
}

/** Options for reads: `type` asks git to canonicalise (`bool` → true/false, `path` expands `~`). */
export interface ConfigReadOptions extends ConfigTarget {
  readonly type?: "bool" | "int" | "path";
}

/** The value of `key` (the last one if several), or null when unset. */
export function configGet(ctx: GitContext, key: string, options: ConfigReadOptions = {}): string | null {
  const result = runGit(ctx, ["config", ...targetArgs(options), ...typeArgs(options), "--null", "--get", key], { okCodes: [1] });
  if (result.status === 1) return null;
  return splitNul(result.stdout)[0] ?? "";
}

/** Every value of a multi-valued `key`, in file order; empty when unset. */
export function configGetAll(ctx: GitContext, key: string, options: ConfigReadOptions = {}): string[] {
  const result = runGit(ctx, ["config", ...targetArgs(options), ...typeArgs(options), "--null", "--get-all", key], { okCodes: [1] });
  return result.status === 1 ? [] : splitNul(result.stdout);
}

/**
 * Entries whose canonical key (`section.subsection.name`, section and name
 * lower-cased) matches the extended regular expression `pattern`.
 */
export function configGetRegexp(ctx: GitContext, pattern: string, target: ConfigTarget = {}): ConfigEntry[] {
  const result = runGit(ctx, ["config", ...targetArgs(target), "--null", "--get-regexp", pattern], { okCodes: [1] });
  return result.status === 1 ? [] : splitNul(result.stdout).map(parseEntry);
}

/** The effective value of `key` with the scope and file that set it, or null when unset. */
export function configGetOrigin(ctx: GitContext, key: string): ScopedConfigEntry | null {
  return configGetAllOrigins(ctx, key).at(-1) ?? null;
}

/**
 * Every value of `key` in the order git reads them (the last one is in
 * effect), each with its scope and origin (`file:PATH`, PATH relative to
 * the top of the work tree for the repository's own files; `command line:`
 * for `-c`).
 */
export function configGetAllOrigins(ctx: GitContext, key: string, options: Pick<ConfigReadOptions, "type"> = {}): ScopedConfigEntry[] {
  const result = runGit(ctx, ["config", ...typeArgs(options), "--null", "--show-scope", "--show-origin", "--get-all", key], { okCodes: [1] });
  if (result.status === 1) return [];
  const records = splitNul(result.stdout);
  const entries: ScopedConfigEntry[] = [];
  for (let i = 0; i + 2 < records.length; i += 3) {
    entries.push({ key, scope: records[i] ?? "", origin: records[i + 1] ?? "", value: records[i + 2] ?? "" });
  }
  return entries;
}

/**
 * Every entry of one scope (`local`, `global`, `worktree`, `system`,
 * `command`), or of a file. An absent global file reads as empty.
 */
export function configList(ctx: GitContext, scope: "local" | "global" | "worktree" | "system" | "command" | { file: string }): ConfigEntry[] {
  if (typeof scope === "object") {
    return splitNul(runGit(ctx, ["config", "--file", scope.file, "--null", "--list"]).stdout).map(parseEntry);
  }
  // Listing all scopes and filtering avoids git's error on a missing --global file.
  const records = splitNul(runGit(ctx, ["config", "--null", "--show-scope", "--list"]).stdout);
  const entries: ConfigEntry[] = [];
  for (let i = 0; i + 1 < records.length; i += 2) {
    if (records[i] === scope) entries.push(parseEntry(records[i + 1] as string));
  }
  return entries;
}

/**
 * Sets `key` to `value` (written to the local file unless a target is given).
 * `replaceAll` replaces every value of a multi-valued key.
 */
export function configSet(ctx: GitContext, key: string, value: string, options: ConfigTarget & { replaceAll?: boolean } = {}): void {
  runGit(ctx, ["config", ...targetArgs(options), ...(options.replaceAll ? ["--replace-all"] : []), key, value]);
}

/** Removes every value of `key`; returns false when it was not set. */
export function configUnset(ctx: GitContext, key: string, target: ConfigTarget = {}): boolean {
  // Exit 5: the key was not there, which is the state the caller wants.
  return runGit(ctx, ["config", ...targetArgs(target), "--unset-all", key], { okCodes: [5] }).status === 0;
}

/**
 * Removes a whole section (e.g. `diff.git-vault`) with its header, so the
 * file is left as it was before the section was added. Returns false when the
 * section did not exist.
 */
export function configRemoveSection(ctx: GitContext, section: string, target: ConfigTarget = {}): boolean {
  const args = ["config", ...targetArgs(target), "--remove-section", section];
  const result = runGit(ctx, args, { okCodes: [128] });
  if (result.status === 0) return true;
  // 128 is also git's code for "no such section": tell the two apart by looking.
  const stillThere = configGetRegexp(ctx, `^${escapeRegexp(section)}\\.`, target).length > 0;
  if (stillThere) throw new GitError(args, 128, result.stderr.toString("utf8"));
  return false;
}

/** Escapes a literal for use in a git (POSIX extended) regular expression. */
export function escapeRegexp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function targetArgs(target: ConfigTarget): string[] {
  switch (target.scope) {
    case undefined:
      return [];
    case "local":
      return ["--local"];
    case "global":
      return ["--global"];
    case "file":
      if (target.file === undefined) throw new TypeError("config scope 'file' needs a file");
      return ["--file", target.file];
  }
}

function typeArgs(options: ConfigReadOptions): string[] {
  return options.type === undefined ? [] : [`--type=${options.type}`];
}

// With --null a record is "key\nvalue", or just "key" for a valueless entry.
function parseEntry(record: string): ConfigEntry {
  const newline = record.indexOf("\n");
  if (newline === -1) return { key: record, value: null };
  return { key: record.slice(0, newline), value: record.slice(newline + 1) };
}
