/**
 * dotenv value rules, kept byte-for-byte compatible with the `dotenv` package
 * (the same LINE expression and value post-processing), so that every reader
 * of these files agrees on what a plaintext value is. No variable expansion
 * and no command substitution, ever.
 */

/**
 * The `dotenv` package's LINE expression, verbatim, plus the `d` flag so the
 * parser learns where each group starts and ends.
 */
export const DOTENV_LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

/** A key name as dotenv accepts it. */
export const KEY_PATTERN = /^[\w.-]+$/;

/**
 * An env name (the NAME of `.env.NAME`): letters, digits, `.`, `_` and `-`,
 * at most 64 characters, so that the file, its lock and the lock's
 * temporary name stay within a file system's 255 bytes, and the HTTP API
 * (`/v1/secrets/NAME`) takes every name the CLI does.
 */
export const ENV_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Decodes a raw value (the LINE expression's second group) the way dotenv does. */
export function decodeRawValue(raw: string): string {
  let value = raw.trim();
  const maybeQuote = value[0];
  value = value.replace(/^(['"`])([\s\S]*)\1$/gm, "$2");
  if (maybeQuote === '"') {
    value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
  }
  return value;
}

const BARE_SAFE = /^[\w.,:;/@+=%~^!$&*?|<>()[\]{}-]+$/;

/**
 * Lines after the one being checked that end in each quote character: a
 * quote the candidate leaves open (or closes with an escaped quote) would
 * close at one of them, so the match would reach into them.
 */
const HOSTILE_NEXT_LINES = "\nX='\nY=\"\nZ=`\n";

/**
 * Parses `KEY=raw` as dotenv parses a file (every CR or CRLF read as LF) and
 * returns its value, or null when dotenv would not read it as exactly one
 * assignment that ends on its own lines, whatever line follows it in a file.
 */
function reparse(raw: string): string | null {
  const line = `K=${raw}`.replace(/\r\n?/g, "\n");
  DOTENV_LINE.lastIndex = 0;
  const match = DOTENV_LINE.exec(line + HOSTILE_NEXT_LINES);
  DOTENV_LINE.lastIndex = 0;
  if (match === null || match.index !== 0) return null;
  const end = match.index + match[0].length;
  // The whole text must be one assignment: nothing may follow the match on
  // its lines, and the match may not run into the next line.
  if (end > line.length || line.slice(end).trim() !== "") return null;
  return decodeRawValue(match[2] ?? "");
}

/**
 * Encodes a plaintext value as dotenv source text that dotenv reads back as
 * exactly that value: bare when safe, else single, backtick or double quotes.
 * Throws a RangeError when no dotenv syntax can represent the value.
 */
export function encodeRawValue(value: string): string {
  // No quote, `#`, backslash, CR or white space: dotenv reads these back as they are.
  if (BARE_SAFE.test(value)) return value;
  const candidates = [
    value,
    `'${value}'`,
    `\`${value}\``,
    `"${value.replace(/\r/g, "\\r").replace(/\n/g, "\\n")}"`,
  ];
  for (const candidate of candidates) {
    if (reparse(candidate) === value) return candidate;
  }
  throw new RangeError("value cannot be written in dotenv syntax");
}
