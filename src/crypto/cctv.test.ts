// The age test vectors (C2SP CCTV, npm cctv-age) run through decryptFile.
// Vectors that need passphrases, armor or post-quantum identities are outside
// git-vault's API and skipped; the rest must give the expected outcome.
import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import * as vectors from "cctv-age";
import { describe, expect, it } from "vitest";
import { decryptFile, generateIdentity, type CryptoErrorCode } from "./index.js";

interface Vector {
  readonly name: string;
  readonly expect: string;
  readonly payload: string | undefined;
  readonly identities: string[];
  readonly passphrases: string[];
  readonly armored: boolean;
  readonly file: Uint8Array;
}

function parseVector(name: string, bytes: Uint8Array): Vector {
  const text = Buffer.from(bytes);
  const split = text.indexOf("\n\n");
  const fields = text
    .subarray(0, split)
    .toString("utf8")
    .split("\n")
    .map((line) => {
      const at = line.indexOf(": ");
      return [line.slice(0, at), line.slice(at + 2)] as const;
    });
  const all = (key: string) => fields.filter(([k]) => k === key).map(([, v]) => v);
  const body = text.subarray(split + 2);
  return {
    name,
    expect: all("expect")[0] ?? "",
    payload: all("payload")[0],
    identities: all("identity"),
    passphrases: all("passphrase"),
    armored: all("armored")[0] === "yes",
    file: all("compressed")[0] === "zlib" ? inflateSync(body) : body,
  };
}

// cctv outcome → CryptoError code; "payload failure" releases nothing through
// this API (the whole value or an error), so only the code is checked there.
const expectedCode: Record<string, CryptoErrorCode> = {
  "no match": "crypto-no-match",
  "HMAC failure": "crypto-tampered",
  "header failure": "crypto-malformed",
  "payload failure": "crypto-tampered",
};

const all = Object.entries(vectors).map(([name, bytes]) => parseVector(name, bytes));
const x25519Only = all.filter(
  (v) =>
    !v.armored &&
    v.passphrases.length === 0 &&
    v.identities.every((id) => id.startsWith("AGE-SECRET-KEY-1")),
);

describe("cctv-age vectors (X25519)", () => {
  it("covers the X25519, stanza, header and stream vectors", () => {
    const names = x25519Only.map((v) => v.name);
    expect(names.length).toBeGreaterThanOrEqual(60);
    for (const prefix of ["x25519", "stanza_", "stream_", "hmac_", "header_", "version_"]) {
      expect(names.some((n) => n.startsWith(prefix)), prefix).toBe(true);
    }
    expect(x25519Only.every((v) => v.expect in expectedCode || v.expect === "success")).toBe(true);
  });

  it.each(x25519Only.map((v) => [v.name, v] as const))("%s", async (_name, vector) => {
    // A vector without identities (an empty file) still needs one to call us.
    const identities = vector.identities.length > 0 ? vector.identities : [await generateIdentity()];
    const result = decryptFile(identities, vector.file);
    if (vector.expect === "success") {
      const plaintext = await result;
      expect(createHash("sha256").update(plaintext).digest("hex")).toBe(vector.payload);
    } else {
      await expect(result).rejects.toMatchObject({ name: "CryptoError", code: expectedCode[vector.expect] });
    }
  });
});
