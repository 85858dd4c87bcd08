import { describe, expect, it } from "vitest";
import { classifyValue, decodePayload, encodeEncryptedValue, staticState } from "./value.js";

// Not a real age file: classification looks at the encoding and the magic line only.
const ageFile = new Uint8Array(Buffer.from("age-encryption.org/v1\n-> X25519 stand-in\n"));
const value = encodeEncryptedValue("0a1b2c3d", ageFile);

describe("classifyValue", () => {
  it("tells empty, plaintext, encrypted, unknown versions and malformed values apart", () => {
    expect(classifyValue("")).toEqual({ kind: "empty" });
    expect(classifyValue("hunter2")).toEqual({ kind: "plaintext" });
    expect(classifyValue(value)).toEqual({ kind: "encrypted", value: { fingerprint: "0a1b2c3d", ageFile } });
    expect(classifyValue(value.replace("gv1", "gv2"))).toEqual({ kind: "unknown-version", version: 2 });
    // A bad fingerprint, base64 that does not round-trip, a payload that is no age file.
    for (const bad of [value.replace("0a1b2c3d", "0A1B2C3D"), `${value}!`, encodeEncryptedValue("0a1b2c3d", new Uint8Array([1, 2, 3]))]) {
      expect(classifyValue(bad), bad).toEqual({ kind: "malformed" });
    }
  });
});

describe("staticState", () => {
  it("is stale when encrypted to another recipient set than the file's, else the value's kind", () => {
    expect(staticState(value, "0a1b2c3d")).toBe("encrypted");
    expect(staticState(value, "ffffffff")).toBe("stale");
    expect(staticState("", "0a1b2c3d")).toBe("empty");
    expect(staticState("plain", "0a1b2c3d")).toBe("plaintext");
    expect(staticState(value.replace("gv1", "gv9"), "0a1b2c3d")).toBe("unknown-version");
    expect(staticState("encrypted:gv1:0a1b2c3d:@@@", "0a1b2c3d")).toBe("malformed");
  });
});

describe("decodePayload", () => {
  const bytes = (...parts: (string | number[])[]) => new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)))));
  it("returns the value bound to the key, = signs and all", () => {
    const opened = decodePayload("API", bytes("API=a=b=c"));
    expect(opened.ok && opened.value.reveal()).toBe("a=b=c");
  });
  it("names the key a payload is bound to, and refuses value bytes that are not UTF-8", () => {
    expect(decodePayload("API", bytes("OTHER=v"))).toEqual({ ok: false, problem: "key-binding", boundKey: "OTHER" });
    expect(decodePayload("API", bytes("no equals sign"))).toEqual({ ok: false, problem: "key-binding", boundKey: null });
    expect(decodePayload("API", bytes("API=caf", [0xe9]))).toEqual({ ok: false, problem: "not-utf8" });
    const multibyte = decodePayload("API", bytes("API=caf\u00e9"));
    expect(multibyte.ok && multibyte.value.reveal()).toBe("caf\u00e9");
    // A value that starts with U+FEFF keeps it: the decoder must not take it for a byte order mark.
    const bom = decodePayload("API", bytes("API=\ufeffx"));
    expect(bom.ok && bom.value.reveal()).toBe("\ufeffx");
  });
});
