/**
 * Encrypted values (format v1): `encrypted:gv1:<fingerprint>:<base64 age file>`,
 * and the payload inside the age file, `KEY=value`, which binds the value to
 * its key. See docs/FORMAT.md.
 */
import { Secret } from "./secret.js";

/** The prefix that marks an encrypted value of format v1. */
export const ENCRYPTED_PREFIX = "encrypted:gv1:";
const ENCRYPTED_RE = /^encrypted:gv(\d+):([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})$/;
const AGE_MAGIC = Buffer.from("age-encryption.org/v1\n");
const ANY_ENCRYPTED_RE = /^encrypted:gv(\d+):/;
// Stateless when decode() is called without { stream: true }, so one of each serves every value.
const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder("utf-8", { fatal: false });
// Values are text: a payload whose value bytes are not UTF-8 is refused, not mangled into U+FFFD.
const STRICT_UTF8_DECODER = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** An encrypted value split into its parts. */
export interface EncryptedValue {
  /** Short fingerprint of the recipient set the value was encrypted to. */
  readonly fingerprint: string;
  /** The binary age file. */
  readonly ageFile: Uint8Array;
}

/** What a value on a line is: plaintext, encrypted (v1), or something off-spec. */
export type ValueState =
  | { readonly kind: "empty" }
  | { readonly kind: "plaintext" }
  | { readonly kind: "encrypted"; readonly value: EncryptedValue }
  | { readonly kind: "unknown-version"; readonly version: number }
  | { readonly kind: "malformed" };

/**
 * Whether a value claims to be encrypted (any format version), without
 * decoding it: what classifyValue calls neither "empty" nor "plaintext".
 */
export function looksEncrypted(value: string): boolean {
  return ANY_ENCRYPTED_RE.test(value);
}

/** Classifies a dotenv-parsed value without decrypting it. */
export function classifyValue(value: string): ValueState {
  if (value === "") return { kind: "empty" };
  const any = ANY_ENCRYPTED_RE.exec(value);
  if (any === null) return { kind: "plaintext" };
  const version = Number(any[1]);
  if (version !== 1) return { kind: "unknown-version", version };
  const m = ENCRYPTED_RE.exec(value);
  if (m === null) return { kind: "malformed" };
  const ageFile = Buffer.from(m[3] as string, "base64");
  // Node's decoder skips bad characters; a round trip proves the text was exact.
  if (ageFile.toString("base64") !== m[3]) return { kind: "malformed" };
  if (!ageFile.subarray(0, AGE_MAGIC.length).equals(AGE_MAGIC)) return { kind: "malformed" };
  // A copy: a small Buffer is a view of Node's shared pool, which holds other buffers' bytes.
  return { kind: "encrypted", value: { fingerprint: m[2] as string, ageFile: new Uint8Array(ageFile) } };
}

/** What a value is without a private key: `stale` when encrypted to another recipient set than the file's. */
export type StaticState = "encrypted" | "stale" | "plaintext" | "empty" | "malformed" | "unknown-version";

/** The {@link StaticState} of a value, given the short fingerprint of its file's recipient set. */
export function staticState(value: string, currentFingerprint: string): StaticState {
  const state = classifyValue(value);
  if (state.kind !== "encrypted") return state.kind;
  return state.value.fingerprint === currentFingerprint ? "encrypted" : "stale";
}

/** Encodes an encrypted value for a `KEY=` line. */
export function encodeEncryptedValue(fingerprint: string, ageFile: Uint8Array): string {
  return `${ENCRYPTED_PREFIX}${fingerprint}:${Buffer.from(ageFile).toString("base64")}`;
}

/** The bytes encrypted for a key: `KEY=` followed by the value's UTF-8 bytes. */
export function encodePayload(key: string, value: Secret): Uint8Array {
  return UTF8_ENCODER.encode(`${key}=${value.reveal()}`);
}

/** Result of opening a payload: the value, or the key it was really bound to. */
export type OpenedPayload =
  | { readonly ok: true; readonly value: Secret }
  | { readonly ok: false; readonly problem: "key-binding"; readonly boundKey: string | null }
  | { readonly ok: false; readonly problem: "not-utf8" };

/** Checks the payload is bound to `key` and returns its value, which must be UTF-8 text. */
export function decodePayload(key: string, payload: Uint8Array): OpenedPayload {
  const eq = payload.indexOf(0x3d); // "=": key names are ASCII, so the first one ends the key
  if (eq <= 0) return { ok: false, problem: "key-binding", boundKey: null };
  const bound = UTF8_DECODER.decode(payload.subarray(0, eq));
  if (bound !== key) return { ok: false, problem: "key-binding", boundKey: /^[\w.-]+$/.test(bound) ? bound : null };
  try {
    return { ok: true, value: new Secret(STRICT_UTF8_DECODER.decode(payload.subarray(eq + 1))) };
  } catch {
    return { ok: false, problem: "not-utf8" };
  }
}
