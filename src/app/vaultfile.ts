/**
 * Reading an env file from disk into the model and rejecting what commands
 * must not work on (malformed lines, unknown format versions, bad recipients),
 * with file and line in every message.
 */
import { readFileSync } from "node:fs";
import { type EnvFile, FORMAT_VERSION, duplicateKeys, invalidEntries, isConflictMarker, parseEnvFile } from "../core/envfile.js";
import { readHeader, recipientList } from "../core/recipients.js";
import { decodeUtf8Strict } from "../core/text.js";
import { decodeBech32 } from "../crypto/bech32.js";
import { VaultError } from "../errors.js";
import { type Context, warn } from "./context.js";

/** An env file as read from disk. */
export interface LoadedFile {
  readonly path: string;
  readonly display: string;
  /** The bytes as read ('' for a file that does not exist yet). */
  readonly text: string;
  readonly file: EnvFile;
  readonly exists: boolean;
}

const RECIPIENT_RE = /^age1[02-9ac-hj-np-z]{58}$/;

/** Reads and parses an env file; a missing file is returned empty when `allowMissing`. */
export function loadEnvFile(path: string, display: string, options: { allowMissing?: boolean } = {}): LoadedFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && options.allowMissing) return { path, display, text: "", file: parseEnvFile(""), exists: false };
    if (code === "ENOENT") {
      throw new VaultError("file-missing", `${display}: no such env file`, {
        hint: "check --env / --file, or create it with `git vault set KEY`",
      });
    }
    throw new VaultError("file-unreadable", `${display}: cannot be read (${code ?? "error"})`);
  }
  const text = decodeEnvText(bytes, display);
  return { path, display, text, file: parseEnvFile(text), exists: true };
}

/** Env files are UTF-8 text; anything else is refused (rewriting it would change bytes), naming the first bad line. */
export function decodeEnvText(bytes: Buffer, display: string): string {
  const text = decodeUtf8Strict(bytes);
  if (text !== null) return text;
  // 0x0A never occurs inside a multi-byte UTF-8 character, so lines can be checked one by one.
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl === -1 ? bytes.length : nl;
    if (decodeUtf8Strict(bytes.subarray(start, end)) === null) break;
    start = end + 1;
  }
  throw new VaultError("file-not-utf8", `${display}:${line}: not valid UTF-8 text`, { hint: "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)" });
}

/** The lines git writes around a conflict: <<<<<<<, |||||||, =======, >>>>>>>. */

/**
 * Rejects files commands must not change or trust: lines dotenv would skip,
 * an unknown format version, malformed recipient lines. Warns about duplicate keys.
 */
export function validateEnvFile(ctx: Context, loaded: LoadedFile): void {
  const { file, display } = loaded;
  const invalid = invalidEntries(file)[0];
  if (invalid !== undefined) {
    if (isConflictMarker(invalid.text)) {
      throw new VaultError("malformed-line", `${display}:${invalid.line}: unresolved merge conflict (a conflict marker line)`, {
        hint: `resolve it: \`git vault textconv ${display}\` shows both sides in plaintext; keep one line per key and delete the marker lines`,
      });
    }
    throw new VaultError("malformed-line", `${display}:${invalid.line}: not a KEY=value line, comment or blank line`, {
      hint: "fix or comment out that line (dotenv would silently ignore it)",
    });
  }
  const { version } = readHeader(file);
  if (version !== null && version.version !== FORMAT_VERSION) {
    throw new VaultError("unknown-format-version", `${display}:${version.line}: format v${version.version} is not supported (this git-vault reads v${FORMAT_VERSION})`, {
      hint: "upgrade git-vault",
    });
  }
  const bad = invalidRecipientLines(file)[0];
  if (bad !== undefined) throw new VaultError("bad-recipient", `${display}:${bad.line}: ${bad.problem}`, { hint: RECIPIENT_FIX });
  const dupes = duplicateKeys(file);
  if (dupes.length > 0) warn(ctx, `${display}: duplicate keys ${dupes.join(", ")}: the last line of each wins, earlier lines are kept`);
}

const RECIPIENT_FIX = "fix or remove that recipient line: copy the recipient again from its owner's `git vault keys show`";

/** A recipient line that names no valid age X25519 recipient. */
export interface RecipientProblem {
  readonly line: number;
  readonly problem: string;
}

/**
 * Recipient lines that are no valid age X25519 recipient: wrong characters or
 * length, or a bech32 checksum that fails (a typo), in line order.
 */
export function invalidRecipientLines(file: EnvFile): RecipientProblem[] {
  const problems: RecipientProblem[] = [];
  for (const r of readHeader(file).recipients) {
    if (!RECIPIENT_RE.test(r.recipient)) {
      problems.push({ line: r.line, problem: "not an age X25519 recipient (age1…)" });
      continue;
    }
    const decoded = decodeBech32(r.recipient);
    if (decoded?.prefix !== "age" || decoded.bytes.length !== 32) {
      problems.push({ line: r.line, problem: "not a valid age recipient: its checksum does not match (a typo or a truncated copy?)" });
    }
  }
  return problems;
}

/** The recipients of a file; an error when it lists none. */
export function requireRecipients(loaded: LoadedFile): string[] {
  const list = recipientList(readHeader(loaded.file));
  if (list.length === 0) {
    throw new VaultError("no-recipients", `${loaded.display}: lists no recipients`, {
      hint: "add one with `git vault recipients add age1…`",
    });
  }
  return list;
}
