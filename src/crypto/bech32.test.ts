import { randomBytes } from "node:crypto";
import { generateX25519Identity, identityToRecipient as ageIdentityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { decodeBech32, encodeBech32 } from "./bech32.js";

describe("bech32", () => {
  it("accepts the valid strings of BIP 173", () => {
    for (const text of [
      "A12UEL5L",
      "a12uel5l",
      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
      "?1ezyfcl",
    ]) {
      expect(decodeBech32(text), text).not.toBeNull();
    }
  });

  it("rejects the invalid strings of BIP 173 and mixed case", () => {
    for (const text of [
      "\x201nwldj5", // prefix character out of range
      "\x7f1axkwrx",
      "pzry9x0s0muk", // no separator
      "1pzry9x0s0muk", // empty prefix
      "x1b4n0q5v", // invalid data character
      "li1dgmt3", // too short checksum
      "de1lg7wt\xff",
      "A1G7SGD8", // checksum computed with uppercase prefix
      "10a06t8",
      "1qzzfhee",
      "age1Qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
    ]) {
      expect(decodeBech32(text), JSON.stringify(text)).toBeNull();
    }
  });

  it("rejects non-zero padding bits even with a valid checksum", () => {
    // 32 bytes are 52 five-bit words with 4 padding bits; set one of them and
    // recompute the checksum, so only the padding rule can refuse it.
    const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const good = encodeBech32("age", new Uint8Array(32));
    const words = Array.from(good.slice(4, -6), (c) => charset.indexOf(c));
    words[words.length - 1] = 1;
    expect(decodeBech32(`age1${withChecksum("age", words, charset)}`)).toBeNull();
    words[words.length - 1] = 0;
    expect(decodeBech32(`age1${withChecksum("age", words, charset)}`)).not.toBeNull();
  });

  it("round-trips bytes and preserves the prefix case", () => {
    for (let n = 0; n < 50; n++) {
      const bytes = randomBytes(n % 40);
      const text = encodeBech32("age", bytes);
      expect(decodeBech32(text)).toEqual({ prefix: "age", bytes: new Uint8Array(bytes) });
      expect(decodeBech32(text.toUpperCase())?.prefix).toBe("AGE");
    }
  });

  it("matches age-encryption's encoding of keys", async () => {
    for (let n = 0; n < 20; n++) {
      const identity = await generateX25519Identity();
      const decoded = decodeBech32(identity);
      expect(decoded?.prefix).toBe("AGE-SECRET-KEY-");
      expect(encodeBech32("AGE-SECRET-KEY-", decoded!.bytes).toUpperCase()).toBe(identity);
      const recipient = await ageIdentityToRecipient(identity);
      expect(encodeBech32("age", decodeBech32(recipient)!.bytes)).toBe(recipient);
    }
  });
});

/** BIP 173 reference checksum, written out independently of the module under test. */
function withChecksum(prefix: string, words: number[], charset: string): string {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  const codes = Array.from(prefix, (c) => c.charCodeAt(0));
  const values = [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31)];
  let chk = 1;
  for (const v of [...values, ...words, 0, 0, 0, 0, 0, 0]) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    gen.forEach((g, i) => {
      if ((top >>> i) & 1) chk ^= g;
    });
  }
  chk ^= 1;
  const sum = [0, 1, 2, 3, 4, 5].map((i) => charset[(chk >>> (5 * (5 - i))) & 31]).join("");
  return words.map((w) => charset[w]).join("") + sum;
}
