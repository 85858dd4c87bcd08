// The STREAM chunk buffer patch (ADR 0011): the helper, the text patch applied
// to age-encryption's stream.js, and the patched STREAM itself against a
// reference written from the age spec, for inputs split at random points.
import { createCipheriv, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { streamBufferShim, transformAgeModule, withStreamBufferPatch } from "./age-shims.mjs";
import { growStreamBuffer } from "./stream-buffer.js";
import { ReadableStream, type TransformStream } from "./streams.js";
// The patched module, as the build bundles it: vitest's age-shims plugin transforms it.
import { decryptSTREAM, encryptSTREAM } from "../../../node_modules/age-encryption/dist/stream.js";

const CHUNK = 64 * 1024;
const TAG = 16;

const streamJsPath = join(dirname(createRequire(import.meta.url).resolve("age-encryption")), "stream.js");

describe("growStreamBuffer", () => {
  it("keeps the buffer when the incoming bytes fit or it is already full size", () => {
    const buffer = new Uint8Array(10);
    expect(growStreamBuffer(buffer, 4, 6, 100)).toBe(buffer);
    expect(growStreamBuffer(buffer, 10, 0, 100)).toBe(buffer);
    const full = new Uint8Array(100);
    expect(growStreamBuffer(full, 100, 5000, 100)).toBe(full);
  });

  it("grows to the used plus incoming bytes, at most full size, keeping the used bytes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 400 }), (size, incoming, full) => {
        const buffer = Uint8Array.from({ length: Math.min(size, full) }, (_, i) => (i * 31 + 7) & 0xff);
        const used = buffer.length;
        const grown = growStreamBuffer(buffer, used, incoming, full);
        expect(grown.length).toBe(buffer.length >= full ? buffer.length : Math.max(buffer.length, Math.min(full, used + incoming)));
        expect(grown.subarray(0, used)).toEqual(buffer.subarray(0, used));
      }),
    );
  });
});

describe("withStreamBufferPatch", () => {
  const original = readFileSync(streamJsPath, "utf8");

  it("patches both buffers of the installed age-encryption stream.js and keeps its line count", () => {
    const patched = withStreamBufferPatch(original, streamJsPath);
    expect(patched).not.toContain("new Uint8Array(chunkSizeWithOverhead)");
    expect(patched).not.toContain("new Uint8Array(chunkSize)");
    expect(patched.match(/= growStreamBuffer\(/g)).toHaveLength(2);
    expect(patched.startsWith(`import { growStreamBuffer } from ${JSON.stringify(streamBufferShim)}; `)).toBe(true);
    expect(patched.split("\n")).toHaveLength(original.split("\n").length);
  });

  it("leaves other modules alone and refuses a stream.js whose buffers it does not recognise", () => {
    expect(withStreamBufferPatch("export const x = 1;\n", "/x/node_modules/age-encryption/dist/index.js")).toBe("export const x = 1;\n");
    const changed = original.replace("new Uint8Array(chunkSizeWithOverhead)", "new Uint8Array(chunkSizeWithOverhead + 0)");
    expect(() => withStreamBufferPatch(changed, streamJsPath)).toThrow(/does not allocate its STREAM buffer as .* expects/);
  });

  it("is part of what the build and the tests load for age-encryption", () => {
    expect(transformAgeModule(original, streamJsPath)).toContain("growStreamBuffer(ciphertextBuffer, ciphertextBufferUsed, chunk.length, chunkSizeWithOverhead)");
  });
});

/** age's STREAM from the spec: 64 KiB chunks, nonce = 11-byte counter ‖ last-chunk flag. */
function referenceSeal(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const out: Buffer[] = [];
  const count = Math.max(1, Math.ceil(plaintext.length / CHUNK));
  for (let i = 0; i < count; i++) {
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(i, 5, 6);
    nonce[11] = i === count - 1 ? 1 : 0;
    const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG });
    out.push(cipher.update(plaintext.subarray(i * CHUNK, (i + 1) * CHUNK)), cipher.final(), cipher.getAuthTag());
  }
  return new Uint8Array(Buffer.concat(out));
}

/** Runs bytes through a TransformStream in the given pieces and collects the output. */
async function through(stream: ReturnType<typeof decryptSTREAM>, pieces: Uint8Array[]): Promise<Uint8Array> {
  const source = new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  const chunks: Uint8Array[] = [];
  // The patched module was given the in-memory classes in place of the globals its types name.
  const reader = source.pipeThrough(stream as unknown as TransformStream).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value as Uint8Array);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** `bytes` cut at the given offsets. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    pieces.push(bytes.subarray(start, p));
    start = p;
  }
  return pieces;
}

describe("age-encryption's STREAM with the buffer patch", () => {
  const sizes = fc.oneof(
    fc.integer({ min: 0, max: 600 }),
    fc.constantFrom(CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 17, 3 * CHUNK - 5),
  );
  const cuts = fc.array(fc.nat(), { maxLength: 6 });

  it("seals as the spec says and opens what it sealed, however the input is split", async () => {
    await fc.assert(
      fc.asyncProperty(sizes, cuts, cuts, async (size, plainCuts, cipherCuts) => {
        const key = randomBytes(32);
        const plaintext = new Uint8Array(randomBytes(size));
        const sealed = await through(encryptSTREAM(key), split(plaintext, plainCuts));
        expect(Buffer.from(sealed).equals(Buffer.from(referenceSeal(key, plaintext)))).toBe(true);
        const opened = await through(decryptSTREAM(key), split(sealed, cipherCuts));
        expect(Buffer.from(opened).equals(Buffer.from(plaintext))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("still refuses a stream cut at a chunk boundary and a flipped byte", async () => {
    const key = randomBytes(32);
    const sealed = referenceSeal(key, new Uint8Array(2 * CHUNK + 10));
    await expect(through(decryptSTREAM(key), [sealed.subarray(0, CHUNK + TAG)])).rejects.toThrow();
    const flipped = Uint8Array.from(sealed);
    flipped[CHUNK + TAG + 3]! ^= 1;
    await expect(through(decryptSTREAM(key), split(flipped, [100, CHUNK + 50]))).rejects.toThrow();
  });
});
