// End-to-end tests of the secret commands against the built CLI: values
// round-trip byte for byte, files keep every unrelated byte, edits touch one
// line, values are bound to their key, the real `age` tool interoperates,
// concurrent writers lose nothing, and targets resolve as SPEC §2 says.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ENCRYPTED_V1,
  StderrLog,
  changedBlock,
  differingLines,
  encryptedValueOf,
  escapeRegExp,
  linesWithBreaks,
} from "../support/assertions.js";
import { type RunOptions, type RunResult, type Sandbox, binPath, makeSandbox } from "../support/sandbox.js";

const DIVIDER = `# ${"-".repeat(78)}`;
const log = new StderrLog();
let sb: Sandbox;
/** A folder outside any git repository, where `--file` targets live. */
let work: string;
let recipient: string;
let identityPath: string;

beforeAll(() => {
  sb = makeSandbox();
  work = sb.dir("work");
  const r = log.vault(sb, sb.root, ["keygen"]);
  expect(r.status, r.stderr).toBe(0);
  recipient = r.stdout.trim();
  identityPath = join(sb.env["XDG_CONFIG_HOME"] as string, "git-vault", "identity");
  const key = /^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(identityPath, "utf8"))?.[0];
  log.secret(key as string, "the device identity");
});

afterAll(() => {
  try {
    expect(log.count).toBeGreaterThan(20);
    log.assertNoSecretInStderr();
  } finally {
    sb.cleanup();
  }
});

function run(args: string[], options?: RunOptions, cwd = work): RunResult {
  return log.vault(sb, cwd, args, options);
}

function ok(args: string[], options?: RunOptions, cwd = work): RunResult {
  const r = run(args, options, cwd);
  expect(r.status, `git vault ${args.slice(0, 4).join(" ")}: ${r.stderr}`).toBe(0);
  return r;
}

function read(name: string): string {
  return readFileSync(join(work, name), "utf8");
}

/** Pseudo-random printable text of an exact length, so a truncation anywhere shows. */
function filler(length: number, seed: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=#'\" ";
  let x = seed;
  let out = "";
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[x % alphabet.length] as string;
  }
  return out;
}

describe("set then get --reveal round-trips every kind of value", () => {
  const file = "roundtrip.env";
  const pemBody = [0, 1, 2, 3].map((i) => filler(64, 100 + i).replace(/[^A-Za-z0-9+/]/g, "Q"));
  const pem = `-----BEGIN PRIVATE KEY-----\n${pemBody.join("\n")}\n-----END PRIVATE KEY-----\n`;
  const large = filler(64 * 1024, 7);
  for (const line of pemBody) log.secret(line, "a PEM body line");
  log.secret(large, "the 64 KiB value");
  log.secret(large.slice(1000, 1040), "a slice of the 64 KiB value");

  interface Case {
    readonly key: string;
    readonly value: string;
    readonly how: "arg" | "stdin" | "file";
    /** What is sent on stdin or written to the --from-file file (default: the value). */
    readonly input?: string;
  }
  const cases: Case[] = [
    { key: "EQUALS_SIGNS", value: log.secret("user=admin;pass==s3cr3t="), how: "arg" },
    { key: "HASH_SIGNS", value: log.secret("before#after # not-a-comment"), how: "arg" },
    { key: "ALL_QUOTES", value: log.secret(`it's "quoted" and \`ticked\``), how: "arg" },
    { key: "LEADING_TRAILING_SPACES", value: log.secret("   padded value \t "), how: "arg" },
    { key: "UNICODE", value: log.secret("pässwörd – 秘密 🔐 ÿ"), how: "arg" },
    { key: "EMPTY_VALUE", value: "", how: "arg" },
    { key: "EMPTY_FROM_STDIN", value: "", how: "stdin", input: "" },
    { key: "PEM_FROM_FILE", value: pem, how: "file" },
    { key: "MULTILINE_STDIN", value: log.secret("first line\nsecond line\n"), how: "stdin", input: "first line\nsecond line\n\n" },
    { key: "LARGE_64K", value: large, how: "file" },
  ];

  beforeAll(() => {
    for (const c of cases) {
      const args = ["set", "--file", file, c.key];
      let options: RunOptions | undefined;
      if (c.how === "arg") args.push(c.value);
      if (c.how === "stdin") {
        args.push("--stdin");
        options = { input: c.input ?? c.value };
      }
      if (c.how === "file") {
        writeFileSync(join(work, `${c.key}.input`), c.input ?? c.value);
        args.push("--from-file", `${c.key}.input`);
      }
      ok(args, options);
    }
  });

  it.each(cases)("$key ($how)", async (c) => {
    const text = read(file);
    expect(text).toMatch(new RegExp(`^${c.key}=${ENCRYPTED_V1.source}$`, "m"));
    if (c.value !== "") expect(text).not.toContain(c.value.trim());
    const [plain, json] = await Promise.all([
      log.vaultAsync(sb, work, ["get", "--file", file, c.key, "--reveal"]),
      log.vaultAsync(sb, work, ["get", "--file", file, c.key, "--reveal", "--json"]),
    ]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(`${c.value}\n`);
    expect(json.status, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { key: string; value: string; revealed: boolean; encrypted: boolean };
    expect(parsed).toMatchObject({ key: c.key, revealed: true, encrypted: true });
    expect(parsed.value === c.value, `JSON value of ${c.key} differs`).toBe(true);
  });

  it("--from-file keeps bytes that are not UTF-8, or refuses them; never alters them silently", () => {
    const input = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2d, 0xff, 0xfe, 0x2d, 0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31]); // "café-\xff\xfe-latin1" in Latin-1
    writeFileSync(join(work, "latin1.input"), input);
    const set = run(["set", "--file", file, "LATIN1_BYTES", "--from-file", "latin1.input"]);
    if (set.status !== 0) {
      expect(set.status).toBe(1);
      expect(set.stderr).toMatch(/latin1\.input/);
      return;
    }
    const get = spawnSync(process.execPath, [binPath, "get", "--file", file, "LATIN1_BYTES", "--reveal"], { cwd: work, env: sb.env });
    log.record(["get", "LATIN1_BYTES"], { status: get.status, stdout: "", stderr: get.stderr.toString() });
    expect(get.status).toBe(0);
    expect(get.stdout.equals(Buffer.concat([input, Buffer.from("\n")])), "the stored bytes differ from the file's bytes").toBe(true);
  });

  it("masks the value without --reveal", () => {
    const r = ok(["get", "--file", file, "EQUALS_SIGNS"]);
    expect(r.stdout).toBe("********\n");
    const json = JSON.parse(ok(["get", "--file", file, "UNICODE", "--json"]).stdout) as { value: string; revealed: boolean };
    expect(json).toMatchObject({ value: "********", revealed: false });
  });
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
    writeFileSync(join(work, file), original);
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
    const before = readFileSync(join(work, file));
    const r = ok(["encrypt", "--file", file]);
    expect(r.stderr).toMatch(/encrypted 0 values/);
    expect(readFileSync(join(work, file)).equals(before)).toBe(true);
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
    writeFileSync(join(work, file), plaintext);
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

describe("a value is bound to its key", () => {
  const file = "binding.env";

  it("a value copied onto another key's line fails to decrypt, naming both keys", () => {
    ok(["set", "--file", file, "SOURCE_KEY", log.secret("source-value-9999")]);
    ok(["set", "--file", file, "TARGET_KEY", log.secret("target-value-0000")]);
    const text = read(file);
    const copied = text.replace(/^TARGET_KEY=.*$/m, `TARGET_KEY=${encryptedValueOf(text, "SOURCE_KEY")}`);
    expect(copied).not.toBe(text);
    writeFileSync(join(work, file), copied);

    const r = run(["get", "--file", file, "TARGET_KEY", "--reveal"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/\bTARGET_KEY\b/);
    expect(r.stderr).toMatch(/\bSOURCE_KEY\b/);
    expect(r.stderr).toMatch(new RegExp(`${file}:\\d+`));
    expect(read(file)).toBe(copied);

    // The original key still decrypts; list shows the moved value as undecryptable.
    expect(ok(["get", "--file", file, "SOURCE_KEY", "--reveal"]).stdout).toBe("source-value-9999\n");
    const rows = (JSON.parse(ok(["list", "--file", file, "--json"]).stdout) as { keys: { key: string; state: string }[] }).keys;
    expect(rows.find((x) => x.key === "TARGET_KEY")?.state).toBe("undecryptable");
  });
});

describe("the real age CLI interoperates", () => {
  const file = "age-interop.env";

  it("decrypts a value after base64-decoding the text after encrypted:gv1:<fp>:", () => {
    const value = log.secret("age=cli#readable 'value'");
    ok(["set", "--file", file, "AGE_READABLE", value]);
    const encrypted = encryptedValueOf(read(file), "AGE_READABLE");
    const m = /^encrypted:gv1:([0-9a-f]{8}):(.+)$/.exec(encrypted);
    expect(m).not.toBeNull();
    const ageFile = Buffer.from(m?.[2] as string, "base64");
    expect(ageFile.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    const age = spawnSync("age", ["-d", "-i", identityPath], { input: ageFile });
    expect(age.error, "the age CLI must be installed (apt-get install -y age)").toBeUndefined();
    expect(age.status, age.stderr.toString()).toBe(0);
    expect(age.stdout.toString("utf8")).toBe(`AGE_READABLE=${value}`);
  });

  it("reads a value made by `age -r` with a hand-made KEY=value payload", () => {
    const value = log.secret("made by the age command line");
    const age = spawnSync("age", ["-r", recipient], { input: `HANDMADE_KEY=${value}` });
    expect(age.status, age.stderr.toString()).toBe(0);
    const fp = createHash("sha256").update([recipient].sort().join("\n")).digest("hex").slice(0, 8);
    // The fingerprint rule matches what git-vault writes on its own lines.
    expect(encryptedValueOf(read(file), "AGE_READABLE").split(":")[2]).toBe(fp);
    writeFileSync(join(work, file), `${read(file)}HANDMADE_KEY=encrypted:gv1:${fp}:${age.stdout.toString("base64")}\n`);

    expect(ok(["get", "--file", file, "HANDMADE_KEY", "--reveal"]).stdout).toBe(`${value}\n`);
    const rows = (JSON.parse(ok(["list", "--file", file, "--json"]).stdout) as { keys: { key: string; state: string }[] }).keys;
    expect(rows.find((x) => x.key === "HANDMADE_KEY")?.state).toBe("encrypted");
  });
});

describe("concurrent writers", () => {
  it("two to four simultaneous `set`s of different keys on one file lose nothing (5 rounds)", async () => {
    const file = "concurrent.env";
    const expected = new Map<string, string>();
    for (const [round, writers] of [2, 3, 4, 3, 2].entries()) {
      const batch: [string, string][] = [];
      for (let w = 0; w < writers; w++) batch.push([`ROUND${round}_WRITER${w}`, log.secret(`concurrent-value-${round}-${w}`)]);
      // All processes are started before any is awaited.
      const results = await Promise.all(batch.map(([key, value]) => log.vaultAsync(sb, work, ["set", "--file", file, key, value])));
      for (const r of results) expect(r.status, r.stderr).toBe(0);
      for (const [key, value] of batch) expected.set(key, value);

      const decrypted = ok(["decrypt", "--file", file]);
      expect(parseDotenv(decrypted.stdout), `after round ${round}`).toEqual(Object.fromEntries(expected));
    }
    expect(readdirSync(work).filter((n) => n.startsWith(file) || n.startsWith(`.${file}`))).toEqual([file]);
  });
});

describe("targets", () => {
  it("--file works outside any git repository", () => {
    const outside = sb.dir("outside-any-repo");
    expect(spawnSync("git", ["rev-parse", "--git-dir"], { cwd: outside, env: sb.env }).status).not.toBe(0);
    ok(["set", "--file", "plain.env", "OUTSIDE_KEY", log.secret("outside-value-1234")], undefined, outside);
    expect(readdirSync(outside)).toEqual(["plain.env"]);
    expect(ok(["get", "--file", join(outside, "plain.env"), "OUTSIDE_KEY", "--reveal"]).stdout).toBe("outside-value-1234\n");
  });

  it("in a repo with vault/, --env prod is vault/.env.prod and the default env is dev", () => {
    const repo = sb.repo("host");
    mkdirSync(join(repo, "vault"));
    mkdirSync(join(repo, "src", "deep"), { recursive: true });
    ok(["set", "PROD_ONLY", log.secret("prod-value-5678"), "--env", "prod"], undefined, repo);
    expect(readdirSync(join(repo, "vault"))).toEqual([".env.prod"]);
    ok(["set", "DEV_ONLY", log.secret("dev-value-9012")], undefined, join(repo, "src"));
    expect(readdirSync(join(repo, "vault")).sort()).toEqual([".env.dev", ".env.prod"]);
    expect(readFileSync(join(repo, "vault", ".env.dev"), "utf8")).toMatch(/^DEV_ONLY=encrypted:gv1:/m);
    expect(readFileSync(join(repo, "vault", ".env.prod"), "utf8")).not.toMatch(/DEV_ONLY/);

    const deep = join(repo, "src", "deep");
    expect(ok(["get", "DEV_ONLY", "--reveal"], undefined, deep).stdout).toBe("dev-value-9012\n");
    expect(ok(["get", "PROD_ONLY", "--reveal", "--env", "prod"], undefined, deep).stdout).toBe("prod-value-5678\n");
    const missing = run(["get", "PROD_ONLY"], undefined, deep);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no key PROD_ONLY/);
    expect(missing.stderr).toContain(".env.dev");
  });

  it("--vault-dir DIR with --env NAME maps to DIR/.env.NAME", () => {
    const repo = sb.repo("host-custom");
    mkdirSync(join(repo, "secrets"));
    ok(["set", "QA_KEY", log.secret("qa-value-3456"), "--vault-dir", "secrets", "--env", "qa"], undefined, repo);
    expect(existsSync(join(repo, "secrets", ".env.qa"))).toBe(true);
    expect(existsSync(join(repo, "vault"))).toBe(false);
  });
});
