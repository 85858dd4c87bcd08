// End-to-end tests of bad input (SPEC §10): every failure has a clear message
// naming file, line and key, a non-zero exit code, leaves the file's bytes as
// they were, and shows no secret value.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encryptedValueOf } from "../support/assertions.js";
import { type RunOptions, type RunResult, binPath } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run } = suite;
/** A fully encrypted env file that every case copies and then damages. */
let base: string;
let otherIdentity: string;

const VALUES = {
  DATABASE_URL: log.secret("postgres://app:pa55word@db.internal:5432/app"),
  API_TOKEN: log.secret("tok_live_0123456789abcdef"),
  // Long enough that the middle of its base64 falls in the age payload, not its header.
  CERT_CHAIN: log.secret(`chain-${"x9Y8z7".repeat(80)}-end`),
};
const isRoot = process.getuid?.() === 0;

beforeAll(() => {
  const { sb } = suite;
  suite.keygen();

  otherIdentity = join(sb.dir("keys"), "other.key");
  const gen = spawnSync("age-keygen", ["-o", otherIdentity], { env: sb.env });
  expect(gen.status, gen.stderr.toString()).toBe(0);
  chmodSync(otherIdentity, 0o600);
  log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(otherIdentity, "utf8"))?.[0] as string, "another identity");

  base = join(sb.dir("base"), "base.env");
  for (const [key, value] of Object.entries(VALUES)) {
    const r = run(["set", "--file", base, key, "--stdin"], { input: value });
    expect(r.status, r.stderr).toBe(0);
  }
});

/** Copies the base file to `name` in the work folder, applies `damage` to its text, returns the path. */
function damaged(name: string, damage: (text: string) => string): string {
  const path = join(suite.work, name);
  copyFileSync(base, path);
  const text = readFileSync(path, "utf8");
  const next = damage(text);
  expect(next, "the damage must change the file").not.toBe(text);
  writeFileSync(path, next);
  return path;
}

/** 1-based line number of KEY= in a file. */
function lineOf(path: string, key: string): number {
  return readFileSync(path, "utf8").split("\n").findIndex((l) => l.startsWith(`${key}=`)) + 1;
}

/**
 * Runs a command that must fail: exit code, message pattern, no data on
 * stdout, the target's bytes unchanged, and no lock or temp file left behind.
 */
function expectFailure(target: string, args: string[], expected: { status: number; message: RegExp }, options?: RunOptions): RunResult {
  const before = existsSync(target) ? readFileSync(target) : null;
  const r = run(args, options);
  expect(r.status, r.stderr).toBe(expected.status);
  expect(r.stderr).toMatch(expected.message);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stdout).toBe("");
  if (before === null) expect(existsSync(target), `${target} must not be created`).toBe(false);
  else expect(readFileSync(target).equals(before), "the file must be unchanged").toBe(true);
  const dir = join(target, "..");
  expect(readdirSync(dir).filter((n) => n.endsWith(".lock") || n.includes(".tmp-"))).toEqual([]);
  return r;
}

describe("wrong identity", () => {
  it("another device's keygen'd identity via GIT_VAULT_IDENTITY_FILE: names file, line and key", () => {
    const otherDevice = { XDG_CONFIG_HOME: suite.sb.dir("other-device/config") };
    expect(run(["keygen"], { env: otherDevice }).status).toBe(0);
    const otherPath = join(otherDevice.XDG_CONFIG_HOME, "git-vault", "identity");
    log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(otherPath, "utf8"))?.[0] as string, "the other device's identity");
    const line = lineOf(base, "API_TOKEN");
    const r = expectFailure(base, ["get", "--file", base, "API_TOKEN", "--reveal"], {
      status: 1,
      message: new RegExp(`base\\.env:${line}: API_TOKEN: none of your identities can decrypt`),
    }, { env: { GIT_VAULT_IDENTITY_FILE: otherPath } });
    expect(r.stderr).toContain(otherPath);
  });

  it("via --identity-file, also for decrypt and encrypt --reencrypt (which must not write)", () => {
    const re = /base\.env:\d+: \w+: none of your identities can decrypt/;
    expectFailure(base, ["get", "--file", base, "DATABASE_URL", "--reveal", "--identity-file", otherIdentity], { status: 1, message: re });
    expectFailure(base, ["decrypt", "--file", base, "--identity-file", otherIdentity], { status: 1, message: re });
    expectFailure(base, ["encrypt", "--reencrypt", "--file", base, "--identity-file", otherIdentity], { status: 1, message: re });
  });
});

describe("damaged ciphertext", () => {
  it("truncated (base64 cut mid-quantum): malformed or truncated, naming the key", () => {
    const path = damaged("truncated-odd.env", (t) => t.replace(/^(API_TOKEN=.*).{5}$/m, "$1"));
    const line = lineOf(path, "API_TOKEN");
    expectFailure(path, ["get", "--file", path, "API_TOKEN", "--reveal"], {
      status: 1,
      message: new RegExp(`truncated-odd\\.env:${line}: API_TOKEN: .*(malformed|truncated)`),
    });
    expectFailure(path, ["encrypt", "--reencrypt", "--file", path], { status: 1, message: /API_TOKEN: .*(malformed|truncated)/ });
  });

  it("truncated (valid base64, bytes missing at the end): modified or truncated", () => {
    const path = damaged("truncated-even.env", (t) => {
      const value = encryptedValueOf(t, "CERT_CHAIN");
      const body = value.split(":")[3] as string;
      const cut = Buffer.from(body, "base64").subarray(0, -20).toString("base64");
      return t.replace(value, `${value.split(":").slice(0, 3).join(":")}:${cut}`);
    });
    const line = lineOf(path, "CERT_CHAIN");
    expectFailure(path, ["get", "--file", path, "CERT_CHAIN", "--reveal"], {
      status: 1,
      message: new RegExp(`truncated-even\\.env:${line}: CERT_CHAIN: .*(modified|truncated)`),
    });
  });

  it("tampered (one base64 character flipped in the middle): modified, naming the key", () => {
    const path = damaged("tampered.env", (t) => {
      const value = encryptedValueOf(t, "CERT_CHAIN");
      const mid = Math.floor(value.length / 2);
      const flipped = value[mid] === "A" ? "B" : "A";
      return t.replace(value, value.slice(0, mid) + flipped + value.slice(mid + 1));
    });
    const line = lineOf(path, "CERT_CHAIN");
    expectFailure(path, ["get", "--file", path, "CERT_CHAIN", "--reveal"], {
      status: 1,
      message: new RegExp(`tampered\\.env:${line}: CERT_CHAIN: encrypted value was modified`),
    });
    // decrypt prints nothing at all rather than the values that did decrypt.
    expectFailure(path, ["decrypt", "--file", path], { status: 1, message: /CERT_CHAIN: encrypted value was modified/ });
    expectFailure(path, ["encrypt", "--reencrypt", "--file", path], { status: 1, message: /CERT_CHAIN: encrypted value was modified/ });
    // The undamaged keys still read.
    const ok = run(["get", "--file", path, "API_TOKEN", "--reveal"]);
    expect(ok.stdout).toBe(`${VALUES.API_TOKEN}\n`);
  });
});

describe("unknown format version", () => {
  it("a `# git-vault v2` header is refused by readers and writers", () => {
    const path = damaged("header-v2.env", (t) => t.replace("# git-vault v1", "# git-vault v2"));
    const message = /header-v2\.env:1: format v2 is not supported/;
    expectFailure(path, ["get", "--file", path, "API_TOKEN", "--reveal"], { status: 1, message });
    expectFailure(path, ["set", "--file", path, "NEW_KEY", "new-value-v2"], { status: 1, message });
    expectFailure(path, ["encrypt", "--file", path], { status: 1, message });
  });

  it("an `encrypted:gv2:` value is refused naming file, line and key", () => {
    const path = damaged("value-gv2.env", (t) => t.replace(/^(API_TOKEN=encrypted:)gv1:/m, "$1gv2:"));
    const line = lineOf(path, "API_TOKEN");
    expectFailure(path, ["get", "--file", path, "API_TOKEN", "--reveal"], {
      status: 1,
      message: new RegExp(`value-gv2\\.env:${line}: API_TOKEN: value format gv2 is not supported`),
    });
    const list = run(["list", "--file", path, "--json"]);
    const rows = (JSON.parse(list.stdout) as { keys: { key: string; state: string }[] }).keys;
    expect(rows.find((r) => r.key === "API_TOKEN")?.state).toBe("unknown-version");
  });
});

describe("unreadable, missing and malformed files", () => {
  it("a directory where the env file should be: cannot be read", () => {
    const path = join(suite.work, "is-a-directory.env");
    mkdirSync(path);
    for (const args of [["get", "--file", path, "API_TOKEN"], ["set", "--file", path, "API_TOKEN", "value-into-dir"]]) {
      const r = run(args);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: .*is-a-directory\.env: cannot be read/m);
      expect(r.stdout).toBe("");
    }
    expect(readdirSync(path)).toEqual([]);
    expect(readdirSync(suite.work).filter((n) => n.endsWith(".lock"))).toEqual([]);
  });

  // root reads a mode-000 file anyway, so when the suite runs as root the CLI
  // is started as the unprivileged uid 65534 (nobody) for this case.
  it("a mode-000 file: cannot be read (EACCES), for readers and writers", () => {
    const folder = suite.sb.dir("mode-000");
    chmodSync(suite.sb.root, 0o711);
    chmodSync(folder, 0o777);
    const path = join(folder, "mode-000.env");
    copyFileSync(base, path);
    chmodSync(path, 0o000);
    const before = readFileSync(path);
    const asUser = isRoot ? { uid: 65534, gid: 65534 } : {};
    for (const args of [["get", "--file", path, "API_TOKEN", "--reveal"], ["set", "--file", path, "API_TOKEN", "value-into-000"]]) {
      const r = spawnSync(process.execPath, [binPath, ...args], { cwd: folder, env: suite.sb.env, encoding: "utf8", ...asUser });
      log.record(args, { status: r.status, stdout: r.stdout, stderr: r.stderr });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: .*mode-000\.env: cannot be read \(EACCES\)/m);
      expect(r.stdout).toBe("");
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(folder)).toEqual(["mode-000.env"]);
  });

  it("a missing file: no such env file, and nothing is created", () => {
    const path = join(suite.work, "missing.env");
    expectFailure(path, ["get", "--file", path, "API_TOKEN"], { status: 1, message: /missing\.env: no such env file/ });
    expectFailure(path, ["encrypt", "--file", path], { status: 1, message: /missing\.env: no such env file/ });
    expectFailure(path, ["unset", "--file", path, "API_TOKEN"], { status: 1, message: /missing\.env: no such env file/ });
  });

  it("a missing env of the vault names the file; a missing vault dir says so", () => {
    const repo = suite.sb.repo("host");
    mkdirSync(join(repo, "vault"));
    const r = run(["get", "API_TOKEN", "--env", "staging"], undefined, repo);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/vault\/\.env\.staging: no such env file/);

    const bare = suite.sb.repo("host-without-vault");
    const v = run(["get", "API_TOKEN"], undefined, bare);
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/vault dir not found/);
    expect(readdirSync(bare)).toEqual([".git"]);
  });

  it("a malformed line in the middle names file:line, for readers and writers", () => {
    const path = damaged("garbage.env", (t) => t.replace(/^API_TOKEN=/m, "garbage line\nAPI_TOKEN="));
    const line = lineOf(path, "API_TOKEN") - 1;
    const message = new RegExp(`garbage\\.env:${line}: not a KEY=value line`);
    expectFailure(path, ["get", "--file", "garbage.env", "DATABASE_URL", "--reveal"], { status: 1, message });
    expectFailure(path, ["set", "--file", "garbage.env", "NEW_KEY", "value-near-garbage"], { status: 1, message });
    expectFailure(path, ["encrypt", "--file", "garbage.env"], { status: 1, message });
  });
});

describe("command-line and repository errors", () => {
  it("outside a git repository without --file: exit 128", () => {
    const outside = suite.sb.dir("not-a-repo");
    const r = run(["get", "API_TOKEN"], undefined, outside);
    expect(r.status).toBe(128);
    expect(r.stderr).toMatch(/not a git repository/);
    expect(r.stderr).toMatch(/--file/);
    const s = run(["set", "API_TOKEN", "value-outside-repo"], undefined, outside);
    expect(s.status).toBe(128);
    expect(readdirSync(outside)).toEqual([]);
  });

  it("an unknown option: exit 2, naming the option", () => {
    expectFailureUsage(["get", "--file", base, "API_TOKEN", "--bogus"], /--bogus/);
    expectFailureUsage(["get"], /KEY|Not enough positional/i);
    expectFailureUsage(["set", "--file", base, "NOT A KEY", "value-of-bad-key"], /invalid key name/);
    // KEY=value as one argument is named as that, before any value is read (stdin is empty here).
    const joined = log.secret("joined-value-5151");
    const eq = expectFailureUsage(["set", "--file", base, `API_TOKEN=${joined}`], /^error: invalid key name \(\d+ characters, .*\)\nhint: the key and its value are two arguments: `git vault set KEY VALUE`/);
    expect(eq.stderr).not.toContain(joined);
    // get and run --only take a key alone: no advice about set's argument order.
    for (const args of [["get", "--file", base, "x=1"], ["run", "--file", base, "--only", "a b", "--", "true"]]) {
      const bad = expectFailureUsage(args, /^error: invalid key name \(3 characters, .*\)\nhint: keys look like DATABASE_URL \(letters, digits, '_', '.' and '-'\)\n$/);
      expect(bad.stderr).not.toContain("git vault set");
    }
    expectFailureUsage(["get", "--file", base, "--env", "prod", "API_TOKEN"], /--file cannot be combined/);
    expectFailureUsage(["list", "--file", ""], /^error: --file needs a value \(it was given an empty one\)\n/);
  });

  it("an unknown command: exit 2, naming it and the commands it is close to", () => {
    const misspelt = expectFailureUsage(["stauts"], /^usage error: 'stauts' is not a git-vault command\ndid you mean: status\?\n/);
    expect(misspelt.stderr).not.toMatch(/git vault init|__man/); // not clipanion's list of every command
    expectFailureUsage(["recipient", "add", "age1xyz"], /did you mean: recipients\?/);
    const unlike = expectFailureUsage(["frobnicate"], /'frobnicate' is not a git-vault command/);
    expect(unlike.stderr).not.toMatch(/did you mean/);
    // A first word that is not a plain name (it could be a secret) is not quoted back.
    const value = log.secret("API_TOKEN=first-word-secret-77");
    const quoted = expectFailureUsage([value], /^usage error: unknown command\n/);
    expect(quoted.stderr.includes(value)).toBe(false);
  });

  it("a command group without a command, or with one it lacks: exit 2, listing its commands; --help lists them with exit 0", () => {
    expectFailureUsage(["keys"], /^usage error: `git vault keys` needs a command\nthe keys commands: show, where, import, export, migrate\n/);
    const unknown = expectFailureUsage(["hooks", "instal"], /^usage error: 'instal' is not a `git vault hooks` command\ndid you mean: install\?\nthe hooks commands: install, status, uninstall\n/);
    expect(unknown.stderr).not.toMatch(/Command not found/);
    const help = run(["recipients", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^\$ git vault recipients list .*\n {2}\S.*\n\n\$ git vault recipients add .*\n/);
    expect(help.stdout).toMatch(/\$ git vault recipients remove /);
  });

  it("a private key or value given where a recipient or key goes is never quoted back", () => {
    const privateKey = /^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(otherIdentity, "utf8"))?.[0] as string;
    const swapped = log.secret("p@ss w0rd! swapped-4545");
    const add = expectFailureUsage(["recipients", "add", "--file", base, privateKey], /is a private key \(AGE-SECRET-KEY-…, not shown\)/);
    const before = readFileSync(base);
    const remove = run(["recipients", "remove", "--file", base, privateKey]);
    expect(remove.status).toBe(2); // as for add: no recipient at all is a usage error
    expect(remove.stderr).toMatch(/private key \(AGE-SECRET-KEY-…, not shown\); it is not an age X25519 recipient/);
    expect(readFileSync(base).equals(before)).toBe(true);
    const set = expectFailureUsage(["set", "--file", base, swapped, "DB_PASSWORD"], /invalid key name \(\d+ characters/);
    const only = run(["run", "--file", base, "--only", swapped, "--", "true"]);
    expect(only.status).toBe(2);
    const env = run(["get", "--env", swapped, "API_TOKEN"], { env: { GIT_VAULT_DIR: suite.sb.dir("vault-for-env") } });
    expect(env.stderr).toMatch(/invalid env name \(from --env\)/);
    const outputs = [add, remove, set, only, env].map((r) => r.stdout + r.stderr).join("\n");
    expect({ privateKey: outputs.includes(privateKey.slice(15)), swapped: outputs.includes(swapped) }).toEqual({ privateKey: false, swapped: false });
  });

  it("an env name over 64 characters is refused before any file is made; 64 works, lock and all", () => {
    const dir = suite.sb.dir("long-env-names");
    const long = run(["set", "--vault-dir", dir, "--env", "e".repeat(65), "K", "v"]);
    expect([long.status, long.stderr]).toEqual([2, "error: invalid env name (from --env)\nhint: env names are letters, digits, '.', '_' and '-' (at most 64), like dev or prod\n"]);
    expect(readdirSync(dir)).toEqual([]);
    const ok64 = run(["set", "--vault-dir", dir, "--env", "e".repeat(64), "K", "v"]);
    expect(ok64.status, ok64.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual([`.env.${"e".repeat(64)}`]);
  });

  it("a private key pasted where a path, name or variable goes is never printed back, nor stored as a name", () => {
    const privateKey = /^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(otherIdentity, "utf8"))?.[0] as string;
    const outputs: string[] = [];
    const fail = (args: string[], status: number, message: RegExp, env: Record<string, string> = {}): void => {
      const before = readFileSync(base);
      const r = run(args, { env });
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(status);
      expect(r.stderr).toMatch(message);
      expect(readFileSync(base).equals(before)).toBe(true);
      outputs.push(r.stdout + r.stderr);
    };
    fail(["get", "API_TOKEN", "--file", privateKey], 1, /^error: AGE-SECRET-KEY-… \(a private key, not shown\): no such env file\n/);
    fail(["get", "API_TOKEN", "--file", base, "-i", privateKey], 1, /AGE-SECRET-KEY-… \(a private key, not shown\)/);
    fail(["get", "API_TOKEN", "--file", base], 1, /AGE-SECRET-KEY-… \(a private key, not shown\)/, { GIT_VAULT_IDENTITY_FILE: privateKey });
    fail(["keys", "import", privateKey], 1, /AGE-SECRET-KEY-… \(a private key, not shown\)/);
    fail(["set", "--file", base, privateKey, "value"], 2, /^error: invalid key name: it is a private key \(AGE-SECRET-KEY-…, not shown\)\n/);
    fail(["set", "--file", base, "SECTIONED", "value", "--section", privateKey.toLowerCase()], 2, /^error: invalid --section name\n/);
    fail(["recipients", "add", "--file", base, "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg", "--label", privateKey], 2, /^error: --label holds a private key \(AGE-SECRET-KEY-…, not shown\)\n/);
    const env = run(["get", "API_TOKEN", "--env", privateKey], { env: { GIT_VAULT_DIR: suite.sb.dir("vault-for-key-env") } });
    expect(env.status).toBe(2);
    outputs.push(env.stdout + env.stderr);
    expect(readdirSync(suite.sb.dir("vault-for-key-env"))).toEqual([]);
    expect(outputs.join("\n").includes(privateKey.slice(16, 40)), "a private key printed back").toBe(false);
  });

  it("a value with a NUL byte is refused by set, naming the key: no program could receive it", () => {
    const before = readFileSync(base);
    const r = run(["set", "--file", base, "BINARY", "--stdin"], { input: Buffer.from("bin\0ary-secret-6161") });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("error: BINARY: the value contains a NUL byte, which no environment variable can hold\nhint: store binary data encoded as text (base64, say)\n");
    expect(readFileSync(base).equals(before)).toBe(true);
  });

  it("a usage error never echoes a secret value given on the command line", () => {
    const value = log.secret("command-line-secret-4242");
    const dashed = log.secret("-dash-leading-secret-4343");
    const misspelt = expectFailureUsage(["set", "--file", base, "API_TOKEN", value, "--sectoin", "db"], /^usage error: unknown option --sectoin for `git vault set` \(did you mean --section\?\); its usage:\n/);
    const extra = expectFailureUsage(["set", "--file", base, "API_TOKEN", value, "extra-argument"], /^usage error: too many arguments for `git vault set` \(quote a value that has spaces\); its usage:\n\n {2}git vault set .*<KEY> \[VALUE\]\n/);
    // A value that starts with a dash is parsed as an option; the error must not quote it either.
    const asOption = expectFailureUsage(["set", "--file", base, "API_TOKEN", dashed], /Unsupported option|Invalid option name/);
    expect({
      misspeltOption: misspelt.stderr.includes(value),
      extraArgument: extra.stderr.includes(value),
      dashLeadingValue: asOption.stderr.includes(dashed),
    }, "usage errors that echo the value").toEqual({ misspeltOption: false, extraArgument: false, dashLeadingValue: false });
  });
});

function expectFailureUsage(args: string[], message: RegExp): RunResult {
  const before = readFileSync(base);
  const r = run(args);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe("");
  expect(readFileSync(base).equals(before)).toBe(true);
  return r;
}
