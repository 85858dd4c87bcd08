/**
 * The chunk buffer of age-encryption's STREAM, sized to the data it holds.
 * age-encryption allocates a whole 64 KiB chunk buffer for every encryption
 * and decryption; git-vault makes one of each per value, for values of a few
 * hundred bytes. The build and the tests patch its `stream.js` to start from
 * an empty buffer and call this before each `transform` (age-shims.mjs,
 * docs/adr/0011-age-stream-buffer-sized-to-data.md). Chunk boundaries, nonces
 * and the AEAD stay age-encryption's: a buffer only reaches `full` bytes, and
 * only then is a chunk sealed or opened mid-stream, exactly as before.
 */

/**
 * A buffer that holds the `used` bytes of `buffer` and room for `incoming`
 * more, up to `full` bytes (the chunk size). Returns `buffer` itself when it
 * already has the room or is already full size.
 */
export function growStreamBuffer(buffer: Uint8Array, used: number, incoming: number, full: number): Uint8Array {
  if (buffer.length >= full || used + incoming <= buffer.length) return buffer;
  const grown = new Uint8Array(Math.min(full, used + incoming));
  grown.set(buffer.subarray(0, used));
  return grown;
}
