/**
 * SHA-256, HMAC, HKDF and random bytes from node:crypto, with the signatures
 * of the @noble/hashes modules that age-encryption imports (sha2, hmac, hkdf,
 * utils, scrypt). Only SHA-256 exists here: it is the only hash age uses.
 * Passphrase (scrypt) and post-quantum (extract/expand) code paths are not
 * reachable from git-vault, which gives age-encryption X25519 only; they fail
 * loudly instead of falling back to another implementation.
 */
import { createHash, createHmac, randomBytes as nodeRandomBytes } from "node:crypto";

export interface Hash {
  (message: Uint8Array): Uint8Array;
  readonly outputLen: number;
  readonly blockLen: number;
}

function bytes(buffer: Buffer | ArrayBuffer): Uint8Array {
  return buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export const sha256: Hash = Object.assign((message: Uint8Array) => bytes(createHash("sha256").update(message).digest()), {
  outputLen: 32,
  blockLen: 64,
});

function checkHash(hash: unknown): void {
  if (hash !== sha256) throw new Error("only SHA-256 is available to age-encryption in git-vault");
}

export function hmac(hash: Hash, key: Uint8Array, message: Uint8Array): Uint8Array {
  checkHash(hash);
  return bytes(createHmac("sha256", key).update(message).digest());
}

const EMPTY = new Uint8Array(0);
const MAX_HKDF_LENGTH = 255 * 32;

/**
 * RFC 5869 HKDF-SHA-256, as two or more HMACs: node:crypto's hkdfSync makes
 * a KeyObject of every input key, which costs more than the hashing for the
 * 32-byte keys age derives (three per value). A missing salt means HashLen
 * zero bytes, which HMAC treats exactly like an empty key.
 */
export function hkdf(hash: Hash, ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array | string | undefined, length: number): Uint8Array {
  checkHash(hash);
  if (!Number.isInteger(length) || length < 0 || length > MAX_HKDF_LENGTH) throw new Error(`HKDF-SHA-256 output must be 0 to ${MAX_HKDF_LENGTH} bytes`);
  const prk = createHmac("sha256", salt ?? EMPTY).update(ikm).digest();
  const blocks: Buffer[] = [];
  let previous: Uint8Array = EMPTY;
  for (let counter = 1; blocks.length * 32 < length; counter++) {
    const block = createHmac("sha256", prk)
      .update(previous)
      .update(info ?? EMPTY)
      .update(Uint8Array.of(counter))
      .digest();
    blocks.push(block);
    previous = block;
  }
  return bytes(Buffer.concat(blocks).subarray(0, length));
}

export function randomBytes(length = 32): Uint8Array {
  return bytes(nodeRandomBytes(length));
}

function unavailable(name: string): never {
  throw new Error(`${name} is not available to age-encryption in git-vault (X25519 recipients only)`);
}

export function extract(): never {
  return unavailable("HKDF-Extract (post-quantum recipients)");
}

export function expand(): never {
  return unavailable("HKDF-Expand (post-quantum recipients)");
}

export function scrypt(): never {
  return unavailable("scrypt (passphrases)");
}
