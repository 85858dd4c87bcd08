/**
 * Canonical style (`fmt`, `--format`): header first, one blank line after it,
 * each section as divider + `# [name]`, one blank line between sections,
 * `KEY=value` without spaces around `=`, a final newline. Values are never
 * touched, so formatting never re-encrypts.
 */
import { type Entry, type EnvFile, DIVIDER, VERSION_LINE, fileEol, parseEnvFile } from "./envfile.js";

function canonicalLine(e: Entry): string {
  switch (e.kind) {
    case "assignment": {
      const comment = e.suffix.trim();
      return `${e.exported ? "export " : ""}${e.key}=${e.rawValue}${comment ? ` ${comment}` : ""}`;
    }
    case "version":
      return VERSION_LINE;
    case "recipient":
      return e.label ? `# recipient: ${e.recipient} ${e.label}` : `# recipient: ${e.recipient}`;
    case "section":
      return `# [${e.name}]`;
    default:
      return e.text.trim();
  }
}

/** Drops leading and trailing blank lines and folds runs of blank lines into one. */
function tidy(lines: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  for (const e of lines) {
    if (e.kind === "blank" && (out.length === 0 || out[out.length - 1]?.kind === "blank")) continue;
    out.push(e);
  }
  while (out[out.length - 1]?.kind === "blank") out.pop();
  return out;
}

/** Returns the canonical form of a file. */
export function formatEnvFile(file: EnvFile): EnvFile {
  const entries = file.entries;
  let headerEnd = 0;
  entries.forEach((e, i) => {
    if (e.kind === "version" || e.kind === "recipient") headerEnd = i + 1;
  });
  const head = entries.slice(0, headerEnd);
  const header = [...head.filter((e) => e.kind === "version").slice(0, 1), ...head.filter((e) => e.kind === "recipient")];

  // Comments among the header lines move below it, so a second run changes nothing.
  const blocks: Entry[][] = [head.filter((e) => e.kind === "comment")];
  for (const e of entries.slice(headerEnd)) {
    if (e.kind === "divider") continue;
    if (e.kind === "section") blocks.push([e]);
    else (blocks[blocks.length - 1] as Entry[]).push(e);
  }

  const lines: string[] = header.map(canonicalLine);
  // Exactly one blank line after the header, even when nothing follows yet.
  if (lines.length > 0) lines.push("");
  for (const [i, block] of blocks.entries()) {
    const body = tidy(i === 0 ? block : block.slice(1));
    if (i === 0 && body.length === 0) continue;
    if (lines.length > 0 && lines[lines.length - 1] !== "") lines.push("");
    if (i > 0) lines.push(DIVIDER, canonicalLine(block[0] as Entry));
    lines.push(...body.map(canonicalLine));
  }
  const eol = fileEol(file);
  return parseEnvFile(lines.length === 0 ? "" : lines.join(eol) + eol);
}
