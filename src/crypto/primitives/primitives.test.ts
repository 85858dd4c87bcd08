// The node:crypto primitives age-encryption runs on in git-vault, checked
// against the noble implementations they replace (imported here directly, so
// not shimmed) and against RFC test vectors, and the shim wiring itself.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chacha20poly1305 as nobleChacha } from "@noble/ciphers/chacha.js";
import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chacha20poly1305 } from "./chacha.js";
import { expand, extract, hkdf, hmac, randomBytes, scrypt, sha256 } from "./hashes.js";
import { isAgeEncryptionFile, nobleShim, nobleShims, streamShim, withStreamShim } from "./age-shims.mjs";
import * as memory from "./streams.js";
import { MLKEM768X25519, p256, x25519 } from "./unsupported.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const bytes = (max = 300) => fc.uint8Array({ maxLength: max });
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nonce12 = fc.uint8Array({ minLength: 12, maxLength: 12 });

describe("chacha20poly1305", () => {
  it("matches RFC 8439 §2.8.2", () => {
    const key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    const nonce = hex("070000004041424344454647");
    const plaintext = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    // The RFC's vector has AAD; age uses none, so the tag is checked against noble's.
    const sealed = chacha20poly1305(key, nonce).encrypt(plaintext);
    expect(Buffer.from(sealed.subarray(0, 16)).toString("hex")).toBe("d31a8d34648e60db7b86afbc53ef7ec2");
    expect(sealed).toEqual(nobleChacha(key, nonce).encrypt(plaintext));
  });

  it("seals like noble and opens what noble seals, for any key, nonce and plaintext", () => {
    fc.assert(
      fc.property(key32, nonce12, bytes(), (key, nonce, plaintext) => {
        const sealed = chacha20poly1305(key, nonce).encrypt(plaintext);
        expect(sealed).toEqual(nobleChacha(key, nonce).encrypt(plaintext));
        expect(chacha20poly1305(key, nonce).decrypt(sealed)).toEqual(plaintext);
      }),
    );
  });

  it("refuses any changed byte, a short input and the wrong nonce, as noble does", () => {
    fc.assert(
      fc.property(key32, nonce12, bytes(64), fc.nat(), (key, nonce, plaintext, at) => {
        const sealed = chacha20poly1305(key, nonce).encrypt(plaintext);
        const changed = sealed.slice();
        changed[at % changed.length]! ^= 1;
        expect(() => chacha20poly1305(key, nonce).decrypt(changed)).toThrow();
        expect(() => nobleChacha(key, nonce).decrypt(changed)).toThrow();
        const other = nonce.slice();
        other[11]! ^= 1;
        expect(() => chacha20poly1305(key, other).decrypt(sealed)).toThrow();
      }),
    );
    expect(() => chacha20poly1305(new Uint8Array(32), new Uint8Array(12)).decrypt(new Uint8Array(15))).toThrow();
  });
});

describe("hashes", () => {
  it("sha256 and hmac match noble and RFC 4231 case 2", () => {
    expect(Buffer.from(sha256(new TextEncoder().encode("abc"))).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    const mac = hmac(sha256, new TextEncoder().encode("Jefe"), new TextEncoder().encode("what do ya want for nothing?"));
    expect(Buffer.from(mac).toString("hex")).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    fc.assert(
      fc.property(bytes(100), bytes(), (key, message) => {
        expect(sha256(message)).toEqual(nobleSha256(message));
        expect(hmac(sha256, key, message)).toEqual(nobleHmac(nobleSha256, key, message));
      }),
    );
    expect(sha256.outputLen).toBe(32);
    expect(sha256.blockLen).toBe(64);
  });

  it("hkdf gives RFC 5869 test case 1, and refuses lengths HKDF cannot give", () => {
    const okm = hkdf(sha256, hex("0b".repeat(22)), hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
    expect(Buffer.from(okm).toString("hex")).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    expect(() => hkdf(sha256, new Uint8Array(1), undefined, undefined, 255 * 32 + 1)).toThrow(/0 to 8160 bytes/);
    expect(() => hkdf(sha256, new Uint8Array(1), undefined, undefined, -1)).toThrow(/0 to 8160 bytes/);
  });

  it("hkdf matches noble, with and without a salt (age's header key has none)", () => {
    fc.assert(
      fc.property(bytes(64), fc.option(bytes(64), { nil: undefined }), bytes(40), fc.integer({ min: 1, max: 255 }), (ikm, salt, info, length) => {
        expect(hkdf(sha256, ikm, salt, info, length)).toEqual(nobleHkdf(nobleSha256, ikm, salt, info, length));
      }),
    );
  });

  it("accepts only its own SHA-256, and leaves scrypt and HKDF extract/expand unavailable", () => {
    expect(() => hmac(nobleSha256 as unknown as typeof sha256, new Uint8Array(1), new Uint8Array(1))).toThrow(/only SHA-256/);
    expect(() => hkdf(nobleSha256 as unknown as typeof sha256, new Uint8Array(1), undefined, undefined, 32)).toThrow(/only SHA-256/);
    expect(() => scrypt()).toThrow(/not available/);
    expect(() => extract()).toThrow(/not available/);
    expect(() => expand()).toThrow(/not available/);
  });

  it("randomBytes gives fresh bytes of the asked length", () => {
    expect(randomBytes(16)).toHaveLength(16);
    expect(randomBytes()).toHaveLength(32);
    expect(randomBytes(32)).not.toEqual(randomBytes(32));
  });
});

describe("unsupported modules", () => {
  it("give the X25519 base point and fail loudly on anything else", () => {
    expect((x25519 as { GuBytes: Uint8Array }).GuBytes).toEqual(hex("09".padEnd(64, "0")));
    expect(() => (x25519 as { scalarMult: unknown }).scalarMult).toThrow(/not available/);
    expect(() => (p256 as { Point: unknown }).Point).toThrow(/not available/);
    expect(() => (MLKEM768X25519 as { encapsulate: unknown }).encapsulate).toThrow(/not available/);
  });
});

describe("the shim map", () => {
  const ageDist = join(process.cwd(), "node_modules", "age-encryption", "dist");

  it("covers every @noble module age-encryption imports", () => {
    const imported = new Set<string>();
    for (const name of readdirSync(ageDist).filter((n) => n.endsWith(".js"))) {
      for (const m of readFileSync(join(ageDist, name), "utf8").matchAll(/from "(@noble\/[^"]+)"/g)) imported.add(m[1]!);
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((specifier) => !(specifier in nobleShims))).toEqual([]);
  });

  it("refuses an unknown @noble module and applies only to age-encryption's files", () => {
    expect(() => nobleShim("@noble/hashes/sha3.js")).toThrow(/no node:crypto shim/);
    expect(isAgeEncryptionFile(join(ageDist, "index.js"))).toBe(true);
    expect(isAgeEncryptionFile(join(process.cwd(), "src", "crypto", "index.ts"))).toBe(false);
  });

  it("is active in these tests: age-encryption's passphrase path reaches the scrypt stand-in", async () => {
    const { Encrypter } = await import("age-encryption");
    const encrypter = new Encrypter();
    encrypter.setPassphrase("correct horse battery staple");
    await expect(encrypter.encrypt(new Uint8Array(1))).rejects.toThrow(/scrypt \(passphrases\) is not available/);
  });

  it("gives age-encryption's modules the in-memory streams: what it returns for a stream is one of them", async () => {
    const { Encrypter, Decrypter, generateX25519Identity, identityToRecipient } = await import("age-encryption");
    const identity = await generateX25519Identity();
    const encrypter = new Encrypter();
    encrypter.addRecipient(await identityToRecipient(identity));
    const input = new memory.ReadableStream({ start: (ctl) => (ctl.enqueue(new TextEncoder().encode("x")), ctl.close()) });
    const out = await encrypter.encrypt(input as unknown as ReadableStream<Uint8Array>);
    expect(out).toBeInstanceOf(memory.ReadableStream);
    // Bytes in, bytes out: its Response-based collection runs on the in-memory Response.
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    const file = await new memory.Response(out).arrayBuffer();
    expect(new TextDecoder().decode(await decrypter.decrypt(new Uint8Array(file)))).toBe("x");
  });

  it("imports the in-memory classes over the globals a module names, on its first line, and refuses other stream globals", () => {
    const code = "export function f(s) {\n  return s instanceof ReadableStream ? new Response(s) : null;\n}\n";
    const shimmed = withStreamShim(code, "io.js");
    expect(shimmed).toBe(`import { ReadableStream, Response } from ${JSON.stringify(streamShim)}; ${code}`);
    expect(shimmed.split("\n")).toHaveLength(code.split("\n").length);
    expect(withStreamShim("export const x = 1;\n", "x.js")).toBe("export const x = 1;\n");
    expect(() => withStreamShim("new WritableStream()", "armor.js")).toThrow(/armor\.js uses WritableStream/);
  });
});
