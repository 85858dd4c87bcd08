// The least work a Node process can do to set one value in an env file, as a
// floor for the `set` budget: read the file, seal one value to one X25519
// public key the way age does (ephemeral key agreement, HKDF-SHA-256,
// ChaCha20-Poly1305 for the file key and the payload), replace one line, and
// write the file atomically (temporary file, fsync, rename), as git-vault
// does. It is not age's format (no header, no MAC) and not for any other use:
// it measures what Node itself costs, not what a tool built on it does.
//
//   node set-floor.cjs FILE KEY VALUE RECIPIENT_X   (RECIPIENT_X: raw public key, base64url)
"use strict";
const { readFileSync, openSync, writeSync, fsyncSync, closeSync, renameSync } = require("node:fs");
const { createCipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } = require("node:crypto");

const [file, key, value, recipientX] = process.argv.slice(2);
const seal = (k, nonce, data) => {
  const c = createCipheriv("chacha20-poly1305", k, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
};
const ephemeral = generateKeyPairSync("x25519");
const recipient = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: recipientX }, format: "jwk" });
const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
const fileKey = randomBytes(16);
const wrapped = seal(Buffer.from(hkdfSync("sha256", shared, "", "age-encryption.org/v1/X25519", 32)), Buffer.alloc(12), fileKey);
const nonce = randomBytes(16);
const last = Buffer.alloc(12);
last[11] = 1;
const payload = seal(Buffer.from(hkdfSync("sha256", fileKey, nonce, "payload", 32)), last, Buffer.from(`${key}=${value}`));
const sealed = Buffer.concat([wrapped, nonce, payload]).toString("base64");

const lines = readFileSync(file, "utf8").split("\n");
const at = lines.findIndex((l) => l.startsWith(`${key}=`));
if (at < 0) throw new Error(`${key} not in ${file}`);
lines[at] = `${key}=encrypted:floor:${sealed}`;
const tmp = `${file}.floor-tmp`;
const fd = openSync(tmp, "w", 0o600);
writeSync(fd, lines.join("\n"));
fsyncSync(fd);
closeSync(fd);
renameSync(tmp, file);
