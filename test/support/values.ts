// Deterministic test values: pseudo-random text of an exact length, so a
// truncation anywhere shows and a leak is attributable to its test.

/** Printable characters, quotes, `#`, `=` and space: the ones dotenv treats specially. */
export const TRICKY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=#'\" ";
/** The base64 alphabet: values that need no quoting. */
export const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** `length` characters of `alphabet`, from a linear congruential generator seeded with `seed`. */
export function filler(length: number, seed: number, alphabet = TRICKY_ALPHABET): string {
  let x = seed;
  let out = "";
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[x % alphabet.length] as string;
  }
  return out;
}
