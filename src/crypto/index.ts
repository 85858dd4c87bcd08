/**
 * age encryption for git-vault: native X25519 keys only, one binary age v1
 * file per value. The only importer of age-encryption, which implements the
 * file format; it is loaded on the first encrypt or decrypt, so key
 * validation and generation stay cheap. The build gives it node:crypto
 * primitives instead of noble's pure-JS ones (primitives/, ADR 0008) and
 * in-memory streams instead of Node's web streams (ADR 0009), so bytes in and
 * bytes out cost no stream machinery and load no undici.
 */
import type { Identity, Recipient, Stanza } from "age-encryption";
import { CryptoError } from "./error.js";
import {
  generateIdentityString,
  parseIdentity,
  parseRecipient,
  recipientString,
  unwrapFileKey,
  type X25519Identity,
  type X25519Recipient,
} from "./x25519.js";

export { CryptoError, type CryptoErrorCode } from "./error.js";

type AgeModule = typeof import("age-encryption");
let age: Promise<AgeModule> | undefined;

function loadAge(): Promise<AgeModule> {
  age ??= import("age-encryption");
  return age;
}

/** Generates a new native X25519 age identity string "AGE-SECRET-KEY-1…". */
export function generateIdentity(): Promise<string> {
  return Promise.resolve(generateIdentityString());
}

/**
 * The "age1…" recipient of an identity string; throws
 * CryptoError("crypto-bad-identity") if malformed, without echoing it.
 */
export function identityToRecipient(identity: string): Promise<string> {
  // The executor turns a parse error into a rejection, never a synchronous throw.
  return new Promise((resolve) => {
    resolve(recipientString(parseIdentity(identity)));
  });
}

/** True for a well-formed X25519 recipient "age1…" (bech32, 32-byte key, not a low-order point). */
export function isValidRecipient(recipient: string): boolean {
  try {
    parseRecipient(recipient);
    return true;
  } catch {
    return false;
  }
}

/** True for a well-formed X25519 identity "AGE-SECRET-KEY-1…". */
export function isValidIdentity(identity: string): boolean {
  try {
    parseIdentity(identity);
    return true;
  } catch {
    return false;
  }
}

function parseRecipients(list: readonly string[]): X25519Recipient[] {
  if (list.length === 0) throw new CryptoError("crypto-bad-recipient", "no recipients to encrypt to");
  return list.map((text, i) => {
    try {
      return parseRecipient(text);
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      throw new CryptoError(error.code, `recipient ${i + 1}: ${error.message}`);
    }
  });
}

function parseIdentities(list: readonly string[]): X25519Identity[] {
  if (list.length === 0) throw new CryptoError("crypto-no-identity", "no identity to decrypt with");
  return list.map((text, i) => {
    try {
      return parseIdentity(text);
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      throw new CryptoError(error.code, `identity ${i + 1}: ${error.message}`);
    }
  });
}

/** Plugs a native X25519 recipient into age-encryption. */
class AgeRecipient implements Recipient {
  readonly #recipient: X25519Recipient;
  readonly #Stanza: typeof Stanza;

  constructor(recipient: X25519Recipient, stanza: typeof Stanza) {
    this.#recipient = recipient;
    this.#Stanza = stanza;
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const { args, body } = this.#recipient.wrapFileKey(fileKey);
    return [new this.#Stanza([...args], body)];
  }
}

/**
 * Plugs native X25519 identities into age-encryption for one decryption, and
 * records how far it got: age-encryption calls it only after parsing the header.
 */
class AgeIdentities implements Identity {
  readonly #ids: readonly X25519Identity[];
  headerParsed = false;
  fileKeyFound = false;

  constructor(ids: readonly X25519Identity[]) {
    this.#ids = ids;
  }

  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
    this.headerParsed = true;
    const fileKey = unwrapFileKey(this.#ids, stanzas);
    this.fileKeyFound = fileKey !== null;
    return fileKey;
  }
}

/** Encrypts plaintext to every recipient; returns a standard binary age v1 file (not armored). */
export async function encryptFile(recipients: readonly string[], plaintext: Uint8Array): Promise<Uint8Array> {
  const parsed = parseRecipients(recipients);
  const { Encrypter, Stanza } = await loadAge();
  const encrypter = new Encrypter();
  for (const recipient of parsed) encrypter.addRecipient(new AgeRecipient(recipient, Stanza));
  return await encrypter.encrypt(plaintext);
}

/** Decrypts a binary age v1 file with any of the identities. */
export async function decryptFile(identities: readonly string[], file: Uint8Array): Promise<Uint8Array> {
  const progress = new AgeIdentities(parseIdentities(identities));
  const { Decrypter } = await loadAge();
  const decrypter = new Decrypter();
  decrypter.addIdentity(progress);
  try {
    return await decrypter.decrypt(file);
  } catch (error) {
    // age-encryption throws plain Errors whose text may quote file bytes, so
    // classify by how far decryption got and never pass its message on.
    throw classifyFailure(error, progress, file);
  }
}

function classifyFailure(error: unknown, progress: AgeIdentities, file: Uint8Array): CryptoError {
  if (error instanceof CryptoError) return error;
  if (!progress.headerParsed) return new CryptoError("crypto-malformed", "not a valid age file (bad or truncated header)");
  if (!progress.fileKeyFound) return new CryptoError("crypto-no-match", "no identity matches any recipient of this value");
  if (!hasMacAndNonce(file)) return new CryptoError("crypto-malformed", "not a valid age file (bad or truncated header)");
  return new CryptoError("crypto-tampered", "ciphertext was modified or truncated");
}

const MAC_LINE = Uint8Array.from("\n--- ", (c) => c.charCodeAt(0));
const MAC_BASE64_LENGTH = 43; // HMAC-SHA-256, unpadded base64
const NONCE_LENGTH = 16;

/**
 * For a header age-encryption already parsed: whether its MAC has the right
 * length and a full payload nonce follows. age-encryption reports both as
 * later failures, but they are malformed files, not tampering.
 */
function hasMacAndNonce(file: Uint8Array): boolean {
  // Stanza lines start with "-> " or are base64, so the first "\n--- " is the MAC line.
  const start = Buffer.from(file.buffer, file.byteOffset, file.byteLength).indexOf(MAC_LINE);
  if (start < 0) return false;
  const end = file.indexOf(0x0a, start + 1);
  if (end < 0) return false;
  return end - (start + MAC_LINE.length) === MAC_BASE64_LENGTH && file.length - (end + 1) >= NONCE_LENGTH;
}

/** Encodes a binary age file in age's ASCII armor (`-----BEGIN AGE ENCRYPTED FILE-----`), final newline included. */
export async function armorFile(file: Uint8Array): Promise<string> {
  const { armor } = await loadAge();
  return armor.encode(file);
}

/** Decodes age's ASCII armor back to the binary file; a CryptoError when the text is not armor. */
export async function dearmorFile(text: string): Promise<Uint8Array> {
  const { armor } = await loadAge();
  try {
    return armor.decode(text);
  } catch {
    throw new CryptoError("crypto-malformed", "not an ASCII-armored age file");
  }
}
