/** Text decoding shared by everything that reads user bytes. */

/** Decodes UTF-8 strictly (a BOM is kept as text): null when the bytes are not valid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}
