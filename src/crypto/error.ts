import { VaultError } from "../errors.js";

/** Stable codes of {@link CryptoError}. */
export type CryptoErrorCode =
  | "crypto-no-identity"
  | "crypto-no-match"
  | "crypto-malformed"
  | "crypto-tampered"
  | "crypto-bad-recipient"
  | "crypto-bad-identity";

/**
 * An encryption or decryption failure. Messages are short and never contain
 * plaintext, identities or ciphertext; callers add file, line and key.
 */
export class CryptoError extends VaultError {
  override readonly name = "CryptoError";
  declare readonly code: CryptoErrorCode;

  // Not useless: it narrows the accepted codes to CryptoErrorCode.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: CryptoErrorCode, message: string) {
    super(code, message);
  }
}
