/**
 * ChaCha20-Poly1305 (RFC 8439) from node:crypto, with the signature of
 * @noble/ciphers/chacha.js that age-encryption calls. The build gives
 * age-encryption this module instead of noble's pure-JS cipher (see
 * age-shims.mjs and docs/adr/0008-native-primitives-for-age.md).
 */
import { createCipheriv, createDecipheriv } from "node:crypto";

const TAG_LENGTH = 16;

export interface Aead {
  encrypt(plaintext: Uint8Array): Uint8Array;
  decrypt(ciphertext: Uint8Array): Uint8Array;
}

function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Seals and opens with a 32-byte key and 12-byte nonce; the 16-byte tag follows the ciphertext. */
export function chacha20poly1305(key: Uint8Array, nonce: Uint8Array): Aead {
  return {
    encrypt(plaintext) {
      const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_LENGTH });
      return bytes(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
    },
    decrypt(ciphertext) {
      if (ciphertext.length < TAG_LENGTH) throw new Error("ciphertext is shorter than its tag");
      const decipher = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_LENGTH });
      decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_LENGTH));
      const head = decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_LENGTH));
      // final() throws when the tag does not match; nothing is released then.
      return bytes(Buffer.concat([head, decipher.final()]));
    },
  };
}
