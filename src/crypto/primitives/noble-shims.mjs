// Which module age-encryption gets for each @noble import, in the build
// (build.mjs) and in the tests (vitest.config.ts), so both run the same code.
// An @noble import not listed here fails the build: a new age-encryption
// release must be looked at, not silently bundled with the pure-JS code.
// See docs/adr/0008-native-primitives-for-age.md.
import { fileURLToPath } from "node:url";

const here = (name) => fileURLToPath(new URL(`./${name}`, import.meta.url));

export const nobleShims = {
  "@noble/ciphers/chacha.js": here("chacha.ts"),
  "@noble/hashes/sha2.js": here("hashes.ts"),
  "@noble/hashes/hmac.js": here("hashes.ts"),
  "@noble/hashes/hkdf.js": here("hashes.ts"),
  "@noble/hashes/utils.js": here("hashes.ts"),
  "@noble/hashes/scrypt.js": here("hashes.ts"),
  "@noble/curves/ed25519.js": here("unsupported.ts"),
  "@noble/curves/nist.js": here("unsupported.ts"),
  "@noble/post-quantum/hybrid.js": here("unsupported.ts"),
};

/** True when `importer` is a file of the age-encryption package. */
export function isAgeEncryptionFile(importer) {
  return typeof importer === "string" && /[\\/]node_modules[\\/]age-encryption[\\/]/.test(importer);
}

/** The shim for an @noble import of age-encryption; throws for an unknown one. */
export function nobleShim(specifier) {
  const shim = nobleShims[specifier];
  if (shim === undefined) {
    throw new Error(`age-encryption imports ${specifier}, which has no node:crypto shim in src/crypto/primitives/noble-shims.mjs`);
  }
  return shim;
}

/** esbuild plugin. */
export const esbuildNobleShims = {
  name: "noble-shims",
  setup(build) {
    build.onResolve({ filter: /^@noble\// }, (args) => {
      if (!isAgeEncryptionFile(args.importer)) return undefined;
      return { path: nobleShim(args.path) };
    });
  },
};

/** Vite (vitest) plugin. */
export const viteNobleShims = {
  name: "noble-shims",
  enforce: "pre",
  resolveId(source, importer) {
    if (!source.startsWith("@noble/") || !isAgeEncryptionFile(importer)) return null;
    return nobleShim(source);
  },
};
