// What a new team tripped over (issue 10), each with the test that failed
// before the fix: a change touches only files whose recipient set changed, a
// recipient line with a typo is invalid everywhere, advice names the env
// file, keygen after a lost identity says what it means, keys import --replace.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeVaultHost } from "../support/git.js";
import { binPath, repoRoot } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;
const bob = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg";
let me: string;
let identityPath: string;

beforeAll(() => {
  ({ recipient: me, identityPath } = suite.keygen());
});

function vaultDir(name: string): string {
  const dir = join(suite.work, name);
  mkdirSync(dir);
  ok(["set", "--vault-dir", name, "--env", "dev", "A", "--stdin"], { input: log.secret(`a-value-${name}`) });
  ok(["set", "--vault-dir", name, "--env", "prod", "P", "--stdin"], { input: log.secret(`p-value-${name}`) });
  return dir;
}

describe("a recipient change touches only the files whose set changed", () => {
  it("recipients remove --all --reencrypt leaves a file that never listed the recipient byte for byte", () => {
    const dir = vaultDir("offboard");
    ok(["recipients", "add", bob, "--label", "bob", "--vault-dir", "offboard", "--env", "prod"]);
    const dev = readFileSync(join(dir, ".env.dev"));
    const r = ok(["recipients", "remove", bob, "--all", "--reencrypt", "--yes", "--vault-dir", "offboard"]);
    expect(readFileSync(join(dir, ".env.dev")).equals(dev)).toBe(true);
    expect(r.stderr).toContain("offboard/.env.prod: re-encrypted 1 value\n");
    expect(r.stderr).not.toContain(".env.dev");
  });

  it("recipients add of a recipient already listed re-encrypts nothing", () => {
    const dir = vaultDir("again");
    ok(["recipients", "add", bob, "--label", "bob", "--vault-dir", "again", "--env", "dev", "--reencrypt"]);
    const before = readFileSync(join(dir, ".env.dev"));
    const r = ok(["recipients", "add", bob, "--label", "bob", "--vault-dir", "again", "--env", "dev", "--reencrypt", "--yes"]);
    expect(readFileSync(join(dir, ".env.dev")).equals(before)).toBe(true);
    expect(r.stderr).not.toContain("re-encrypted");
  });
});

describe("a recipient change that fails", () => {
  it("recipients add --reencrypt stopped by a value it cannot read leaves the trust store as it was: the next set works", () => {
    const dir = vaultDir("failed-add");
    ok(["set", "--vault-dir", "failed-add", "--env", "dev", "B", "--stdin"], { input: log.secret("b-value-failed-add") });
    // B's line gets A's ciphertext: bound to another key, it cannot be decrypted as B.
    const path = join(dir, ".env.dev");
    const text = readFileSync(path, "utf8");
    const aValue = /^A=(.*)$/m.exec(text)?.[1] as string;
    writeFileSync(path, text.replace(/^B=.*$/m, `B=${aValue}`));
    const before = readFileSync(path);
    const add = run(["recipients", "add", bob, "--reencrypt", "--vault-dir", "failed-add", "--env", "dev"]);
    expect(add.status).toBe(1);
    expect(readFileSync(path)).toEqual(before);
    const set = run(["set", "--vault-dir", "failed-add", "--env", "dev", "C", "--stdin"], { input: log.secret("c-value-failed-add") });
    expect(set.stderr).toBe("added C in failed-add/.env.dev\n");
    expect(set.status).toBe(0);
  });
});

describe("a recipient line with a typo (bech32 checksum)", () => {
  it("is invalid for list, status, verify and doctor, named by file and line", () => {
    const dir = vaultDir("typo");
    // One character changed: the right alphabet and length, the wrong checksum.
    const typo = `${bob.slice(0, 20)}${bob[20] === "q" ? "p" : "q"}${bob.slice(21)}`;
    const path = join(dir, ".env.dev");
    writeFileSync(path, readFileSync(path, "utf8").replace(/(# recipient: [^\n]*\n)/, `$1# recipient: ${typo} bob\n`));
    const list = run(["list", "--vault-dir", "typo"]);
    expect(list.status).toBe(1);
    expect(list.stderr).toMatch(/^error: typo\/\.env\.dev:3: not a valid age recipient: its checksum does not match/);
    const verify = run(["verify", "--vault-dir", "typo"]);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(/^typo\/\.env\.dev: invalid: typo\/\.env\.dev:3: not a valid age recipient/m);
    expect(ok(["status", "--vault-dir", "typo"]).stdout).toMatch(/typo\/\.env\.dev .*invalid recipient at line 3/);
    // doctor works in a repository: the same line in a vault submodule.
    const { host, vault } = makeVaultHost(suite.sb, { host: "typo-host", remote: "typo.git" });
    ok(["set", "A", "--stdin"], { input: log.secret("a-value-typo-host") }, host);
    const devPath = join(vault, ".env.dev");
    writeFileSync(devPath, readFileSync(devPath, "utf8").replace(/(# recipient: [^\n]*\n)/, `$1# recipient: ${typo} bob\n`));
    const doctor = run(["doctor"], {}, host);
    expect(doctor.stdout).toContain("problem: vault/.env.dev:3: not a valid age recipient: its checksum does not match");
    const set = run(["set", "--vault-dir", "typo", "B", "--stdin"], { input: "b-value-typo" });
    expect(set.status).toBe(1);
  });
});

describe("advice names the env file it applies to", () => {
  it("doctor's advice for a file this device cannot read names --env; run as printed it fixes it", () => {
    const { host } = makeVaultHost(suite.sb, { host: "advice-host", remote: "advice.git" });
    ok(["set", "A", "--stdin"], { input: log.secret("a-value-advice") }, host);
    ok(["set", "--env", "prod", "P", "--stdin"], { input: log.secret("p-value-advice") }, host);
    // A second device's key: prod is re-encrypted to it alone.
    const other = join(suite.sb.dir("keys-advice"), "other.key");
    const otherEnv = { GIT_VAULT_IDENTITY_FILE: other };
    writeFileSync(other, "");
    chmodSync(other, 0o600);
    const gen = suite.sb.vault(suite.work, ["keygen"], { env: { XDG_CONFIG_HOME: join(suite.sb.root, "other-config") } });
    const otherRecipient = gen.stdout.trim();
    renameSync(join(suite.sb.root, "other-config", "git-vault", "identity"), other);
    log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(other, "utf8"))?.[0] as string, "the other identity");
    ok(["recipients", "add", otherRecipient, "--label", "other", "--env", "prod", "--reencrypt", "--yes"], {}, host);
    const doctor = run(["doctor"], { env: otherEnv }, host);
    // The other identity reads prod but not dev: the advice names dev.
    expect(doctor.stdout).toContain(`fix: ask a recipient to run: git vault recipients add ${otherRecipient} --reencrypt --env dev\n`);
    ok(["recipients", "add", otherRecipient, "--reencrypt", "--yes", "--env", "dev"], {}, host);
    expect(run(["doctor"], { env: otherEnv }, host).stdout).not.toContain("not a recipient");
  });
});

describe("identity lifecycle", () => {
  it("keygen after the identity file was deleted says this device cannot read the vault, and how to get back", () => {
    const { host } = makeVaultHost(suite.sb, { host: "lost-host", remote: "lost.git" });
    ok(["set", "K", "--stdin"], { input: log.secret("k-value-lost-9a8b") }, host);
    const saved = readFileSync(identityPath, "utf8");
    renameSync(identityPath, join(suite.sb.root, "backup.key"));
    const r = ok(["keygen"], {}, host);
    const fresh = r.stdout.trim();
    expect(fresh).not.toBe(me);
    expect(r.stderr).toContain("warning: this new key is not a recipient of vault/.env.dev: this device cannot read it\n");
    expect(r.stderr).toContain("git vault keys import --replace BACKUP");
    expect(r.stderr).toContain(`or ask a recipient to run: git vault recipients add ${fresh} --reencrypt --env dev\n`);
    log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(identityPath, "utf8"))?.[0] as string, "the replacement key");

    // keys import of the backup no longer dead-ends: --replace, with the new key kept retired.
    const refused = run(["keys", "import", join(suite.sb.root, "backup.key")], {}, host);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("git vault keys import --replace");
    ok(["keys", "import", "--replace", join(suite.sb.root, "backup.key")], {}, host);
    expect(ok(["get", "K", "--reveal"], {}, host).stdout).toBe("k-value-lost-9a8b\n");
    expect(ok(["keys", "show"], {}, host).stdout.split("\n")[0]).toBe(me);
    expect(readFileSync(identityPath, "utf8")).toContain("# git-vault: retired");
    expect(saved).toContain(me);
  });
});

describe("trust on a terminal", () => {
  /** `git vault ARGS` on a pty, answering its question with `answer`. */
  function answered(answer: string, args: string[]): { output: string; status: number } {
    const r = spawnSync("python3", [join(repoRoot, "test", "support", "answer.py"), answer, "--", process.execPath, binPath, ...args], { cwd: suite.work, env: suite.sb.env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { output: string; status: number };
    log.record([...args, `(answer.py ${answer})`], { status: result.status, stdout: "", stderr: result.output });
    return result;
  }

  it("shows the added recipient and asks; no leaves the file as it was, yes records the new set", () => {
    const file = join(suite.work, "asked.env");
    ok(["set", "--file", "asked.env", "FIRST", "--stdin"], { input: log.secret("first-value-asked") });
    writeFileSync(file, readFileSync(file, "utf8").replace(/(# recipient: [^\n]*\n)/, `$1# recipient: ${bob} eve\n`));
    const before = readFileSync(file, "utf8");
    const no = answered("n", ["set", "--file", "asked.env", "SECOND", log.secret("second-value-asked")]);
    expect(no.status).toBe(1);
    expect(no.output).toContain(`+ ${bob} (eve)`);
    expect(no.output).toContain("Trust this change and encrypt to the new recipient set of asked.env? [y/N]");
    expect(no.output).toContain("change not trusted; nothing was encrypted");
    expect(readFileSync(file, "utf8")).toBe(before);
    const yes = answered("y", ["set", "--file", "asked.env", "SECOND", log.secret("second-value-asked")]);
    expect(yes.status, yes.output).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("SECOND=");
    expect(ok(["trust", "status", "--file", "asked.env"]).stdout).toMatch(/^asked\.env: trusted, fingerprint [0-9a-f]{16}\n$/);
  });
});
