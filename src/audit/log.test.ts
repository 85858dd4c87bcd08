import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AuditRecord, GENESIS, appendAuditEntry, readAuditLog, verifyAuditLog } from "./log.js";

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "git-vault-audit-"));
  path = join(dir, "state", "audit.jsonl");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function rec(command: string, keys: string[] = ["API_TOKEN"]): AuditRecord {
  return { time: "2026-01-31T09:00:00.000Z", host: "h", user: "u", uid: 1000, command, repo: "/r", vaultDir: "/r/vault", env: "prod", file: "/r/vault/.env.prod", keys, container: null, client: null, result: "ok", error: null };
}

async function fiveEntries(): Promise<string[]> {
  for (const c of ["set", "get --reveal", "run", "decrypt", "unset"]) await appendAuditEntry(path, rec(c));
  return readFileSync(path, "utf8").split("\n").slice(0, -1);
}

const write = (lines: readonly string[]): void => writeFileSync(path, `${lines.join("\n")}\n`);

describe("appendAuditEntry", () => {
  it("creates the log 0600 in a new folder and chains each entry to the one before", async () => {
    const first = await appendAuditEntry(path, rec("set"));
    const second = await appendAuditEntry(path, rec("get --reveal"));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect([first.seq, first.prev, second.seq, second.prev]).toEqual([1, GENESIS, 2, first.hash]);
    expect(readAuditLog(path).map((e) => e.command)).toEqual(["set", "get --reveal"]);
    expect(verifyAuditLog(path)).toEqual({ ok: true, exists: true, entries: 2, head: second.hash });
  });

  it("narrows a log others could read to 0600", async () => {
    await appendAuditEntry(path, rec("set"));
    const { chmodSync } = await import("node:fs");
    chmodSync(path, 0o644);
    await appendAuditEntry(path, rec("get --reveal"));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("refuses to append after an incomplete last line (no entry would chain to it)", async () => {
    const [line] = await fiveEntries();
    writeFileSync(path, `${line as string}\n{"seq":2,"ti`);
    await expect(appendAuditEntry(path, rec("run"))).rejects.toThrow(/ends with an incomplete line/);
  });

  it("refuses to append to a file that is not an audit log (a configuration pointing auditLog at ~/.bashrc, say)", async () => {
    const other = join(dir, "bashrc");
    writeFileSync(other, "export PATH=$HOME/bin:$PATH\n");
    await expect(appendAuditEntry(other, rec("run"))).rejects.toThrow(/ends with a line that is not an audit entry/);
    expect(readFileSync(other, "utf8")).toBe("export PATH=$HOME/bin:$PATH\n");
  });

  it("an unwritable place fails with an error naming the log", async () => {
    writeFileSync(join(dir, "file"), "");
    await expect(appendAuditEntry(join(dir, "file", "audit.jsonl"), rec("run"))).rejects.toThrow(/cannot write the audit log .*file\/audit\.jsonl: a part of the path is not a folder/);
  });
});

describe("verifyAuditLog names the first bad line", () => {
  it("passes an intact log and a missing one", async () => {
    await fiveEntries();
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, entries: 5 });
    expect(verifyAuditLog(join(dir, "none.jsonl"))).toEqual({ ok: true, exists: false, entries: 0, head: GENESIS });
  });

  it("an edited line (a key name changed)", async () => {
    const lines = await fiveEntries();
    lines[2] = (lines[2] as string).replace("API_TOKEN", "OTHER_KEY");
    write(lines);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 3, problem: "its content does not match its hash (the line was edited)" });
  });

  it("an edited last line", async () => {
    const lines = await fiveEntries();
    lines[4] = (lines[4] as string).replace('"result":"ok"', '"result":"denied"');
    write(lines);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 5 });
  });

  it("an edited line whose hash was recomputed breaks the next line's link", async () => {
    const lines = await fiveEntries();
    const { createHash } = await import("node:crypto");
    const body = (lines[1] as string).replace(/,"hash":"[0-9a-f]{64}"\}$/, "}").replace("API_TOKEN", "OTHER_KEY");
    lines[1] = `${body.slice(0, -1)},"hash":"${createHash("sha256").update(body).digest("hex")}"}`;
    write(lines);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 3, problem: "it does not follow line 2 (a line was removed, inserted or replaced)" });
  });

  it("a removed line", async () => {
    const lines = await fiveEntries();
    lines.splice(2, 1);
    write(lines);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 3, problem: "entries 3 before it are missing (lines were removed)" });
  });

  it("a removed first line", async () => {
    const lines = await fiveEntries();
    write(lines.slice(1));
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 1, problem: "entries 1 before it are missing (lines were removed)" });
  });

  it("two swapped lines", async () => {
    const lines = await fiveEntries();
    [lines[1], lines[2]] = [lines[2] as string, lines[1] as string];
    write(lines);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2, problem: "entry 3 is out of order (lines were moved or swapped; entry 2 was expected)" });
  });

  it("a line that is not an entry", async () => {
    const lines = await fiveEntries();
    lines.splice(1, 0, "hello");
    write(lines);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2, problem: "not an audit entry (damaged or edited)" });
  });
});
