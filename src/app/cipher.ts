/**
 * Encrypting and decrypting single values of an env file. The crypto module
 * (and age-encryption behind it) is imported on first use only, so commands
 * that need no crypto never load it.
 */
import type { Assignment } from "../core/envfile.js";
import { shortFingerprint } from "../core/recipients.js";
import { Secret } from "../core/secret.js";
import { classifyValue, decodePayload, encodeEncryptedValue, encodePayload } from "../core/value.js";
import { VaultError } from "../errors.js";
import { type Identity, invalidIdentityError } from "../keys/identity.js";

// The bundle turns each import() into a fresh copy of the module's exports
// (esbuild's __toESM), ~8 µs a call: once per value of a 100-value textconv.
// The promise of the loaded module is kept, and it never changes.
let loaded: Promise<typeof import("../crypto/index.js")> | undefined;

function crypto(): Promise<typeof import("../crypto/index.js")> {
  return (loaded ??= import("../crypto/index.js"));
}

/** Encrypts `value` for `key` to every recipient; returns the text that follows `KEY=`. */
export async function encryptValue(key: string, value: Secret, recipients: readonly string[]): Promise<string> {
  const { encryptFile } = await crypto();
  const ageFile = await encryptFile(recipients, encodePayload(key, value));
  return encodeEncryptedValue(shortFingerprint(recipients), ageFile);
}

/** A few words on why a value did not decrypt, for markers and reports. */
export function failureReason(error: unknown): string {
  if (!(error instanceof VaultError)) return "undecryptable";
  switch (error.code) {
    case "wrong-identity":
      return "not a recipient";
    case "key-binding":
      return "bound to another key";
    case "tampered-value":
      return "modified or truncated";
    case "malformed-value":
      return "malformed";
    case "unknown-format-version":
      return "unknown format version";
    case "identity-invalid":
      return "your identity is not a valid age identity";
    case "value-not-utf8":
      return "not UTF-8 text";
    default:
      return "undecryptable";
  }
}

/** Where a value sits, for messages: `file:line: KEY`. */
export function locate(display: string, a: Assignment): string {
  return `${display}:${a.line}: ${a.key}`;
}

/**
 * Decrypts the value of an assignment and checks it is bound to its key.
 * Plaintext values are returned as they are (callers decide whether to warn).
 */
export async function decryptAssignment(display: string, a: Assignment, identity: Identity): Promise<Secret> {
  const state = classifyValue(a.value);
  const where = locate(display, a);
  switch (state.kind) {
    case "empty":
    case "plaintext":
      return new Secret(a.value);
    case "unknown-version":
      throw new VaultError("unknown-format-version", `${where}: value format gv${state.version} is not supported (this git-vault reads gv1)`, {
        hint: "upgrade git-vault",
      });
    case "malformed":
      throw new VaultError("malformed-value", `${where}: encrypted value is malformed or truncated`, {
        hint: "restore the line from git history (`git log -p` in the vault) or set the key again",
      });
    case "encrypted":
      break;
  }
  const { decryptFile, CryptoError } = await crypto();
  let payload: Uint8Array;
  try {
    payload = await decryptFile(identity.keys.map((k) => k.reveal()), state.value.ageFile);
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    if (error.code === "crypto-bad-identity" || error.code === "crypto-no-identity") {
      throw invalidIdentityError(identity);
    }
    if (error.code === "crypto-no-match") {
      throw new VaultError("wrong-identity", `${where}: none of your identities can decrypt this value`, {
        hint: `your identity (${identity.source.description}) is not among the recipients it was encrypted to. If \`git vault list\` shows it stale, you were added after it was encrypted: ask a recipient to run \`git vault encrypt --reencrypt\`; else ask one to run \`git vault recipients add\` with your \`git vault keys show\``,
      });
    }
    throw new VaultError("tampered-value", `${where}: encrypted value was modified or truncated (${error.message})`, {
      hint: "restore the line from git history or set the key again",
    });
  }
  const opened = decodePayload(a.key, payload);
  if (!opened.ok && opened.problem === "not-utf8") {
    throw new VaultError("value-not-utf8", `${where}: the decrypted value is not UTF-8 text (values are text: they become environment variables)`, {
      hint: `set ${a.key} again as text; store binary data base64-encoded (base64 -w0 FILE | git vault set ${a.key} --stdin)`,
    });
  }
  if (!opened.ok) {
    const from = opened.boundKey === null ? "another key" : `key ${opened.boundKey}`;
    throw new VaultError("key-binding", `${where}: this value was encrypted for ${from}, not for ${a.key} (moved or copied between keys?)`, {
      hint: `set ${a.key} again with \`git vault set ${a.key}\``,
    });
  }
  return opened.value;
}
