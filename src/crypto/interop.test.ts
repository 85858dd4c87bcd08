// Interop with the reference age command-line tools, both directions. Data
// goes over stdin; only recipients (public) appear in argv; identities are
// written to 0600 files in a temporary directory that is removed afterwards.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptFile, encryptFile, generateIdentity, identityToRecipient } from "./index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const SECRET = "API_TOKEN=tok_live_51H7x\nsecond line ✓";

function run(command: string, args: readonly string[], input?: Uint8Array): Buffer {
  const result = spawnSync(command, args, input === undefined ? {} : { input });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message} (install age: apt-get install age)`);
  if (result.status !== 0) throw new Error(`${command} exited ${String(result.status)}: ${result.stderr.toString().trim()}`);
  return result.stdout;
}

/** age-keygen's output: the identity and the "# public key:" recipient it printed. */
function ageKeygen(): { identity: string; recipient: string } {
  const out = run("age-keygen", []).toString("utf8");
  const identity = /^(AGE-SECRET-KEY-1[0-9A-Z]+)$/m.exec(out)?.[1];
  const recipient = /^# public key: (age1[0-9a-z]+)$/m.exec(out)?.[1];
  if (identity === undefined || recipient === undefined) throw new Error("unexpected age-keygen output");
  return { identity, recipient };
}

let dir: string;
let keyFiles = 0;

function keyFile(...identities: string[]): string {
  const path = join(dir, `key-${keyFiles++}.txt`);
  writeFileSync(path, `${identities.join("\n")}\n`, { mode: 0o600 });
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "git-vault-age-interop-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("age CLI interop", () => {
  it("the age and age-keygen commands are installed", () => {
    expect(run("age", ["--version"]).toString()).toMatch(/\d+\.\d+/);
  });

  it("identities from age-keygen give the same recipient and decrypt", async () => {
    for (let i = 0; i < 3; i++) {
      const key = ageKeygen();
      expect(await identityToRecipient(key.identity)).toBe(key.recipient);
      expect(run("age-keygen", ["-y"], enc.encode(`${key.identity}\n`)).toString().trim()).toBe(key.recipient);
    }
  });

  it("our identities give the recipient age-keygen -y derives", async () => {
    for (let i = 0; i < 3; i++) {
      const identity = await generateIdentity();
      const derived = run("age-keygen", ["-y", keyFile(identity)]).toString().trim();
      expect(derived).toBe(await identityToRecipient(identity));
    }
  });

  it("age -d decrypts encryptFile output (1 and 5 recipients, our and age-keygen keys)", async () => {
    const ours = await Promise.all([0, 1, 2].map(() => generateIdentity()));
    const theirs = [ageKeygen(), ageKeygen()];
    const identities = [...ours, ...theirs.map((k) => k.identity)];
    const recipients = await Promise.all(identities.map((id) => identityToRecipient(id)));
    for (const [set, label] of [
      [[0], "one recipient"],
      [[0, 1, 2, 3, 4], "five recipients"],
    ] as const) {
      for (const size of [0, 32, 70_000]) {
        const plaintext = size === 32 ? enc.encode(SECRET) : new Uint8Array(size).map((_, i) => i % 251);
        const file = await encryptFile(
          set.map((i) => recipients[i]!),
          plaintext,
        );
        for (const i of set) {
          const out = run("age", ["-d", "-i", keyFile(identities[i]!)], file);
          expect(new Uint8Array(out), `${label}, identity ${i}, ${size} B`).toEqual(plaintext);
        }
      }
    }
  });

  it("decryptFile opens files from age -r (1 and several recipients)", async () => {
    const ours = await Promise.all([0, 1, 2].map(() => generateIdentity()));
    const theirs = [ageKeygen(), ageKeygen()];
    const identities = [...ours, ...theirs.map((k) => k.identity)];
    const recipients = await Promise.all(identities.map((id) => identityToRecipient(id)));
    const plaintext = enc.encode(SECRET);

    const single = run("age", ["-r", recipients[3]!], plaintext);
    expect(dec.decode(await decryptFile([identities[3]!], single))).toBe(SECRET);

    const multi = run("age", recipients.flatMap((r) => ["-r", r]), plaintext);
    for (const identity of identities) {
      expect(dec.decode(await decryptFile([identity], multi))).toBe(SECRET);
    }
    // Several identities at once, the matching one last.
    const stranger = await generateIdentity();
    expect(dec.decode(await decryptFile([stranger, identities[4]!], multi))).toBe(SECRET);
    await expect(decryptFile([stranger], multi)).rejects.toMatchObject({ code: "crypto-no-match" });

    const big = new Uint8Array(200_000).map((_, i) => (i * 13) % 256);
    const bigFile = run("age", ["-r", recipients[0]!, "-r", recipients[4]!], big);
    expect(await decryptFile([identities[4]!], bigFile)).toEqual(big);
  });

  it("age -d rejects what decryptFile rejects: a flipped payload byte", async () => {
    const identity = await generateIdentity();
    const file = await encryptFile([await identityToRecipient(identity)], enc.encode(SECRET));
    const copy = Uint8Array.from(file);
    copy[copy.length - 3]! ^= 0x80;
    const result = spawnSync("age", ["-d", "-i", keyFile(identity)], { input: copy });
    expect(result.status).not.toBe(0);
    await expect(decryptFile([identity], copy)).rejects.toMatchObject({ code: "crypto-tampered" });
  });
});
