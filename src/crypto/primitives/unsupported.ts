/**
 * Stand-ins for the noble curve and post-quantum modules age-encryption
 * imports: loading them costs tens of milliseconds per process, for recipient
 * types git-vault never hands it (hybrid ML-KEM, P-256 tags) and for the pure-JS
 * fallback of its own X25519 code, which uses WebCrypto on Node. Any use fails
 * loudly rather than falling back to something else.
 */
function unavailable(name: string, known: Record<string, unknown> = {}): object {
  return new Proxy(known, {
    get(target, property) {
      if (typeof property === "string" && Object.hasOwn(target, property)) return target[property];
      throw new Error(`${name}.${String(property)} is not available to age-encryption in git-vault (node:crypto X25519 only)`);
    },
  });
}

// The X25519 base point (u = 9): age-encryption derives public keys with
// WebCrypto as a scalar multiplication of it.
const GuBytes = new Uint8Array(32);
GuBytes[0] = 9;

export const x25519 = unavailable("x25519", { GuBytes });
export const p256 = unavailable("p256");
export const MLKEM768X25519 = unavailable("MLKEM768X25519");
export const MLKEM768P256 = unavailable("MLKEM768P256");
