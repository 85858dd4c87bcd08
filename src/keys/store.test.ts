import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Secret } from "../core/secret.js";
import { encodeDeviceIdentity, fileIdentityStore, parseDeviceIdentity } from "./store.js";

// Test-only keys (well-formed bech32 text is not needed to parse; only the alphabet is checked).
const KEY_A = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
const KEY_B = "AGE-SECRET-KEY-1PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP";
const KEY_C = "AGE-SECRET-KEY-1ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("parseDeviceIdentity / encodeDeviceIdentity", () => {
  it("reads an age-keygen file as one current key with its recipient and date", () => {
    const parsed = parseDeviceIdentity(`# created: 2026-01-02T03:04:05Z\n# public key: age1abc\n${KEY_A}\n`, "id");
    expect(parsed.keys.map((k) => [k.key.reveal(), k.state, k.recipient, k.since])).toEqual([[KEY_A, "current", "age1abc", "2026-01-02T03:04:05Z"]]);
  });

  it("writes back exactly the bytes age-keygen writes for one key", () => {
    const text = `# created: 2026-01-02T03:04:05Z\n# public key: age1abc\n${KEY_A}\n`;
    expect(encodeDeviceIdentity(parseDeviceIdentity(text, "id"))).toBe(text);
  });

  it("keeps pending and retired keys with their dates, and orders current, pending, retired", () => {
    const text = `# git-vault: retired 2026-05-01T00:00:00Z\n# public key: age1old\n${KEY_A}\n# git-vault: pending\n${KEY_C}\n# public key: age1new\n${KEY_B}\n`;
    const parsed = parseDeviceIdentity(text, "id");
    expect(parsed.keys.map((k) => [k.key.reveal(), k.state])).toEqual([[KEY_B, "current"], [KEY_C, "pending"], [KEY_A, "retired"]]);
    expect(parsed.keys[2]?.since).toBe("2026-05-01T00:00:00Z");
    const again = parseDeviceIdentity(encodeDeviceIdentity(parsed), "id");
    expect(again.keys.map((k) => [k.key.reveal(), k.state, k.recipient, k.since])).toEqual(parsed.keys.map((k) => [k.key.reveal(), k.state, k.recipient, k.since]));
  });

  it("a marker applies to the next key only", () => {
    const parsed = parseDeviceIdentity(`# git-vault: retired\n${KEY_A}\n${KEY_B}\n`, "id");
    expect(parsed.keys.map((k) => k.state)).toEqual(["current", "retired"]);
    expect(parsed.keys[0]?.key.reveal()).toBe(KEY_B);
  });

  it("names the line of a bad key, never its text, and refuses text with no key", () => {
    expect(() => parseDeviceIdentity(`${KEY_A}\nAGE-SECRET-KEY-1bad-secret-text\n`, "keys.txt")).toThrow(/^keys\.txt:2: not an age X25519 identity/);
    let message = "";
    try {
      parseDeviceIdentity("AGE-SECRET-KEY-1bad-secret-text\n", "keys.txt");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^keys\.txt:1: /);
    expect(message).not.toContain("bad-secret-text");
    expect(() => parseDeviceIdentity("# only a comment\n", "keys.txt")).toThrow(/keys\.txt: contains no age identity/);
  });
});

describe("fileIdentityStore", () => {
  const tempStore = () => {
    const dir = mkdtempSync(join(tmpdir(), "gv-store-"));
    dirs.push(dir);
    return { path: join(dir, "git-vault", "identity"), store: fileIdentityStore(join(dir, "git-vault", "identity")) };
  };

  it("reads nothing before a write, then what was written, in a 0600 file in a 0700 folder", () => {
    const { path, store } = tempStore();
    expect(store.read()).toBeNull();
    store.write({ keys: [{ key: new Secret(KEY_A), state: "current" }, { key: new Secret(KEY_B), state: "retired", since: "2026-01-01T00:00:00Z" }] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, "utf8")).toBe(`${KEY_A}\n# git-vault: retired 2026-01-01T00:00:00Z\n${KEY_B}\n`);
    expect(store.read()?.keys.map((k) => k.state)).toEqual(["current", "retired"]);
  });

  it("an exclusive write refuses to replace a stored identity and leaves it as it was", () => {
    const { path, store } = tempStore();
    store.write({ keys: [{ key: new Secret(KEY_A), state: "current" }] });
    expect(() => store.write({ keys: [{ key: new Secret(KEY_B), state: "current" }] }, { exclusive: true })).toThrow(/an identity already exists at/);
    expect(readFileSync(path, "utf8")).toBe(`${KEY_A}\n`);
  });

  it("refuses a file others can read, naming the chmod", () => {
    const { path, store } = tempStore();
    store.write({ keys: [{ key: new Secret(KEY_A), state: "current" }] });
    rmSync(path);
    writeFileSync(path, `${KEY_A}\n`, { mode: 0o644 });
    expect(() => store.read()).toThrow(/accessible by group or others \(mode 0644\)/);
  });

  it("remove deletes the file and is quiet when nothing is stored", () => {
    const { path, store } = tempStore();
    store.remove();
    store.write({ keys: [{ key: new Secret(KEY_A), state: "current" }] });
    store.remove();
    expect(() => statSync(path)).toThrow();
    expect(store.read()).toBeNull();
  });
});
