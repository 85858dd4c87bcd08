/**
 * Three-way merge of env files by key, for git's merge driver (SPEC §5).
 * The result starts from our bytes, so our comments, order, quoting and line
 * breaks stay; the other side's key-level changes and recipient changes are
 * applied on top. Values are compared as raw text (ciphertext), never decrypted here.
 */
import { putValue, removeKey } from "./edit.js";
import {
  type Assignment,
  type Entry,
  type EnvFile,
  FORMAT_VERSION,
  effectiveAssignments,
  fileEol,
  findAssignment,
  invalidEntries,
  renumber,
} from "./envfile.js";
import { type Recipient, ensureHeader, readHeader, setRecipients } from "./recipients.js";

/** A key both sides changed in different ways; a null side deleted it. */
export interface MergeConflict {
  readonly key: string;
  readonly ours: Assignment | null;
  readonly theirs: Assignment | null;
}

/** Choices made outside the pure merge. */
export interface MergeOptions {
  /** Conflicting keys to settle with our line or deletion (e.g. both sides hold the same plaintext). */
  readonly keepOurs?: ReadonlySet<string>;
  /** Conflicting keys to settle with their line or deletion (e.g. ours only re-encrypted the value). */
  readonly takeTheirs?: ReadonlySet<string>;
}

/** The merged file, its conflicts (marked in the file), and what could not be carried over. */
export interface MergeResult {
  readonly file: EnvFile;
  readonly conflicts: readonly MergeConflict[];
  /** Comment, divider and section lines the other side added that the result lacks. */
  readonly droppedLines: number;
  /**
   * True when each side removed recipients so that none would be left: a
   * conflict, marked in the header, since a file with no recipients can take
   * no new value and the two removals were never agreed on.
   */
  readonly recipientsConflict: boolean;
}

/** Why a file cannot be merged by key (a malformed line, an unknown format version), or null. */
export function mergeBlocker(file: EnvFile): string | null {
  const invalid = invalidEntries(file)[0];
  if (invalid !== undefined) return `line ${invalid.line} is not a KEY=value line, comment or blank line`;
  const { version } = readHeader(file);
  if (version !== null && version.version !== FORMAT_VERSION) {
    return `line ${version.line}: format v${version.version} is not supported (this git-vault reads v${FORMAT_VERSION})`;
  }
  return null;
}

function byKey(file: EnvFile): Map<string, Assignment> {
  return new Map(effectiveAssignments(file).map((a) => [a.key, a]));
}

const raw = (a: Assignment | undefined): string | undefined => a?.rawValue;

/**
 * Merges `theirs` into `ours` against their common ancestor `base`, key by
 * key: a key changed (or deleted) on one side only takes that side; changed
 * differently on both sides it is a conflict, written with conflict markers
 * in place of our line. Recipients merge as sets. Callers must check
 * {@link mergeBlocker} first.
 */
export function mergeEnvFiles(base: EnvFile, ours: EnvFile, theirs: EnvFile, options: MergeOptions = {}): MergeResult {
  const b = byKey(base);
  const o = byKey(ours);
  const t = byKey(theirs);
  const keys = new Set([...o.keys(), ...t.keys(), ...b.keys()]);
  let file = ours;
  const conflicts: MergeConflict[] = [];
  for (const key of keys) {
    const [bv, ov, tv] = [raw(b.get(key)), raw(o.get(key)), raw(t.get(key))];
    if (ov === tv || tv === bv) continue;
    const theirsLine = t.get(key);
    if (ov === bv || options.takeTheirs?.has(key) === true) {
      file = theirsLine === undefined ? removeKey(file, key).file : putValue(file, key, theirsLine.rawValue, theirsLine.value, { section: theirsLine.section });
      continue;
    }
    if (options.keepOurs?.has(key) === true) continue;
    conflicts.push({ key, ours: o.get(key) ?? null, theirs: theirsLine ?? null });
    // A key we deleted gets a placeholder line where theirs would go, replaced by markers below.
    if (ov === undefined && theirsLine !== undefined) file = putValue(file, key, theirsLine.rawValue, theirsLine.value, { section: theirsLine.section });
  }
  const recipients = mergeRecipients(base, ours, theirs, file);
  file = markConflicts(recipients ?? markRecipientsConflict(file, theirs), conflicts);
  return { file, conflicts, droppedLines: droppedLines(base, theirs, file), recipientsConflict: recipients === null };
}

/** Our file with its recipient lines replaced by conflict markers around ours and theirs. */
function markRecipientsConflict(file: EnvFile, theirs: EnvFile): EnvFile {
  const eol = fileEol(file);
  const lines = (f: EnvFile): string[] => f.entries.filter((e) => e.kind === "recipient").map((e) => e.text);
  const text = ["<<<<<<< ours", ...lines(file), "=======", ...lines(theirs), ">>>>>>> theirs"].join(eol);
  const first = file.entries.findIndex((e) => e.kind === "recipient");
  const entries = file.entries.filter((e, i) => e.kind !== "recipient" || i === first).map((e, i): Entry => (i === first ? { kind: "invalid", text, eol: e.eol, line: e.line } : e));
  return renumber(entries);
}

/** Replaces each conflicting key's line with `<<<<<<< ours` / `=======` / `>>>>>>> theirs` around both sides. */
function markConflicts(file: EnvFile, conflicts: readonly MergeConflict[]): EnvFile {
  if (conflicts.length === 0) return file;
  const eol = fileEol(file);
  const at = new Map<Entry, MergeConflict>();
  for (const c of conflicts) {
    const line = findAssignment(file, c.key);
    if (line !== undefined) at.set(line, c);
  }
  const entries = file.entries.map((e): Entry => {
    const c = at.get(e);
    if (c === undefined) return e;
    const side = (a: Assignment | null): string[] => (a === null ? [] : [a.text]);
    const text = ["<<<<<<< ours", ...side(c.ours), "=======", ...side(c.theirs), ">>>>>>> theirs"].join(eol);
    return { kind: "invalid", text, eol: e.eol, line: e.line };
  });
  return renumber(entries);
}

/**
 * Recipient sets and labels, merged three-way: whichever side changed a
 * recipient (or its label) wins. Null when the merge would leave no recipient
 * of a file that had some.
 */
function mergeRecipients(base: EnvFile, ours: EnvFile, theirs: EnvFile, file: EnvFile): EnvFile | null {
  const labels = (f: EnvFile): Map<string, string | null> => new Map(readHeader(f).recipients.map((r) => [r.recipient, r.label]));
  const [b, o, t] = [labels(base), labels(ours), labels(theirs)];
  const merged: Recipient[] = [];
  let changed = false;
  for (const recipient of new Set([...o.keys(), ...t.keys()])) {
    const present = o.has(recipient) === b.has(recipient) ? t.has(recipient) : o.has(recipient);
    if (!present) {
      changed ||= o.has(recipient);
      continue;
    }
    const ol = o.get(recipient);
    const label = ol === undefined || (ol === b.get(recipient) && t.has(recipient)) ? (t.get(recipient) ?? null) : ol;
    changed ||= !o.has(recipient) || label !== ol;
    merged.push({ recipient, label });
  }
  if (!changed) return file;
  if (merged.length === 0 && o.size > 0) return null;
  const header = readHeader(file);
  if (header.version === null && header.recipients.length === 0 && readHeader(theirs).version !== null) return ensureHeader(file, merged);
  return setRecipients(file, merged);
}

/** How many comment-like lines the other side added that the merge result does not contain. */
function droppedLines(base: EnvFile, theirs: EnvFile, merged: EnvFile): number {
  const counts = (f: EnvFile): Map<string, number> => {
    const m = new Map<string, number>();
    for (const e of f.entries) if (e.kind === "comment" || e.kind === "divider" || e.kind === "section") m.set(e.text, (m.get(e.text) ?? 0) + 1);
    return m;
  };
  const [b, m] = [counts(base), counts(merged)];
  let dropped = 0;
  for (const [text, n] of counts(theirs)) dropped += Math.max(0, Math.min(n - (b.get(text) ?? 0), n - (m.get(text) ?? 0)));
  return dropped;
}
