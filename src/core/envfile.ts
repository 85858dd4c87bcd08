/**
 * The env-file model: a line-preserving parse of a dotenv file into entries,
 * and its exact inverse. `encodeEnvFile(parseEnvFile(text)) === text` for any
 * text, so commands change only the lines they mean to change.
 */
import { DOTENV_LINE, decodeRawValue } from "./dotenv.js";

/**
 * The line break after an entry: '' only for a last line with no final
 * newline. A lone CR is a line break too, as dotenv reads it.
 */
export type Eol = "\n" | "\r\n" | "\r" | "";

interface EntryBase {
  /** Source text without the final line break (inner breaks of multi-line values included). */
  readonly text: string;
  readonly eol: Eol;
  /** 1-based number of the entry's first line. */
  readonly line: number;
}

export interface BlankEntry extends EntryBase {
  readonly kind: "blank";
}
export interface CommentEntry extends EntryBase {
  readonly kind: "comment";
}
/** `# git-vault vN` in the header block. */
export interface VersionEntry extends EntryBase {
  readonly kind: "version";
  readonly version: number;
}
/** `# recipient: age1… [label]` in the header block. */
export interface RecipientEntry extends EntryBase {
  readonly kind: "recipient";
  readonly recipient: string;
  readonly label: string | null;
}
/** `# ----…` divider line. */
export interface DividerEntry extends EntryBase {
  readonly kind: "divider";
}
/** `# [name]` section header. */
export interface SectionEntry extends EntryBase {
  readonly kind: "section";
  readonly name: string;
}
/** A line dotenv would silently skip; commands reject it with its line number. */
export interface InvalidEntry extends EntryBase {
  readonly kind: "invalid";
}
/** `[export ]KEY=value`; `text === prefix + rawValue + suffix`. */
export interface Assignment extends EntryBase {
  readonly kind: "assignment";
  readonly key: string;
  readonly exported: boolean;
  /** Everything before the value: indentation, `export `, key, separator. */
  readonly prefix: string;
  /** The value as written (quotes included, surrounding blanks excluded). */
  readonly rawValue: string;
  /** Everything after the value on its last line: blanks and an inline comment. */
  readonly suffix: string;
  /** The value as dotenv reads it. */
  readonly value: string;
  /** The section the key belongs to (latest `# [name]` above it), or null. */
  readonly section: string | null;
}

export type Entry =
  | BlankEntry
  | CommentEntry
  | VersionEntry
  | RecipientEntry
  | DividerEntry
  | SectionEntry
  | InvalidEntry
  | Assignment;

/** A parsed env file: its entries in order. */
export interface EnvFile {
  readonly entries: readonly Entry[];
}

/** The canonical divider line that opens a section. */
export const DIVIDER = `# ${"-".repeat(78)}`;
/** The version line this implementation writes. */
export const VERSION_LINE = "# git-vault v1";
/** The only format version this implementation reads. */
export const FORMAT_VERSION = 1;

const VERSION_RE = /^#\s*git-vault\s+v(\d+)\s*$/;
const RECIPIENT_RE = /^#\s*recipient:\s*(\S+)(?:\s+(.*?))?\s*$/;
const DIVIDER_RE = /^#\s*-{10,}\s*$/;
const SECTION_RE = /^#\s*\[([a-z0-9][a-z0-9_-]*)\]\s*$/;
/** A section name as `--section` accepts it. */
export const SECTION_NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

interface PhysicalLine {
  readonly content: string;
  readonly eol: Eol;
}

function splitLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) {
    lines.push({ content: text.slice(start, m.index), eol: m[0] as Eol });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ content: text.slice(start), eol: "" });
  return lines;
}

/** Length of the separator after a key when no value follows (lazy forms of dotenv's `\s*=\s*?|:\s+?`). */
function separatorLength(joined: string, keyEnd: number): number {
  return /^\s*=|^:\s/.exec(joined.slice(keyEnd, keyEnd + 256))?.[0].length ?? 1;
}

/** Index of the line containing `offset` of the LF-joined text. */
function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** An entry's kind and kind-specific fields, without its position and text. */
type EntryBody = Entry extends infer E ? (E extends Entry ? Omit<E, "text" | "eol" | "line"> : never) : never;

function classifyComment(content: string, inHeader: boolean): Exclude<EntryBody, { kind: "assignment" }> {
  const trimmed = content.trim();
  if (trimmed === "") return { kind: "blank" };
  if (!trimmed.startsWith("#")) return { kind: "invalid" };
  let m: RegExpExecArray | null;
  if (inHeader && (m = VERSION_RE.exec(trimmed))) return { kind: "version", version: Number(m[1]) };
  if (inHeader && (m = RECIPIENT_RE.exec(trimmed))) {
    return { kind: "recipient", recipient: m[1] as string, label: m[2] ? m[2] : null };
  }
  if (DIVIDER_RE.test(trimmed)) return { kind: "divider" };
  if ((m = SECTION_RE.exec(trimmed))) return { kind: "section", name: m[1] as string };
  return { kind: "comment" };
}

/** Parses env-file text. Never throws: lines dotenv would skip become `invalid` entries. */
export function parseEnvFile(text: string): EnvFile {
  const lines = splitLines(text);
  const starts: number[] = [];
  let offset = 0;
  for (const l of lines) {
    starts.push(offset);
    offset += l.content.length + 1;
  }
  // dotenv reads the text with every line break as LF, the final one included:
  // a last `KEY:` takes it as the separator's whitespace (`:\s+?`).
  const final = lines.length > 0 && (lines[lines.length - 1] as PhysicalLine).eol !== "" ? "\n" : "";
  const joined = lines.map((l) => l.content).join("\n") + final;

  // Assignments found by dotenv's own expression, as [first line, last line, match].
  const spans: { first: number; last: number; match: RegExpExecArray }[] = [];
  const re = new RegExp(DOTENV_LINE.source, DOTENV_LINE.flags);
  let match: RegExpExecArray | null;
  while ((match = re.exec(joined)) !== null) {
    if (match[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const lead = match[0].length - match[0].trimStart().length;
    const first = lineAt(starts, match.index + lead);
    const valueSpan = match.indices?.[2];
    const keyEnd = (match.indices?.[1] as [number, number])[1];
    const lastChar = valueSpan ? valueSpan[1] - 1 : keyEnd + separatorLength(joined, keyEnd) - 1;
    spans.push({ first, last: lineAt(starts, lastChar), match });
  }

  const entries: Entry[] = [];
  let inHeader = true;
  let section: string | null = null;
  let i = 0;
  let spanIndex = 0;
  while (i < lines.length) {
    // A match can only start on a line not yet consumed; skip any that cannot.
    while ((spans[spanIndex]?.first ?? Infinity) < i) spanIndex++;
    const span = spans[spanIndex];
    if (span !== undefined && span.first === i) {
      const entry = assignmentFrom(lines, starts, joined, span, section);
      entries.push(entry);
      inHeader = false;
      i = span.last + 1;
      spanIndex++;
      continue;
    }
    const line = lines[i] as PhysicalLine;
    const kind = classifyComment(line.content, inHeader);
    if (kind.kind === "section") {
      section = kind.name;
      inHeader = false;
    } else if (kind.kind === "invalid") {
      inHeader = false;
    }
    entries.push({ ...kind, text: line.content, eol: line.eol, line: i + 1 });
    i++;
  }
  return { entries };
}

function assignmentFrom(
  lines: readonly PhysicalLine[],
  starts: readonly number[],
  joinedText: string,
  span: { first: number; last: number; match: RegExpExecArray },
  section: string | null,
): Assignment {
  const { first, last, match } = span;
  // Offsets in the LF-joined text map to the entry's own text line by line.
  let text = "";
  const toEntry = (joinedOffset: number): number => {
    const li = lineAt(starts, joinedOffset);
    let pos = 0;
    for (let j = first; j < li; j++) pos += (lines[j] as PhysicalLine).content.length + (lines[j] as PhysicalLine).eol.length;
    return pos + (joinedOffset - (starts[li] as number));
  };
  for (let j = first; j <= last; j++) {
    const l = lines[j] as PhysicalLine;
    text += l.content + (j < last ? l.eol : "");
  }
  const indices = match.indices as RegExpIndicesArray;
  const keySpan = indices[1] as [number, number];
  const valueSpan = indices[2];
  const key = match[1] as string;
  const raw = match[2] ?? "";
  let valueStart: number;
  let valueEnd: number;
  if (valueSpan === undefined) {
    // No value: the prefix runs to the end of the separator.
    valueStart = toEntry(keySpan[1] + separatorLength(joinedText, keySpan[1]));
    valueEnd = valueStart;
  } else {
    const leading = /^[ \t]*/.exec(raw)?.[0].length ?? 0;
    const trailing = raw.length - raw.trimEnd().length;
    valueStart = toEntry(valueSpan[0] + leading);
    valueEnd = toEntry(valueSpan[1] - trailing);
    if (valueEnd < valueStart) valueEnd = valueStart;
  }
  return {
    kind: "assignment",
    text,
    eol: (lines[last] as PhysicalLine).eol,
    line: first + 1,
    key,
    exported: /^\s*export\s/.test(text),
    prefix: text.slice(0, valueStart),
    rawValue: text.slice(valueStart, valueEnd),
    suffix: text.slice(valueEnd),
    value: decodeRawValue(raw),
    section,
  };
}

/** Whether a line is a merge conflict marker (`<<<<<<<`, `|||||||`, `=======`, `>>>>>>>`). */
export function isConflictMarker(text: string): boolean {
  return /^(<{7}|\|{7}|={7}|>{7})(\s|$)/.test(text);
}

/** Writes entries back to text; the exact inverse of `parseEnvFile`. */
export function encodeEnvFile(file: EnvFile): string {
  let out = "";
  for (const e of file.entries) out += e.text + e.eol;
  return out;
}

/** All assignments, in file order. */
export function assignments(file: EnvFile): Assignment[] {
  return file.entries.filter((e): e is Assignment => e.kind === "assignment");
}

/** The effective assignment of a key (dotenv: the last one wins), or undefined. */
export function findAssignment(file: EnvFile, key: string): Assignment | undefined {
  let found: Assignment | undefined;
  for (const e of file.entries) if (e.kind === "assignment" && e.key === key) found = e;
  return found;
}

/** The effective assignment of every key, in order of first appearance. */
export function effectiveAssignments(file: EnvFile): Assignment[] {
  const byKey = new Map<string, Assignment>();
  for (const a of assignments(file)) {
    if (byKey.has(a.key)) byKey.delete(a.key);
    byKey.set(a.key, a);
  }
  return [...byKey.values()].sort((a, b) => a.line - b.line);
}

/** Keys assigned more than once (earlier lines are kept but ignored). */
export function duplicateKeys(file: EnvFile): string[] {
  const seen = new Map<string, number>();
  for (const a of assignments(file)) seen.set(a.key, (seen.get(a.key) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

/** Entries dotenv would skip, for commands that reject malformed files. */
export function invalidEntries(file: EnvFile): InvalidEntry[] {
  return file.entries.filter((e): e is InvalidEntry => e.kind === "invalid");
}

/** The line break of the file's first line ('\n' when it has none). */
export function fileEol(file: EnvFile): "\n" | "\r\n" | "\r" {
  for (const e of file.entries) if (e.eol !== "") return e.eol;
  return "\n";
}

/** Renumbers lines after entries were added, removed or changed. */
export function renumber(entries: readonly Entry[]): EnvFile {
  let line = 1;
  const out: Entry[] = [];
  for (const e of entries) {
    out.push(e.line === line ? e : { ...e, line });
    line += 1 + countBreaks(e.text);
  }
  return { entries: out };
}

function countBreaks(text: string): number {
  return text.match(/\r\n|\n|\r/g)?.length ?? 0;
}

/** An assignment with a new raw value; prefix, suffix and line break are kept. */
export function withRawValue(a: Assignment, rawValue: string, value: string): Assignment {
  const text = a.prefix + rawValue + a.suffix;
  return { ...a, text, rawValue, value };
}

/** A plain entry built from one line of text (for inserted lines). */
export function lineEntry(text: string, eol: Eol, section: string | null = null): Entry {
  const parsed = parseEnvFile(text).entries[0];
  if (parsed === undefined) return { kind: "blank", text, eol, line: 0 };
  return parsed.kind === "assignment" ? { ...parsed, eol, section } : { ...parsed, eol };
}
