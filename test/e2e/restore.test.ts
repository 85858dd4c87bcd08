// `restore` undoes `decrypt --in-place` from the last commit (SPEC §4): a value
// that did not change gets its committed ciphertext back, so the file is byte
// for byte what HEAD has; a changed value is encrypted afresh.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitVault, hostWithCommit } from "../support/git.js";
import { type Sandbox, makeSandbox } from "../support/sandbox.js";

let sb: Sandbox;
let host: string;
let envFile: string;

beforeAll(() => {
  sb = makeSandbox();
  host = hostWithCommit(sb, "host");
  gitVault(sb, host, "init", "--no-submodule");
  envFile = join(host, "vault", ".env.dev");
  for (const [key, value] of [["A", "a-value-1"], ["EMPTY", ""], ["QUOTED", '"opens a quote'], ["PEM", "line1\r\nline2\r\n"]] as const) {
    const r = sb.vault(host, ["set", key, "--stdin"], { input: `${value}\n` });
    expect(r.status, r.stderr).toBe(0);
  }
  sb.git(host, "add", "vault");
  sb.git(host, "commit", "-qm", "secrets");
});
afterAll(() => sb.cleanup());

describe("restore", () => {
  it("after decrypt --in-place, gives every unchanged value its committed ciphertext back, the empty one included", () => {
    const committed = readFileSync(envFile);
    const decrypted = sb.vault(host, ["decrypt", "--in-place"]);
    expect(decrypted.status, decrypted.stderr).toBe(0);
    expect(readFileSync(envFile, "utf8")).toContain("A=a-value-1\n");
    const r = sb.vault(host, ["restore"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("vault/.env.dev: 4 values restored from HEAD, 0 encrypted afresh\n");
    expect(readFileSync(envFile).equals(committed)).toBe(true);
    expect(sb.git(host, "status", "--porcelain")).toBe("");
  });

  it("encrypts a value changed while decrypted afresh, and keeps the others' ciphertext", () => {
    const committed = readFileSync(envFile, "utf8");
    expect(sb.vault(host, ["decrypt", "--in-place"]).status).toBe(0);
    writeFileSync(envFile, readFileSync(envFile, "utf8").replace("A=a-value-1", "A=a-value-2"));
    const r = sb.vault(host, ["restore"]);
    expect(r.stderr).toBe("vault/.env.dev: 3 values restored from HEAD, 1 encrypted afresh\n");
    const now = readFileSync(envFile, "utf8").split("\n");
    const before = committed.split("\n");
    expect(now.filter((l, i) => l !== before[i]).map((l) => l.split("=")[0])).toEqual(["A"]);
    expect(sb.vault(host, ["get", "A", "--reveal"]).stdout).toBe("a-value-2\n");
    expect(sb.vault(host, ["get", "PEM", "--reveal"]).stdout).toBe("line1\r\nline2\r\n\n");
  });
});
