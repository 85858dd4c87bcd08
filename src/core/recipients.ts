/**
 * Recipient sets: the header's recipient lines, their fingerprint, and edits
 * to the header that keep every unrelated byte.
 */
import { createHash } from "node:crypto";
import {
  type EnvFile,
  type Entry,
  type RecipientEntry,
  type VersionEntry,
  VERSION_LINE,
  encodeEnvFile,
  fileEol,
  lineEntry,
  parseEnvFile,
  renumber,
} from "./envfile.js";

/** A recipient as listed in a file header. */
export interface Recipient {
  readonly recipient: string;
  readonly label: string | null;
}

/** The header of a file: its format version (null when absent) and recipients. */
export interface Header {
  readonly version: VersionEntry | null;
  readonly recipients: readonly RecipientEntry[];
}

/** Reads the header block of a file. */
export function readHeader(file: EnvFile): Header {
  let version: VersionEntry | null = null;
  const recipients: RecipientEntry[] = [];
  for (const e of file.entries) {
    if (e.kind === "version" && version === null) version = e;
    if (e.kind === "recipient") recipients.push(e);
  }
  return { version, recipients };
}

/** The distinct recipient strings of a header, in header order. */
export function recipientList(header: Header): string[] {
  return [...new Set(header.recipients.map((r) => r.recipient))];
}

/**
 * Fingerprint of a recipient set: SHA-256 over the sorted, distinct recipient
 * strings joined by "\n", in hex. Labels and order do not count.
 */
export function fingerprintRecipients(recipients: readonly string[]): string {
  const sorted = [...new Set(recipients)].sort();
  return createHash("sha256").update(sorted.join("\n")).digest("hex");
}

/** The 8-hex-digit form of a recipient-set fingerprint stored on every value. */
export function shortFingerprint(recipients: readonly string[]): string {
  return fingerprintRecipients(recipients).slice(0, 8);
}

function recipientLine(r: Recipient): string {
  return r.label ? `# recipient: ${r.recipient} ${r.label}` : `# recipient: ${r.recipient}`;
}

/**
 * Adds a header (version line, recipient lines, one blank line) to a file that
 * has none; a file that has one is returned unchanged.
 */
export function ensureHeader(file: EnvFile, recipients: readonly Recipient[]): EnvFile {
  if (readHeader(file).version !== null) return file;
  const eol = fileEol(file);
  // A byte-order mark (Windows editors write one) stays the first character of
  // the file, before the header, not at the start of what was the first line.
  const text = encodeEnvFile(file);
  const bom = text.startsWith(BOM) ? BOM : "";
  const body = bom === "" ? file.entries : parseEnvFile(text.slice(1)).entries;
  const lines = [bom + VERSION_LINE, ...recipients.map(recipientLine)].map((t) => lineEntry(t, eol));
  // Canonical layout: one blank line between the header and the rest.
  return renumber([...lines, lineEntry("", eol), ...body]);
}

const BOM = "\uFEFF";

/**
 * The file with the recipient line of `from` replaced, where it stands, by one
 * for `to` (what `rotate` does to this device's line: one changed line in the
 * diff). Another line already listing `to` is dropped. A file that does not
 * list `from` is returned as it is.
 */
export function replaceRecipient(file: EnvFile, from: string, to: Recipient): EnvFile {
  const out: Entry[] = [];
  let replaced = false;
  for (const e of file.entries) {
    if (e.kind === "recipient" && (e.recipient === from || e.recipient === to.recipient)) {
      if (e.recipient === from && !replaced) out.push(lineEntry(recipientLine(to), e.eol));
      replaced ||= e.recipient === from;
      continue;
    }
    out.push(e);
  }
  return replaced ? renumber(out) : file;
}

/**
 * Sets the recipient lines to exactly `recipients`: lines of kept recipients
 * stay as they are (a new label replaces the old one), removed ones are
 * dropped, added ones go after the last recipient line.
 */
export function setRecipients(file: EnvFile, recipients: readonly Recipient[]): EnvFile {
  const wanted = new Map(recipients.map((r) => [r.recipient, r]));
  const eol = fileEol(file);
  const present = new Set<string>();
  const out: Entry[] = [];
  let anchor = -1;
  for (const e of file.entries) {
    if (e.kind === "recipient") {
      const keep = wanted.get(e.recipient);
      if (keep === undefined || present.has(e.recipient)) continue;
      present.add(e.recipient);
      const label = keep.label ?? e.label;
      out.push(label === e.label ? e : { ...lineEntry(recipientLine({ recipient: e.recipient, label }), e.eol) });
      anchor = out.length - 1;
      continue;
    }
    if (e.kind === "version" && anchor === -1) anchor = out.length;
    out.push(e);
  }
  const added = recipients.filter((r) => !present.has(r.recipient)).map((r) => lineEntry(recipientLine(r), eol));
  if (added.length > 0) {
    const at = anchor + 1;
    // Inserting after a last line that has no line break: give that line one.
    const before = out[at - 1];
    if (before !== undefined && before.eol === "" && at === out.length) {
      out[at - 1] = { ...before, eol };
      const last = added[added.length - 1] as Entry;
      added[added.length - 1] = { ...last, eol: "" };
    }
    out.splice(at, 0, ...added);
  }
  return renumber(out);
}
