/**
 * age's native X25519 recipient type (C2SP age, "X25519 recipient stanza"),
 * on node:crypto instead of age-encryption's WebCrypto and noble code paths:
 * synchronous, and parsed keys are cached as KeyObjects for the process.
 * Only the key wrapping lives here; age-encryption still does the file format
 * (index.ts adapts these types to its Recipient and Identity interfaces).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from "node:crypto";
import { decodeBech32, encodeBech32 } from "./bech32.js";
import { CryptoError } from "./error.js";
import { hkdf, sha256 } from "./primitives/hashes.js";

const RECIPIENT_PREFIX = "age";
const IDENTITY_PREFIX = "AGE-SECRET-KEY-";
const STANZA_TYPE = "X25519";
const KEY_INFO = "age-encryption.org/v1/X25519";
const ZERO_NONCE = new Uint8Array(12);
const ALL_ZERO = new Uint8Array(32);
// Keys go in and out of node:crypto as JWK: OpenSSL then makes them from raw
// bytes directly, while DER (PKCS #8, SPKI) goes through its decoder and
// encoder registries, ~10x slower per key and ~1 ms more for the first one.
// PKCS #8 stays as the fallback for private keys (see privateKeyFromRaw).
const PKCS8_PREFIX = Uint8Array.of(
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
);
// Parsed keys are immutable apart from a stanza-order hint, so a plain
// per-process cache is safe; the bound only stops unbounded growth.
const CACHE_LIMIT = 1024;

/** The parts of an age header stanza that X25519 reads and writes. */
export interface StanzaParts {
  readonly args: readonly string[];
  readonly body: Uint8Array;
}

function concat(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.concat([a, b]);
}

function base64url(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64url");
}

function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: base64url(raw) }, format: "jwk" });
}

function privateKeyFromRaw(raw: Uint8Array): KeyObject {
  // A private OKP JWK must have an `x`, which Node 20 requires as a string and
  // does not use (the public key is derived from `d`). A Node that checked it
  // would refuse the empty one: PKCS #8 then, which needs no public key.
  try {
    return createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: base64url(raw), x: "" }, format: "jwk" });
  } catch {
    return createPrivateKey({ key: concat(PKCS8_PREFIX, raw), format: "der", type: "pkcs8" });
  }
}

// An ephemeral key's public half is asked for while generating it, as JWK.
// Exporting a generated key afterwards (key.export) is not used: on Node 20,
// a garbage collection inside export() can destroy the finished key-generation
// job, which then waits on a lock the same thread holds (seen in the
// benchmark: encrypt hung at 0% CPU; gdb showed the main thread in ExportJWK).
// Encoding inside generateKeyPairSync happens while the job is still alive.
// JWK rather than SPKI DER: the DER encoding costs ~0.1 ms more per key.
// Node returns the private key as a KeyObject when only publicKeyEncoding is
// given; @types/node has no overload for that mix.
const generateEphemeral = generateKeyPairSync as unknown as (
  type: "x25519",
  options: { publicKeyEncoding: { format: "jwk" } },
) => { publicKey: { x?: string }; privateKey: KeyObject };

function rawPublicKey(key: KeyObject): Buffer {
  const raw = Buffer.from(key.export({ format: "jwk" }).x ?? "", "base64url");
  if (raw.length !== 32) throw new Error("node:crypto gave an X25519 public key that is not 32 bytes");
  return raw;
}

/** X25519 that refuses the all-zero output of low-order points, as age requires. */
function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Buffer | null {
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey, publicKey });
  } catch {
    return null; // OpenSSL itself fails the derivation on an all-zero result
  }
  return secret.length === ALL_ZERO.length && !timingSafeEqual(secret, ALL_ZERO) ? secret : null;
}

function wrapKey(secret: Uint8Array, share: Uint8Array, recipient: Uint8Array): Buffer {
  return Buffer.from(hkdf(sha256, secret, concat(share, recipient), KEY_INFO, 32));
}

function sealFileKey(key: Uint8Array, fileKey: Uint8Array): Buffer {
  const cipher = createCipheriv("chacha20-poly1305", key, ZERO_NONCE, { authTagLength: 16 });
  return Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
}

function openFileKey(key: Uint8Array, body: Uint8Array): Buffer | null {
  const decipher = createDecipheriv("chacha20-poly1305", key, ZERO_NONCE, { authTagLength: 16 });
  decipher.setAuthTag(body.subarray(16));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, 16)), decipher.final()]);
  } catch {
    return null;
  }
}

function encodeBase64NoPad(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/=+$/, "");
}

/** Strict unpadded base64 (Node's decoder alone skips junk and non-zero trailing bits). */
function decodeBase64NoPad(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, "base64");
  return encodeBase64NoPad(bytes) === text ? bytes : null;
}

/** A parsed X25519 recipient (public key), ready to wrap file keys. */
export class X25519Recipient {
  readonly #publicKey: KeyObject;
  readonly #bytes: Uint8Array;

  constructor(publicKey: KeyObject, bytes: Uint8Array) {
    this.#publicKey = publicKey;
    this.#bytes = bytes;
  }

  /** Wraps a file key in a `-> X25519 <share>` stanza with a fresh ephemeral key. */
  wrapFileKey(fileKey: Uint8Array): StanzaParts {
    const ephemeral = generateEphemeral("x25519", { publicKeyEncoding: { format: "jwk" } });
    const share = Buffer.from(ephemeral.publicKey.x ?? "", "base64url");
    if (share.length !== 32) throw new Error("node:crypto gave an X25519 public key that is not 32 bytes");
    const secret = sharedSecret(ephemeral.privateKey, this.#publicKey);
    if (secret === null) {
      // Unreachable for parsed recipients: low-order keys are refused by parseRecipient.
      throw new CryptoError("crypto-bad-recipient", "recipient is not a usable X25519 public key");
    }
    const body = sealFileKey(wrapKey(secret, share, this.#bytes), fileKey);
    return { args: [STANZA_TYPE, encodeBase64NoPad(share)], body };
  }
}

/** A parsed X25519 identity (private key) and its public key. */
export class X25519Identity {
  readonly privateKey: KeyObject;
  readonly recipient: Uint8Array;
  /**
   * Index of the stanza this identity opened last. X25519 stanzas carry no key
   * id, and all values of one env file list recipients in the same order, so
   * trying it first usually saves the other recipients' key agreements.
   */
  lastMatch = -1;

  constructor(privateKey: KeyObject, recipient: Uint8Array) {
    this.privateKey = privateKey;
    this.recipient = recipient;
  }
}

const recipients = new Map<string, X25519Recipient>();
const identities = new Map<string, X25519Identity>();
let probeKey: KeyObject | undefined;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * Parses an `age1…` recipient, cached per process. Throws
 * CryptoError("crypto-bad-recipient") without echoing the input.
 */
export function parseRecipient(text: string): X25519Recipient {
  const cached = recipients.get(text);
  if (cached !== undefined) return cached;
  const decoded = decodeBech32(text);
  if (decoded === null || decoded.prefix !== RECIPIENT_PREFIX || decoded.bytes.length !== 32) {
    throw new CryptoError("crypto-bad-recipient", "not a valid age X25519 recipient (age1…)");
  }
  const publicKey = publicKeyFromRaw(decoded.bytes);
  // A low-order point gives an all-zero secret with every key, so encrypting
  // to it would always fail: reject it here, once.
  probeKey ??= generateKeyPairSync("x25519").privateKey;
  if (sharedSecret(probeKey, publicKey) === null) {
    throw new CryptoError("crypto-bad-recipient", "not a usable X25519 public key (low-order point)");
  }
  return remember(recipients, text, new X25519Recipient(publicKey, decoded.bytes));
}

/**
 * Parses an `AGE-SECRET-KEY-1…` identity, cached per process. Throws
 * CryptoError("crypto-bad-identity") without echoing the input.
 */
export function parseIdentity(text: string): X25519Identity {
  const cached = identities.get(text);
  if (cached !== undefined) return cached;
  const decoded = decodeBech32(text);
  if (decoded === null || decoded.prefix !== IDENTITY_PREFIX || decoded.bytes.length !== 32) {
    throw new CryptoError("crypto-bad-identity", "not a valid age X25519 identity (AGE-SECRET-KEY-1…)");
  }
  const privateKey = privateKeyFromRaw(decoded.bytes);
  const recipient = rawPublicKey(createPublicKey(privateKey));
  return remember(identities, text, new X25519Identity(privateKey, recipient));
}

/** Creates a new random identity string `AGE-SECRET-KEY-1…`. */
export function generateIdentityString(): string {
  return encodeBech32(IDENTITY_PREFIX, randomBytes(32)).toUpperCase();
}

/** The `age1…` recipient string of a parsed identity. */
export function recipientString(identity: X25519Identity): string {
  return encodeBech32(RECIPIENT_PREFIX, identity.recipient);
}

interface Candidate {
  readonly index: number;
  readonly share: Buffer;
  readonly body: Uint8Array;
  publicKey?: KeyObject;
}

function malformedStanza(): CryptoError {
  return new CryptoError("crypto-malformed", "invalid X25519 recipient stanza in age header");
}

/** Checks every X25519 stanza up front, so the outcome does not depend on the try order. */
function x25519Candidates(stanzas: readonly StanzaParts[]): Candidate[] {
  const out: Candidate[] = [];
  stanzas.forEach((stanza, index) => {
    if (stanza.args[0] !== STANZA_TYPE) return;
    const share = stanza.args.length === 2 ? decodeBase64NoPad(stanza.args[1] ?? "") : null;
    if (share === null || share.length !== 32 || stanza.body.length !== 32) throw malformedStanza();
    out.push({ index, share, body: stanza.body });
  });
  return out;
}

function tryUnwrap(identity: X25519Identity, candidate: Candidate): Buffer | null {
  candidate.publicKey ??= publicKeyFromRaw(candidate.share);
  const secret = sharedSecret(identity.privateKey, candidate.publicKey);
  if (secret === null) throw malformedStanza();
  return openFileKey(wrapKey(secret, candidate.share, identity.recipient), candidate.body);
}

/**
 * Finds the file key in a header's stanzas with any of the identities, or null
 * if none opens. Each identity first tries the stanza it opened last.
 * Throws CryptoError("crypto-malformed") for an invalid X25519 stanza.
 */
export function unwrapFileKey(ids: readonly X25519Identity[], stanzas: readonly StanzaParts[]): Uint8Array | null {
  const candidates = x25519Candidates(stanzas);
  if (candidates.length === 0) return null;
  for (const id of ids) {
    const hinted = candidates.find((c) => c.index === id.lastMatch);
    const fileKey = hinted === undefined ? null : tryUnwrap(id, hinted);
    if (fileKey !== null) return fileKey;
  }
  for (const id of ids) {
    for (const candidate of candidates) {
      if (candidate.index === id.lastMatch) continue;
      const fileKey = tryUnwrap(id, candidate);
      if (fileKey !== null) {
        id.lastMatch = candidate.index;
        return fileKey;
      }
    }
  }
  return null;
}
