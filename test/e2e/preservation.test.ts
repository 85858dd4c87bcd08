// End-to-end tests of what commands do to the bytes of an env file (SPEC §3.6,
// §3.7, §10): encrypt keeps every unrelated byte and is idempotent, set changes
// exactly one line (or adds one line or one section block), and concurrent
// writers lose nothing.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { beforeAll, describe, expect, it } from "vitest";
import { ENCRYPTED_V1, changedBlock, differingLines, escapeRegExp, linesWithBreaks } from "../support/assertions.js";
import { cliSuite } from "../support/suite.js";

const DIVIDER = `# ${"-".repeat(78)}`;
const suite = cliSuite();
const { log, ok, read } = suite;
let recipient: string;

beforeAll(() => {
  ({ recipient } = suite.keygen());
});

describe("encrypt keeps every unrelated byte", () => {
  // Each line: plain text, or [prefix, raw value, suffix] of an assignment.
  const lines: (string | [string, string, string])[] = [
    "# Local settings of the demo app",
    "",
    ["export API_KEY=", "plain-api-key-0001", ""],
    ["SINGLE=", "'single  quoted value'", ""],
    ["DOUBLE=", '"double # kept inside"', "   # inline comment"],
    ["BACKTICK=", "`back tick value`", ""],
    ["SPACED = ", "spaced-value-0002", ""],
    ["EMPTY=", "", ""],
    "",
    "   # an indented comment",
    ["LAST=", "last-value-0003", ""],
  ];
  const original = lines.map((l) => (typeof l === "string" ? l : l.join(""))).join("\r\n");
  const file = "plain-crlf.env";
  for (const value of Object.values(parseDotenv(original))) if (value.length >= 6) log.secret(value);
  let encrypted = "";

  beforeAll(() => {
    writeFileSync(join(suite.work, file), original);
    ok(["encrypt", "--file", file]);
    encrypted = read(file);
  });

  it("adds the header on top and changes only value text, staying CRLF with no final newline", () => {
    const out = encrypted.split("\r\n");
    expect(out[0]).toBe("# git-vault v1");
    expect(out[1]).toMatch(new RegExp(`^# recipient: ${recipient}( \\S.*)?$`));
    expect(out[2]).toBe("");
    const body = out.slice(3);
    expect(body).toHaveLength(lines.length);
    lines.forEach((l, i) => {
      if (typeof l === "string") expect(body[i]).toBe(l);
      else if (l[1] === "") expect(body[i], "an empty value stays empty").toBe(l.join(""));
      else expect(body[i]).toMatch(new RegExp(`^${escapeRegExp(l[0])}${ENCRYPTED_V1.source}${escapeRegExp(l[2])}$`));
    });
    expect(encrypted.replace(/\r\n/g, ""), "no bare LF or CR").not.toMatch(/[\r\n]/);
    expect(encrypted.endsWith("\n")).toBe(false);
  });

  it("decrypts to the values dotenv reads from the original", () => {
    const r = ok(["decrypt", "--file", file]);
    expect(parseDotenv(r.stdout)).toEqual(parseDotenv(original));
  });

  it("is idempotent: encrypt twice gives byte-identical files", () => {
    const before = readFileSync(join(suite.work, file));
    const r = ok(["encrypt", "--file", file]);
    expect(r.stderr).toMatch(/encrypted 0 values/);
    expect(readFileSync(join(suite.work, file)).equals(before)).toBe(true);
  });

  it("set of the last key (no final newline) changes exactly that line and keeps CRLF", () => {
    const before = read(file);
    ok(["set", "--file", file, "LAST", log.secret("new-last-value-0004")]);
    const after = read(file);
    expect(differingLines(before.split("\r\n"), after.split("\r\n"))).toEqual([before.split("\r\n").length - 1]);
    expect(after.endsWith("\n")).toBe(false);
    expect(after.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });

  it("a new key adds exactly one line, keeps CRLF and the missing final newline", () => {
    const before = read(file);
    ok(["set", "--file", file, "ADDED_KEY", log.secret("added-value-0005")]);
    const after = read(file);
    const change = changedBlock(before.split("\r\n"), after.split("\r\n"));
    expect(change.removed).toEqual([]);
    expect(change.added).toHaveLength(1);
    expect(change.added[0]).toMatch(new RegExp(`^ADDED_KEY=${ENCRYPTED_V1.source}$`));
    expect(after.endsWith("\n")).toBe(false);
    expect(after.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(ok(["get", "--file", file, "ADDED_KEY", "--reveal"]).stdout).toBe("added-value-0005\n");
  });
});

describe("set changes only what it must", () => {
  const file = "edits.env";
  const plaintext = [
    "# app settings",
    "",
    "export API_TOKEN=token-value-1111",
    "DB_USER=db-user-2222   # inline comment kept",
    "",
    DIVIDER,
    "# [payments]",
    "STRIPE_KEY=stripe-value-3333",
    "",
  ].join("\n");
  for (const v of ["token-value-1111", "db-user-2222", "stripe-value-3333"]) log.secret(v);

  beforeAll(() => {
    writeFileSync(join(suite.work, file), plaintext);
    ok(["encrypt", "--file", file]);
  });

  it("set on an existing key rewrites exactly that line, keeping its prefix and inline comment", () => {
    const before = linesWithBreaks(read(file));
    ok(["set", "--file", file, "DB_USER", log.secret("db-user-changed-4444")]);
    const after = linesWithBreaks(read(file));
    const changed = differingLines(before, after);
    expect(changed).toHaveLength(1);
    const line = after[changed[0] as number] as string;
    expect(line).toMatch(new RegExp(`^DB_USER=${ENCRYPTED_V1.source}   # inline comment kept\\n$`));

    ok(["set", "--file", file, "API_TOKEN", log.secret("token-changed-5555")]);
    const third = linesWithBreaks(read(file));
    const changed2 = differingLines(after, third);
    expect(changed2).toHaveLength(1);
    expect(third[changed2[0] as number]).toMatch(new RegExp(`^export API_TOKEN=${ENCRYPTED_V1.source}\\n$`));
    expect(ok(["get", "--file", file, "DB_USER", "--reveal"]).stdout).toBe("db-user-changed-4444\n");
  });

  it("setting the same key twice changes the ciphertext on that one line only", () => {
    const before = linesWithBreaks(read(file));
    ok(["set", "--file", file, "STRIPE_KEY", "stripe-value-3333"]);
    expect(differingLines(before, linesWithBreaks(read(file)))).toHaveLength(1);
  });

  it("a new top-level key adds exactly one line, after the last top-level key", () => {
    const before = linesWithBreaks(read(file));
    ok(["set", "--file", file, "NEW_TOP", log.secret("new-top-value-6666")]);
    const after = linesWithBreaks(read(file));
    const change = changedBlock(before, after);
    expect(change.removed).toEqual([]);
    expect(change.added).toHaveLength(1);
    expect(change.added[0]).toMatch(new RegExp(`^NEW_TOP=${ENCRYPTED_V1.source}\\n$`));
    expect(before[change.at - 1]).toMatch(/^DB_USER=/);
  });

  it("a new key of an existing section adds exactly one line in that section", () => {
    const before = linesWithBreaks(read(file));
    ok(["set", "--file", file, "STRIPE_WEBHOOK", log.secret("webhook-value-7777"), "--section", "payments"]);
    const after = linesWithBreaks(read(file));
    const change = changedBlock(before, after);
    expect(change.removed).toEqual([]);
    expect(change.added).toHaveLength(1);
    expect(change.added[0]).toMatch(new RegExp(`^STRIPE_WEBHOOK=${ENCRYPTED_V1.source}\\n$`));
    expect(before[change.at - 1]).toMatch(/^STRIPE_KEY=/);
    const rows = (JSON.parse(ok(["list", "--file", file, "--json"]).stdout) as { keys: { key: string; section: string | null }[] }).keys;
    expect(rows.find((r) => r.key === "STRIPE_WEBHOOK")?.section).toBe("payments");
  });

  it("--section with a new name adds one section block at the end", () => {
    const before = linesWithBreaks(read(file));
    ok(["set", "--file", file, "SLACK_TOKEN", log.secret("slack-value-8888"), "--section", "notifications"]);
    const after = linesWithBreaks(read(file));
    const change = changedBlock(before, after);
    expect(change.removed).toEqual([]);
    expect(change.at).toBe(before.length);
    expect(change.added.slice(0, 3)).toEqual(["\n", `${DIVIDER}\n`, "# [notifications]\n"]);
    expect(change.added).toHaveLength(4);
    expect(change.added[3]).toMatch(new RegExp(`^SLACK_TOKEN=${ENCRYPTED_V1.source}\\n$`));
  });
});

describe("concurrent writers", () => {
  it("four simultaneous `set`s of different keys on one file lose nothing (5 rounds)", async () => {
    const file = "concurrent.env";
    const expected = new Map<string, string>();
    for (const [round, writers] of [4, 4, 4, 4, 4].entries()) {
      const batch: [string, string][] = [];
      for (let w = 0; w < writers; w++) batch.push([`ROUND${round}_WRITER${w}`, log.secret(`concurrent-value-${round}-${w}`)]);
      // All processes are started before any is awaited.
      const results = await Promise.all(batch.map(([key, value]) => log.vaultAsync(suite.sb, suite.work, ["set", "--file", file, key, value])));
      for (const r of results) expect(r.status, r.stderr).toBe(0);
      for (const [key, value] of batch) expected.set(key, value);
    }
    // A lost update stays lost, so one check at the end covers every round.
    const decrypted = ok(["decrypt", "--file", file]);
    expect(parseDotenv(decrypted.stdout)).toEqual(Object.fromEntries(expected));
    expect(readdirSync(suite.work).filter((n) => n.startsWith(file) || n.startsWith(`.${file}`))).toEqual([file]);
  });
});

