import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VaultError } from "../errors.js";
import { audited } from "./audit.js";
import type { Context } from "./context.js";

let dir: string;
let ctx: Context;
const entries = (): { command: string; keys: string[]; client: string | null; result: string; error: string | null }[] =>
  readFileSync(join(dir, "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { command: string; keys: string[]; client: string | null; result: string; error: string | null });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "git-vault-audited-"));
  ctx = { cwd: dir, env: { GIT_VAULT_AUDIT_LOG: join(dir, "audit.jsonl"), HOME: dir }, stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), clock: () => new Date("2026-01-31T09:00:00Z") };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("audited", () => {
  it("one entry per operation, with the keys the operation named", async () => {
    expect(await audited(ctx, "get --reveal", (note) => ((note.keys = ["A"]), Promise.resolve(42)))).toBe(42);
    expect(entries()).toMatchObject([{ command: "get --reveal", keys: ["A"], result: "ok", error: null }]);
  });

  it("a failure is logged with its code and rethrown; a policy denial as denied", async () => {
    await expect(audited(ctx, "run", () => Promise.reject(new VaultError("key-missing", "no key")))).rejects.toThrow("no key");
    await expect(audited(ctx, "run", () => Promise.reject(new VaultError("policy-denied", "no")))).rejects.toThrow("no");
    expect(entries().map((e) => [e.result, e.error])).toEqual([
      ["failed", "key-missing"],
      ["denied", "policy-denied"],
    ]);
  });

  it("nested calls (a front calling use cases) make one entry with the outer command and client and every inner key", async () => {
    await audited(ctx, "serve get", async (note) => {
      note.client = "token-1";
      await audited(ctx, "get --reveal", (inner) => {
        expect([inner.command, inner.client]).toEqual(["serve get", "token-1"]);
        inner.keys = ["A"];
        return Promise.resolve();
      });
      await audited(ctx, "get --reveal", (inner) => ((inner.keys = ["B"]), Promise.resolve()));
    });
    expect(entries()).toMatchObject([{ command: "serve get", client: "token-1", keys: ["A", "B"], result: "ok" }]);
  });

  it("an entry that cannot be written fails the operation", async () => {
    ctx = { ...ctx, env: { ...ctx.env, GIT_VAULT_AUDIT_LOG: dir } };
    await expect(audited(ctx, "get --reveal", () => Promise.resolve("value"))).rejects.toThrow(/cannot write the audit log .*: it is a folder/);
  });
});
