/**
 * The shapes `export` prints decrypted pairs in: dotenv, JSON, POSIX shell,
 * a Kubernetes Secret and GitHub Actions' `$GITHUB_ENV`. Pure functions of
 * the pairs; every encoder either represents each value exactly or throws an
 * {@link ExportError} naming the key (never the value).
 */
import { encodeRawValue } from "./dotenv.js";

/** The formats of `export --format`. */
export const EXPORT_FORMATS = ["dotenv", "json", "shell", "k8s", "github"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A key/plaintext pair, in file order. */
export type Pair = readonly [key: string, value: string];

/** A pair the format cannot hold; names the key and why, never the value. */
export class ExportError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${key}: ${reason}`);
  }
}

/** `KEY=value` lines that the `dotenv` package parses back to exactly these pairs. */
export function encodeDotenv(pairs: readonly Pair[]): string {
  return pairs
    .map(([key, value]) => {
      // Written raw, `import` (and a process given the file) could not take it back.
      if (value.includes("\0")) throw new ExportError(key, "the value holds a NUL byte, which a dotenv file cannot carry (import refuses it)");
      try {
        return `${key}=${encodeRawValue(value)}\n`;
      } catch {
        throw new ExportError(key, "the value cannot be written in dotenv syntax (it holds all three quote characters and a line break or `#`)");
      }
    })
    .join("");
}

/** A JSON object of the pairs, two-space indented, final newline. */
export function encodeJson(pairs: readonly Pair[]): string {
  return `${JSON.stringify(Object.fromEntries(pairs), null, 2)}\n`;
}

const SHELL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `export KEY='value'` lines that `sh` (dash, POSIX) and `bash` `eval` back to
 * the exact bytes: inside single quotes nothing is special, and each `'` is
 * written as `'\''`. A NUL byte cannot be held by a shell variable.
 */
export function encodeShell(pairs: readonly Pair[]): string {
  return pairs
    .map(([key, value]) => {
      if (!SHELL_NAME_RE.test(key)) throw new ExportError(key, "not a shell variable name (letters, digits and '_', not starting with a digit)");
      if (value.includes("\0")) throw new ExportError(key, "the value holds a NUL byte, which no shell variable can hold");
      return `export ${key}='${value.replace(/'/g, `'\\''`)}'\n`;
    })
    .join("");
}

/** A Kubernetes object name: a DNS subdomain (lowercase letters, digits, '-', '.'; at most 253). */
export const K8S_NAME_RE = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A Kubernetes namespace: a DNS label (at most 63). */
export const K8S_NAMESPACE_RE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A `v1` `Secret` manifest (type Opaque) with base64 `data`, for `kubectl
 * apply -f -`. Keys and names are written as JSON strings, which YAML reads
 * as the same strings (a key like `true` or `0123` stays a string).
 */
export function encodeK8sSecret(pairs: readonly Pair[], meta: { name: string; namespace?: string | undefined }): string {
  const lines = ["apiVersion: v1", "kind: Secret", "metadata:", `  name: ${JSON.stringify(meta.name)}`];
  if (meta.namespace !== undefined) lines.push(`  namespace: ${JSON.stringify(meta.namespace)}`);
  lines.push("type: Opaque");
  if (pairs.length === 0) lines.push("data: {}");
  else {
    lines.push("data:");
    for (const [key, value] of pairs) lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(Buffer.from(value, "utf8").toString("base64"))}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The multi-line form GitHub Actions reads from `$GITHUB_ENV`:
 * `KEY<<DELIM`, the value, `DELIM`. The delimiter comes from `randomDelimiter`
 * and is drawn again until no value contains it.
 */
export function encodeGithubEnv(pairs: readonly Pair[], randomDelimiter: () => string): string {
  let delimiter = randomDelimiter();
  while (pairs.some(([k, v]) => v.includes(delimiter) || k.includes(delimiter))) delimiter = randomDelimiter();
  return pairs
    .map(([key, value]) => {
      if (key.includes("=") || /[\r\n]/.test(key)) throw new ExportError(key, "not a name GitHub Actions accepts");
      if (value.includes("\0")) throw new ExportError(key, "the value holds a NUL byte, which no environment variable can hold");
      return `${key}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join("");
}
