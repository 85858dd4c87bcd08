import { createPrivateKey, randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { encodeBech32 } from "./bech32.js";
import { CryptoError } from "./error.js";
import {
  generateIdentityString,
  parseIdentity,
  parseRecipient,
  recipientString,
  unwrapFileKey,
  type StanzaParts,
} from "./x25519.js";

// Pass-through, so one test can make the JWK import fail.
vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:crypto")>();
  return { ...original, createPrivateKey: vi.fn(original.createPrivateKey) };
});

// RFC 7748, section 6.1: Alice's and Bob's private and public keys.
const ALICE_PRIVATE = Buffer.from("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "hex");
const ALICE_PUBLIC = Buffer.from("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", "hex");
const BOB_PRIVATE = Buffer.from("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", "hex");
const BOB_PUBLIC = Buffer.from("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", "hex");

function keys(n: number) {
  return Array.from({ length: n }, () => {
    const identity = parseIdentity(generateIdentityString());
    return { identity, recipient: parseRecipient(recipientString(identity)) };
  });
}

function wrapAll(recipients: ReturnType<typeof keys>, fileKey: Uint8Array): StanzaParts[] {
  return recipients.map((k) => k.recipient.wrapFileKey(fileKey));
}

describe("X25519 key wrapping", () => {
  it("derives the RFC 7748 public key from its private key", () => {
    const identity = encodeBech32("AGE-SECRET-KEY-", ALICE_PRIVATE).toUpperCase();
    expect(recipientString(parseIdentity(identity))).toBe(encodeBech32("age", ALICE_PUBLIC));
  });

  it("falls back to PKCS #8 when node:crypto refuses the JWK private key", () => {
    const identity = encodeBech32("AGE-SECRET-KEY-", BOB_PRIVATE).toUpperCase();
    vi.mocked(createPrivateKey).mockImplementationOnce(() => {
      throw new TypeError("Invalid JWK data");
    });
    const parsed = parseIdentity(identity);
    expect(vi.mocked(createPrivateKey).mock.lastCall?.[0]).toMatchObject({ format: "der", type: "pkcs8" });
    expect(recipientString(parsed)).toBe(encodeBech32("age", BOB_PUBLIC));
  });

  it("parses each key once per process", () => {
    const text = generateIdentityString();
    expect(parseIdentity(text)).toBe(parseIdentity(text));
    const recipient = recipientString(parseIdentity(text));
    expect(parseRecipient(recipient)).toBe(parseRecipient(recipient));
  });

  it("wraps a file key that the matching identity unwraps and others do not", () => {
    const [a, b] = keys(2);
    const fileKey = randomBytes(16);
    const stanza = a!.recipient.wrapFileKey(fileKey);
    const stanzas = [stanza];
    expect(stanza.args).toHaveLength(2);
    expect(stanza.args[0]).toBe("X25519");
    expect(stanza.args[1]).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(stanza.body).toHaveLength(32);
    expect(unwrap([a!.identity], stanzas)).toEqual(fileKey);
    expect(unwrap([b!.identity], stanzas)).toBeNull();
    // Fresh ephemeral share every time.
    expect(a!.recipient.wrapFileKey(fileKey).args[1]).not.toBe(stanza.args[1]);
  });

  it("remembers which stanza each identity opened and follows order changes", () => {
    const ten = keys(10);
    const fileKey = randomBytes(16);
    const stanzas = wrapAll(ten, fileKey);
    for (const [i, k] of ten.entries()) {
      expect(unwrap([k.identity], stanzas)).toEqual(fileKey);
      expect(k.identity.lastMatch).toBe(i);
    }
    const reversed = wrapAll([...ten].reverse(), fileKey);
    expect(unwrap([ten[2]!.identity], reversed)).toEqual(fileKey);
    expect(ten[2]!.identity.lastMatch).toBe(7);
    // Several identities: each tries its own hint first, any of them may match.
    const stranger = keys(1)[0]!;
    expect(unwrap([stranger.identity, ten[5]!.identity], stanzas)).toEqual(fileKey);
    expect(ten[5]!.identity.lastMatch).toBe(5);
    expect(unwrap([stranger.identity], stanzas)).toBeNull();
  });

  it("ignores other stanza types but refuses any malformed X25519 stanza, wherever it is", () => {
    const [a] = keys(1);
    const fileKey = randomBytes(16);
    const good = a!.recipient.wrapFileKey(fileKey);
    const grease: StanzaParts = { args: ["example.com/grease", "x"], body: randomBytes(5) };
    expect(unwrap([a!.identity], [grease, good])).toEqual(fileKey);
    expect(a!.identity.lastMatch).toBe(1);

    const share = good.args[1]!;
    const bad: Array<[string, StanzaParts]> = [
      ["extra argument", { args: ["X25519", share, "x"], body: good.body }],
      ["missing share", { args: ["X25519"], body: good.body }],
      ["padded share", { args: ["X25519", `${share}=`], body: good.body }],
      ["short share", { args: ["X25519", share.slice(0, 42)], body: good.body }],
      ["non-canonical share", { args: ["X25519", share.slice(0, 42) + nonCanonicalLast(share)], body: good.body }],
      ["long body", { args: ["X25519", share], body: Uint8Array.of(...good.body, 0) }],
      ["short body", { args: ["X25519", share], body: good.body.subarray(0, 31) }],
      ["low-order share", { args: ["X25519", Buffer.alloc(32).toString("base64").replace(/=+$/, "")], body: good.body }],
    ];
    for (const [label, stanza] of bad) {
      // The good stanza comes first and is the remembered one, yet the file is refused.
      expect(() => unwrapFileKey([a!.identity], [good, stanza]), label).toThrow(CryptoError);
    }
    // A lowercase type is another (unknown) type: ignored, not an error.
    expect(unwrap([a!.identity], [{ args: ["x25519", share], body: good.body }])).toBeNull();
  });

  it("refuses recipients and identities of the wrong prefix, case or length", () => {
    const bytes = randomBytes(32);
    expect(() => parseRecipient(encodeBech32("age", bytes.subarray(0, 31)))).toThrow(CryptoError);
    expect(() => parseRecipient(encodeBech32("agx", bytes))).toThrow(CryptoError);
    expect(() => parseIdentity(encodeBech32("AGE-SECRET-KEY-", bytes))).toThrow(CryptoError); // lowercase
    expect(() => parseIdentity(encodeBech32("AGE-SECRET-KEY-PQ-", bytes).toUpperCase())).toThrow(CryptoError);
    expect(parseIdentity(encodeBech32("AGE-SECRET-KEY-", bytes).toUpperCase()).recipient).toHaveLength(32);
  });
});

/** The same 43rd character with its two unused low bits set: decodes to the same bytes. */
function nonCanonicalLast(share: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  return alphabet[alphabet.indexOf(share[42]!) | 3]!;
}

/** unwrapFileKey as a Buffer (or null), to compare with node:crypto's Buffers. */
function unwrap(ids: Parameters<typeof unwrapFileKey>[0], stanzas: readonly StanzaParts[]): Buffer | null {
  const key = unwrapFileKey(ids, stanzas);
  return key === null ? null : Buffer.from(key);
}
