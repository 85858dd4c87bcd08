import { Decrypter, Encrypter } from "age-encryption";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeBech32 } from "./bech32.js";
import {
  CryptoError,
  decryptFile,
  encryptFile,
  generateIdentity,
  identityToRecipient,
  isValidIdentity,
  isValidRecipient,
} from "./index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const SECRET = "DATABASE_URL=postgres://admin:hunter2@db/prod";

async function keyPair(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

async function keyPairs(n: number): Promise<Array<{ identity: string; recipient: string }>> {
  return Promise.all(Array.from({ length: n }, keyPair));
}

/** The rejection of a promise, asserted to be a CryptoError. */
async function failure(promise: Promise<unknown>): Promise<CryptoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CryptoError);
  return error as CryptoError;
}

function expectNoLeak(error: CryptoError, ...secrets: string[]): void {
  const text = `${error.message} ${String(error.hint)} ${String(error.stack)}`;
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(error.cause).toBeUndefined();
}

function headerEnd(file: Uint8Array): number {
  const text = Buffer.from(file).toString("latin1");
  return text.indexOf("\n", text.indexOf("\n--- ") + 1) + 1;
}

describe("keys", () => {
  it("generates X25519 identities whose recipients age-encryption agrees with", async () => {
    const { identity, recipient } = await keyPair();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/);
    expect(recipient).toMatch(/^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/);
    const { identityToRecipient: ageIdentityToRecipient } = await import("age-encryption");
    expect(recipient).toBe(await ageIdentityToRecipient(identity));
    expect(isValidIdentity(identity)).toBe(true);
    expect(isValidRecipient(recipient)).toBe(true);
    expect(await generateIdentity()).not.toBe(identity);
  });

  it("rejects malformed, mixed-case, swapped and non-X25519 keys", async () => {
    const { identity, recipient } = await keyPair();
    const flipped = (s: string, at: number) => s.slice(0, at) + (s[at] === "Q" || s[at] === "q" ? "P" : "Q") + s.slice(at + 1);
    for (const bad of [
      "",
      identity.toLowerCase(),
      identity.slice(0, -1),
      flipped(identity, 20),
      `${identity.slice(0, 20)}${identity.slice(20).toLowerCase()}`,
      ` ${identity}`,
      `${identity}\n`,
      recipient,
      "AGE-SECRET-KEY-PQ-1Q",
      "AGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
    ]) {
      expect(isValidIdentity(bad), JSON.stringify(bad)).toBe(false);
    }
    for (const bad of [
      "",
      recipient.toUpperCase(),
      recipient.slice(0, -1),
      flipped(recipient.toLowerCase(), 20).toLowerCase(),
      identity,
      `${recipient} `,
      // well-formed bech32 of a low-order point (all zeros): every X25519 result would be zero
      encodeBech32("age", new Uint8Array(32)),
    ]) {
      expect(isValidRecipient(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it("identityToRecipient fails with crypto-bad-identity without echoing the input", async () => {
    const { identity } = await keyPair();
    const broken = identity.slice(0, -1);
    const error = await failure(identityToRecipient(broken));
    expect(error.code).toBe("crypto-bad-identity");
    expectNoLeak(error, broken, broken.slice(16, 40));
  });
});

describe("encryptFile / decryptFile", () => {
  it("round-trips and produces a binary age v1 file that age-encryption decrypts", async () => {
    const { identity, recipient } = await keyPair();
    for (const size of [0, 1, 32, 64 * 1024, 64 * 1024 + 1, 200_000]) {
      const plaintext = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
      const file = await encryptFile([recipient], plaintext);
      expect(dec.decode(file.subarray(0, 22))).toBe("age-encryption.org/v1\n");
      expect(await decryptFile([identity], file)).toEqual(plaintext);
      const reference = new Decrypter();
      reference.addIdentity(identity);
      expect(await reference.decrypt(file)).toEqual(plaintext);
    }
  });

  it("writes one '-> X25519' stanza per recipient, in order", async () => {
    const pairs = await keyPairs(3);
    const file = await encryptFile(
      pairs.map((p) => p.recipient),
      enc.encode(SECRET),
    );
    const header = Buffer.from(file.subarray(0, headerEnd(file))).toString("latin1");
    expect(header.match(/^-> X25519 [A-Za-z0-9+/]{43}\n[A-Za-z0-9+/]{43}$/gm)).toHaveLength(3);
    expect(header).not.toContain(SECRET);
  });

  it("decrypts files that age-encryption made with its own X25519 code", async () => {
    const pairs = await keyPairs(4);
    const reference = new Encrypter();
    for (const p of pairs) reference.addRecipient(p.recipient);
    const file = await reference.encrypt(enc.encode(SECRET));
    for (const p of pairs) expect(dec.decode(await decryptFile([p.identity], file))).toBe(SECRET);
  });

  it("with 10 recipients, each of the 10 identities decrypts, in any identity combination", async () => {
    const pairs = await keyPairs(10);
    const recipients = pairs.map((p) => p.recipient);
    const files = await Promise.all(
      Array.from({ length: 5 }, (_, i) => encryptFile(recipients, enc.encode(`${SECRET}#${i}`))),
    );
    for (const [n, pair] of pairs.entries()) {
      for (const [i, file] of files.entries()) {
        expect(dec.decode(await decryptFile([pair.identity], file)), `identity ${n}`).toBe(`${SECRET}#${i}`);
      }
    }
    // The remembered stanza of one identity must not stop another from matching,
    // whatever the order or mix of identities passed.
    const stranger = await keyPair();
    for (const ids of [
      [stranger.identity, pairs[7]!.identity],
      [pairs[2]!.identity, pairs[7]!.identity],
      [pairs[7]!.identity, pairs[2]!.identity],
      [stranger.identity, pairs[0]!.identity, pairs[9]!.identity],
    ]) {
      expect(dec.decode(await decryptFile(ids, files[0]!))).toBe(`${SECRET}#0`);
    }
  });

  it("still matches when the recipient order changes between files (stale stanza hint)", async () => {
    const pairs = await keyPairs(6);
    const me = pairs[4]!;
    const orders = [
      pairs.map((p) => p.recipient),
      [...pairs].reverse().map((p) => p.recipient),
      [me.recipient],
      pairs.filter((p) => p !== me).map((p) => p.recipient).concat(me.recipient),
    ];
    for (const [i, order] of orders.entries()) {
      const file = await encryptFile(order, enc.encode(`v${i}`));
      expect(dec.decode(await decryptFile([me.identity], file))).toBe(`v${i}`);
    }
    // A file for the others only: the hint points at a stanza that is not ours.
    const others = await encryptFile(
      pairs.filter((p) => p !== me).map((p) => p.recipient),
      enc.encode("x"),
    );
    expect((await failure(decryptFile([me.identity], others))).code).toBe("crypto-no-match");
  });
});

describe("errors", () => {
  it("empty identity list → crypto-no-identity; empty recipient list → crypto-bad-recipient", async () => {
    const { recipient } = await keyPair();
    const file = await encryptFile([recipient], enc.encode(SECRET));
    expect((await failure(decryptFile([], file))).code).toBe("crypto-no-identity");
    expect((await failure(encryptFile([], enc.encode(SECRET)))).code).toBe("crypto-bad-recipient");
  });

  it("bad recipient or identity in a list names its position, never its text", async () => {
    const a = await keyPair();
    const b = await keyPair();
    const r = await failure(encryptFile([a.recipient, b.identity], enc.encode(SECRET)));
    expect(r.code).toBe("crypto-bad-recipient");
    expect(r.message).toMatch(/^recipient 2: /);
    expectNoLeak(r, b.identity, SECRET);
    const file = await encryptFile([a.recipient], enc.encode(SECRET));
    const i = await failure(decryptFile([a.identity, b.identity.slice(0, -2)], file));
    expect(i.code).toBe("crypto-bad-identity");
    expect(i.message).toMatch(/^identity 2: /);
    expectNoLeak(i, a.identity, b.identity.slice(0, -2), SECRET);
  });

  it("wrong identity → crypto-no-match", async () => {
    const owner = await keyPair();
    const other = await keyPair();
    const file = await encryptFile([owner.recipient], enc.encode(SECRET));
    const error = await failure(decryptFile([other.identity], file));
    expect(error.code).toBe("crypto-no-match");
    expect(error.message).toBe("no identity matches any recipient of this value");
    expectNoLeak(error, other.identity, SECRET);
  });

  it("truncation, flipped bytes and garbage are malformed or tampered", async () => {
    const { identity, recipient } = await keyPair();
    const plaintext = enc.encode(SECRET);
    const file = await encryptFile([recipient], plaintext);
    const end = headerEnd(file);
    const flip = (at: number): Uint8Array => {
      const copy = Uint8Array.from(file);
      copy[at]! ^= 0x01;
      return copy;
    };
    // Base64 text must stay base64 to reach the check a case is about: flipping
    // a bit of 'A', 'Z', 'a', 'z', '+' or '/' gives a non-base64 byte (malformed).
    const swapBase64 = (at: number): Uint8Array => {
      const copy = Uint8Array.from(file);
      copy[at] = copy[at] === 0x41 ? 0x42 : 0x41;
      return copy;
    };
    const stanzaBody = Buffer.from(file).indexOf("\n", 30) + 5; // inside the wrapped file key
    const cases: Array<[string, Uint8Array, string]> = [
      ["empty", new Uint8Array(0), "crypto-malformed"],
      ["garbage", Uint8Array.from({ length: 200 }, (_, i) => (i * 31 + 7) & 0xff), "crypto-malformed"],
      ["plaintext instead of age", plaintext, "crypto-malformed"],
      ["armored age", enc.encode(`-----BEGIN AGE ENCRYPTED FILE-----\n${Buffer.from(file).toString("base64")}\n`), "crypto-malformed"],
      ["truncated inside the header", file.subarray(0, end - 10), "crypto-malformed"],
      ["truncated after the header", file.subarray(0, end), "crypto-malformed"],
      ["truncated inside the nonce", file.subarray(0, end + 8), "crypto-malformed"],
      ["truncated after the nonce", file.subarray(0, end + 16), "crypto-tampered"],
      ["truncated payload", file.subarray(0, file.length - 1), "crypto-tampered"],
      ["truncated payload tag", file.subarray(0, file.length - 16), "crypto-tampered"],
      ["extra byte after payload", Uint8Array.of(...file, 0), "crypto-tampered"],
      ["flipped version byte", flip(3), "crypto-malformed"],
      ["changed MAC character", swapBase64(end - 5), "crypto-tampered"],
      ["changed wrapped-key character", swapBase64(stanzaBody), "crypto-no-match"],
      ["flipped nonce byte", flip(end + 3), "crypto-tampered"],
      ["flipped payload byte", flip(end + 20), "crypto-tampered"],
      ["flipped last byte", flip(file.length - 1), "crypto-tampered"],
    ];
    for (const [label, bytes, code] of cases) {
      const error = await failure(decryptFile([identity], bytes));
      expect(error.code, label).toBe(code);
      expectNoLeak(error, identity, SECRET, "hunter2");
    }
  });

  it("every truncation and every single-bit flip fails with a CryptoError, never other plaintext", async () => {
    const pairs = await keyPairs(3);
    const file = await encryptFile(
      pairs.map((p) => p.recipient),
      enc.encode(SECRET),
    );
    const identity = pairs[1]!.identity;
    for (let length = 0; length < file.length; length++) {
      const error = await failure(decryptFile([identity], file.subarray(0, length)));
      expect(["crypto-malformed", "crypto-tampered"], `truncated to ${length}`).toContain(error.code);
    }
    await fc.assert(
      fc.asyncProperty(fc.nat(file.length - 1), fc.nat(7), async (at, bit) => {
        const copy = Uint8Array.from(file);
        copy[at]! ^= 1 << bit;
        const error = await failure(decryptFile([identity], copy));
        expect(["crypto-malformed", "crypto-tampered", "crypto-no-match"]).toContain(error.code);
        expectNoLeak(error, identity, SECRET);
      }),
      { numRuns: 300 },
    );
  });

  it("a flipped share byte changes the key agreement, so no identity matches", async () => {
    const { identity, recipient } = await keyPair();
    const file = await encryptFile([recipient], enc.encode(SECRET));
    const text = Buffer.from(file).toString("latin1");
    const at = text.indexOf("-> X25519 ") + 12;
    const copy = Uint8Array.from(file);
    copy[at] = copy[at] === 0x41 ? 0x42 : 0x41; // another base64 letter
    const error = await failure(decryptFile([identity], copy));
    // Either the new share is not canonical base64 (malformed) or it opens nothing.
    expect(["crypto-no-match", "crypto-malformed"]).toContain(error.code);
  });
});
