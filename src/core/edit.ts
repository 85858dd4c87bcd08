/**
 * Edits to an env file that touch only what they must: a changed value
 * rewrites its own entry, a new key adds one line (or one section block),
 * removing a key drops exactly its lines.
 */
import {
  type Assignment,
  DIVIDER,
  type Entry,
  type EnvFile,
  type Eol,
  fileEol,
  findAssignment,
  lineEntry,
  renumber,
  withRawValue,
} from "./envfile.js";

/** Where a new key goes: the top-level area (null) or a named section. */
export interface PutOptions {
  readonly section?: string | null;
}

/**
 * Sets `key` to the already encoded `rawValue`. An existing key keeps its
 * line (its last occurrence, the one dotenv reads); a new key is inserted
 * after the last key of its section, or in a new section block at the end.
 */
export function putValue(file: EnvFile, key: string, rawValue: string, value: string, options: PutOptions = {}): EnvFile {
  const existing = findAssignment(file, key);
  if (existing !== undefined) {
    return { entries: file.entries.map((e) => (e === existing ? withRawValue(existing, rawValue, value) : e)) };
  }
  const section = options.section ?? null;
  const eol = fileEol(file);
  const entries = [...file.entries];
  const line = lineEntry(`${key}=${rawValue}`, eol, section);
  const at = insertionPoint(entries, section);
  if (at !== null) {
    const placed = section === null ? underHeader(entries, at, line, eol) : { at, lines: [line] };
    insertLines(entries, placed.at, placed.lines, eol);
  } else {
    // A new section block at the end, separated by one blank line.
    const block: Entry[] = [];
    const last = entries[entries.length - 1];
    if (last !== undefined && last.kind !== "blank") block.push(lineEntry("", eol));
    block.push(lineEntry(DIVIDER, eol), lineEntry(`# [${section}]`, eol), line);
    insertLines(entries, entries.length, block, eol);
  }
  return renumber(entries);
}

/** Index to insert a key of `section` at, or null when the section does not exist yet. */
function insertionPoint(entries: readonly Entry[], section: string | null): number | null {
  let lastKey = -1;
  let sectionHeader = -1;
  let headerEnd = 0;
  let current: string | null = null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Entry;
    if (e.kind === "section") current = e.name;
    if (e.kind === "section" && e.name === section) sectionHeader = i;
    if (e.kind === "assignment" && current === section) lastKey = i;
    if (e.kind === "version" || e.kind === "recipient") headerEnd = i + 1;
  }
  if (lastKey !== -1) return lastKey + 1;
  if (section !== null) return sectionHeader === -1 ? null : sectionHeader + 1;
  // The first top-level key: at the end, or before the first section and the blank lines above it.
  const firstSection = entries.findIndex((e) => e.kind === "section" || e.kind === "divider");
  if (firstSection === -1) return entries.length;
  let at = firstSection;
  while (at > headerEnd && entries[at - 1]?.kind === "blank") at--;
  return at;
}

/**
 * The lines for a first top-level key that goes right under the header: the
 * header keeps its blank line, and the key gets one before the first section,
 * as `fmt` lays it out (`verify` checks that layout).
 */
function underHeader(entries: readonly Entry[], at: number, line: Entry, eol: Exclude<Eol, "">): { at: number; lines: Entry[] } {
  const header = entries[at - 1];
  const next = entries[at];
  if ((header?.kind === "version" || header?.kind === "recipient") && next?.kind === "blank") {
    return { at: at + 1, lines: [line, lineEntry("", eol)] };
  }
  return { at, lines: [line] };
}

/** Splices lines in; a preceding last line without a line break gets one, and the file keeps ending without one. */
function insertLines(entries: Entry[], at: number, lines: Entry[], eol: Exclude<Eol, "">): void {
  const before = entries[at - 1];
  if (before !== undefined && before.eol === "") {
    entries[at - 1] = { ...before, eol };
    const last = lines[lines.length - 1] as Entry;
    lines[lines.length - 1] = { ...last, eol: "" as Eol };
  }
  entries.splice(at, 0, ...lines);
}

/** Removes every line that assigns `key`; returns the file and how many lines went. */
export function removeKey(file: EnvFile, key: string): { file: EnvFile; removed: number } {
  const gone = (e: Entry | undefined): boolean => e?.kind === "assignment" && e.key === key;
  // A key that stood alone between two blank lines takes one of them along, so
  // no run of blank lines is left where `fmt` (and so `verify`) wants one.
  const kept = file.entries.filter((e, i, all) => {
    if (gone(e)) return false;
    if (e.kind !== "blank" || !gone(all[i - 1])) return true;
    let j = i - 1;
    while (gone(all[j])) j--;
    return all[j]?.kind !== "blank";
  });
  const removed = file.entries.filter((e) => gone(e)).length;
  if (removed === 0) return { file, removed };
  // Removing the last line must not leave the new last line with a dangling break it did not have.
  const lastRemoved = file.entries[file.entries.length - 1];
  if (lastRemoved?.kind === "assignment" && lastRemoved.key === key && lastRemoved.eol === "" && kept.length > 0) {
    const tail = kept[kept.length - 1] as Entry;
    kept[kept.length - 1] = { ...tail, eol: "" };
  }
  return { file: renumber(kept), removed };
}

/** Replaces assignments through `change`; entries it returns unchanged stay byte-identical. */
export function mapAssignments(file: EnvFile, change: (a: Assignment) => Assignment): EnvFile {
  return { entries: file.entries.map((e) => (e.kind === "assignment" ? change(e) : e)) };
}
