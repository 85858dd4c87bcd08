// What age-encryption gets instead of its dependencies and of the platform's
// streams, in the build (build.mjs) and in the tests (vitest.config.ts), so
// both run the same code:
// - each @noble import resolves to a node:crypto shim (ADR 0008); an @noble
//   import not listed here fails the build, so a new age-encryption release is
//   looked at, not silently bundled with the pure-JS code;
// - every age-encryption module that names ReadableStream, TransformStream or
//   Response gets the in-memory classes of streams.ts instead of the globals
//   (ADR 0009); a module that names another stream global fails the build;
// - its stream.js starts each STREAM chunk buffer empty and grows it to the
//   data, instead of allocating 64 KiB per value (ADR 0011); if that file's
//   text is not the one the patch was written for, the build fails.
import { readFileSync } from "node:fs";
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

export const streamShim = here("streams.ts");
export const streamBufferShim = here("stream-buffer.ts");
/** The globals streams.ts replaces, and the stream globals it does not have. */
export const streamGlobals = ["ReadableStream", "TransformStream", "Response"];
const otherStreamGlobals = ["WritableStream", "ReadableStreamDefaultReader", "ReadableByteStreamController", "TextDecoderStream", "TextEncoderStream", "CompressionStream", "DecompressionStream", "Blob"];

const AGE_FILE = /[\\/]node_modules[\\/]age-encryption[\\/].*\.js$/;

/** True when `importer` is a file of the age-encryption package. */
export function isAgeEncryptionFile(importer) {
  return typeof importer === "string" && /[\\/]node_modules[\\/]age-encryption[\\/]/.test(importer);
}

/** The shim for an @noble import of age-encryption; throws for an unknown one. */
export function nobleShim(specifier) {
  const shim = nobleShims[specifier];
  if (shim === undefined) {
    throw new Error(`age-encryption imports ${specifier}, which has no node:crypto shim in src/crypto/primitives/age-shims.mjs`);
  }
  return shim;
}

const mentions = (code, name) => new RegExp(`\\b${name}\\b`).test(code);

/**
 * An age-encryption module's source with the in-memory stream classes
 * imported over the globals it names (on its first line, so line numbers
 * stay). Throws for a stream global streams.ts does not provide.
 */
export function withStreamShim(code, path) {
  const other = otherStreamGlobals.find((name) => mentions(code, name));
  if (other !== undefined) {
    throw new Error(`age-encryption's ${path} uses ${other}, which src/crypto/primitives/streams.ts does not provide`);
  }
  const names = streamGlobals.filter((name) => mentions(code, name));
  if (names.length === 0) return code;
  return `import { ${names.join(", ")} } from ${JSON.stringify(streamShim)}; ${code}`;
}

/**
 * The lines of age-encryption 0.3's stream.js that allocate a chunk buffer,
 * and what they become. Each replacement keeps the line count, so line
 * numbers in stack traces stay.
 */
const STREAM_BUFFER_PATCHES = [
  ["ciphertextBuffer", "chunkSizeWithOverhead"],
  ["plaintextBuffer", "chunkSize"],
].map(([buffer, size]) => ({
  old: `    const ${buffer} = new Uint8Array(${size});\n    let ${buffer}Used = 0;\n    return new TransformStream({\n        transform(chunk, controller) {\n`,
  new: `    let ${buffer} = new Uint8Array(0);\n    let ${buffer}Used = 0;\n    return new TransformStream({\n        transform(chunk, controller) { ${buffer} = growStreamBuffer(${buffer}, ${buffer}Used, chunk.length, ${size});\n`,
}));

/**
 * age-encryption's stream.js with its chunk buffers sized to the data
 * (stream-buffer.ts); other modules unchanged. Throws when the text to patch
 * is not there exactly once, so a new age-encryption release is looked at.
 */
export function withStreamBufferPatch(code, path) {
  if (!/[\\/]stream\.js$/.test(path)) return code;
  let patched = code;
  for (const patch of STREAM_BUFFER_PATCHES) {
    if (patched.split(patch.old).length !== 2) {
      throw new Error(`age-encryption's ${path} does not allocate its STREAM buffer as src/crypto/primitives/age-shims.mjs expects; review the patch (ADR 0011)`);
    }
    patched = patched.replace(patch.old, () => patch.new);
  }
  return `import { growStreamBuffer } from ${JSON.stringify(streamBufferShim)}; ${patched}`;
}

/** What the build and the tests load for an age-encryption module. */
export function transformAgeModule(code, path) {
  return withStreamShim(withStreamBufferPatch(code, path), path);
}

/** esbuild plugin. */
export const esbuildAgeShims = {
  name: "age-shims",
  setup(build) {
    build.onResolve({ filter: /^@noble\// }, (args) => {
      if (!isAgeEncryptionFile(args.importer)) return undefined;
      return { path: nobleShim(args.path) };
    });
    build.onLoad({ filter: AGE_FILE }, (args) => ({
      contents: transformAgeModule(readFileSync(args.path, "utf8"), args.path),
      loader: "js",
    }));
  },
};

/** Vite (vitest) plugin. */
export const viteAgeShims = {
  name: "age-shims",
  enforce: "pre",
  resolveId(source, importer) {
    if (!source.startsWith("@noble/") || !isAgeEncryptionFile(importer)) return null;
    return nobleShim(source);
  },
  transform(code, id) {
    const path = id.split("?")[0];
    if (!AGE_FILE.test(path)) return null;
    return { code: transformAgeModule(code, path), map: null };
  },
};
