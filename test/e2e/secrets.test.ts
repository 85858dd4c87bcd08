// End-to-end tests of the secret commands against the built CLI: values
// round-trip byte for byte, values are bound to their key, the real `age` tool
// interoperates, and targets resolve as SPEC §2 says. File preservation, edits
// and concurrent writers are in preservation.test.ts.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ENCRYPTED_V1, encryptedValueOf } from "../support/assertions.js";
import { type RunOptions, binPath } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";
import { filler } from "../support/values.js";

const suite = cliSuite();
const { log, run, ok, read } = suite;
let recipient: string;
let identityPath: string;

beforeAll(() => {
  ({ recipient, identityPath } = suite.keygen());
});


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
        writeFileSync(join(suite.work, `${c.key}.input`), c.input ?? c.value);
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
      log.vaultAsync(suite.sb, suite.work, ["get", "--file", file, c.key, "--reveal"]),
      log.vaultAsync(suite.sb, suite.work, ["get", "--file", file, c.key, "--reveal", "--json"]),
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
    writeFileSync(join(suite.work, "latin1.input"), input);
    const set = run(["set", "--file", file, "LATIN1_BYTES", "--from-file", "latin1.input"]);
    if (set.status !== 0) {
      expect(set.status).toBe(1);
      expect(set.stderr).toMatch(/latin1\.input/);
      return;
    }
    const get = spawnSync(process.execPath, [binPath, "get", "--file", file, "LATIN1_BYTES", "--reveal"], { cwd: suite.work, env: suite.sb.env });
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

describe("a value is bound to its key", () => {
  const file = "binding.env";

  it("a value copied onto another key's line fails to decrypt, naming both keys", () => {
    ok(["set", "--file", file, "SOURCE_KEY", log.secret("source-value-9999")]);
    ok(["set", "--file", file, "TARGET_KEY", log.secret("target-value-0000")]);
    const text = read(file);
    const copied = text.replace(/^TARGET_KEY=.*$/m, `TARGET_KEY=${encryptedValueOf(text, "SOURCE_KEY")}`);
    expect(copied).not.toBe(text);
    writeFileSync(join(suite.work, file), copied);

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
    // A worker environment decrypts nothing, not even to tell a state: the static one is shown.
    const worker = (JSON.parse(ok(["list", "--file", file, "--json"], { env: { GIT_VAULT_REMOTE: "1" } }).stdout) as { keys: { key: string; state: string }[] }).keys;
    expect(worker.map((x) => [x.key, x.state])).toEqual([
      ["SOURCE_KEY", "encrypted"],
      ["TARGET_KEY", "encrypted"],
    ]);
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
    writeFileSync(join(suite.work, file), `${read(file)}HANDMADE_KEY=encrypted:gv1:${fp}:${age.stdout.toString("base64")}\n`);

    expect(ok(["get", "--file", file, "HANDMADE_KEY", "--reveal"]).stdout).toBe(`${value}\n`);
    const rows = (JSON.parse(ok(["list", "--file", file, "--json"]).stdout) as { keys: { key: string; state: string }[] }).keys;
    expect(rows.find((x) => x.key === "HANDMADE_KEY")?.state).toBe("encrypted");
  });

  it("refuses a value made by `age -r` whose bytes are not UTF-8, naming file, line and key, instead of mangling it", () => {
    const age = spawnSync("age", ["-r", recipient], { input: Buffer.concat([Buffer.from("LATIN1_KEY=caf"), Buffer.from([0xe9])]) });
    expect(age.status, age.stderr.toString()).toBe(0);
    const fp = createHash("sha256").update([recipient].sort().join("\n")).digest("hex").slice(0, 8);
    writeFileSync(join(suite.work, file), `${read(file)}LATIN1_KEY=encrypted:gv1:${fp}:${age.stdout.toString("base64")}\n`);
    const line = read(file).split("\n").findIndex((l) => l.startsWith("LATIN1_KEY=")) + 1;
    const r = run(["get", "--file", file, "LATIN1_KEY", "--reveal"]);
    expect([r.status, r.stdout]).toEqual([1, ""]);
    expect(r.stderr).toContain(`error: ${file}:${line}: LATIN1_KEY: the decrypted value is not UTF-8 text`);
    const rows = (JSON.parse(ok(["list", "--file", file, "--json"]).stdout) as { keys: { key: string; state: string }[] }).keys;
    expect(rows.find((x) => x.key === "LATIN1_KEY")?.state).toBe("undecryptable");
    expect(run(["verify", "--file", file]).status).toBe(1);
    // git diff's textconv shows a marker, never U+FFFD.
    const shown = ok(["textconv", join(suite.work, file)]).stdout;
    expect(shown).toMatch(/^LATIN1_KEY=\[git-vault: not UTF-8 text [0-9a-f]{8}\]$/m);
    expect(shown).not.toContain("\ufffd");
    writeFileSync(join(suite.work, file), read(file).replace(/^LATIN1_KEY=.*\n/m, ""));
  });
});

describe("targets", () => {
  it("--file works outside any git repository", () => {
    const outside = suite.sb.dir("outside-any-repo");
    expect(spawnSync("git", ["rev-parse", "--git-dir"], { cwd: outside, env: suite.sb.env }).status).not.toBe(0);
    ok(["set", "--file", "plain.env", "OUTSIDE_KEY", log.secret("outside-value-1234")], undefined, outside);
    expect(readdirSync(outside)).toEqual(["plain.env"]);
    expect(ok(["get", "--file", join(outside, "plain.env"), "OUTSIDE_KEY", "--reveal"]).stdout).toBe("outside-value-1234\n");
  });

  it("in a repo with vault/, --env prod is vault/.env.prod and the default env is dev", () => {
    const repo = suite.sb.repo("host");
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
    const repo = suite.sb.repo("host-custom");
    mkdirSync(join(repo, "secrets"));
    ok(["set", "QA_KEY", log.secret("qa-value-3456"), "--vault-dir", "secrets", "--env", "qa"], undefined, repo);
    expect(existsSync(join(repo, "secrets", ".env.qa"))).toBe(true);
    expect(existsSync(join(repo, "vault"))).toBe(false);
  });
});
