// End-to-end tests of `verify`, the CI gate (SPEC §5): it checks the same env
// files the pre-commit guard covers, reports every problem as
// file:line:key without a value, honours --env and --file, and pins the
// recipient set with a fingerprint of at least 8 hex digits.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;
let fingerprint: string;
let otherIdentity: string;
let otherRecipient: string;

/** A fresh vault dir below work with an encrypted .env.dev; returns its name. */
function vaultWithDev(name: string): string {
  mkdirSync(join(suite.work, name));
  ok(["set", "--vault-dir", name, "API_TOKEN", log.secret(`tok-${name}-9f8e7d`)]);
  ok(["set", "--vault-dir", name, "DB_URL", log.secret(`postgres://u:pw-${name}@db/app`)]);
  return name;
}

beforeAll(() => {
  suite.keygen();
  otherIdentity = join(suite.sb.dir("keys"), "other.key");
  const gen = spawnSync("age-keygen", ["-o", otherIdentity], { env: suite.sb.env, encoding: "utf8" });
  expect(gen.status, gen.stderr).toBe(0);
  chmodSync(otherIdentity, 0o600);
  log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(otherIdentity, "utf8"))?.[0] as string, "another identity");
  otherRecipient = /age1[0-9a-z]+/.exec(gen.stderr)?.[0] as string;
  vaultWithDev("pinned");
  fingerprint = /fingerprint ([0-9a-f]{16})/.exec(ok(["status", "--vault-dir", "pinned"]).stdout)?.[1] as string;
  expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
});

describe("verify", () => {
  it("passes a clean vault dir: exit 0 and a count of the files", () => {
    const dir = vaultWithDev("clean");
    const r = ok(["verify", "--vault-dir", dir]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("verified 1 env file\n");
  });

  it("checks env files in subfolders too, as the pre-commit guard does", () => {
    const dir = vaultWithDev("nested");
    mkdirSync(join(suite.work, dir, "prod"));
    const password = log.secret("hunter2-nested-secret");
    writeFileSync(join(suite.work, dir, "prod", ".env.prod"), `# git-vault v1\n# recipient: ${otherRecipient}\n\nDB_PASSWORD=${password}\n`);
    mkdirSync(join(suite.work, dir, ".git"));
    writeFileSync(join(suite.work, dir, ".git", ".env.ignored"), "NOT_CHECKED=plain\n");

    const r = run(["verify", "--vault-dir", dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`${dir}/prod/.env.prod:4:DB_PASSWORD: plaintext: value is not encrypted (run \`git vault encrypt --file ${dir}/prod/.env.prod\`)\n`);
    // The device identity is no recipient of prod/.env.prod: its decryption is not checked, and that is said.
    expect(r.stderr).toBe(`decryption not checked in ${dir}/prod/.env.prod: the identity is not among its recipients\n1 problem found\n`);
    expect(r.stdout + r.stderr).not.toContain(password);

    const check = run(["check", "--all", "--vault-dir", dir]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`${dir}/prod/.env.prod:4:DB_PASSWORD: plaintext value`);
    expect(check.stdout).not.toContain("NOT_CHECKED");
  });

  it("checks only the env named with --env (or the file named with --file)", () => {
    const dir = vaultWithDev("narrowed");
    writeFileSync(join(suite.work, dir, ".env.bad"), `LEAKED=${log.secret("plain-in-bad-env")}\n`);
    expect(run(["verify", "--vault-dir", dir]).status).toBe(1);
    expect(ok(["verify", "--vault-dir", dir, "--env", "dev"]).stderr).toBe("verified 1 env file\n");
    expect(ok(["verify", "--file", join(dir, ".env.dev")]).stderr).toBe("verified 1 env file\n");
    const bad = run(["verify", "--vault-dir", dir, "--env", "bad"]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^narrowed\/\.env\.bad: no-recipients: /m);
    expect(bad.stdout).toMatch(/^narrowed\/\.env\.bad:1:LEAKED: plaintext: /m);
  });

  it("pins the recipient set: a matching prefix passes, another fails, a pin under 8 hex digits is a usage error", () => {
    expect(ok(["verify", "--vault-dir", "pinned", "--trust-fingerprint", fingerprint.slice(0, 8).toUpperCase()]).stderr).toBe("verified 1 env file\n");
    expect(ok(["verify", "--vault-dir", "pinned"], { env: { GIT_VAULT_TRUST_FINGERPRINT: fingerprint } }).status).toBe(0);
    const wrong = fingerprint.startsWith("0") ? "11111111" : "00000000";
    const mismatch = run(["verify", "--vault-dir", "pinned", "--trust-fingerprint", wrong]);
    expect(mismatch.status).toBe(1);
    expect(mismatch.stdout).toBe(`pinned/.env.dev: trust-mismatch: recipient set fingerprint ${fingerprint} does not match the pinned ${wrong}\n`);
    for (const pin of ["", "3", fingerprint.slice(0, 7), "zzzzzzzz", "a".repeat(65)]) {
      const r = run(["verify", "--vault-dir", "pinned", "--trust-fingerprint", pin]);
      expect(r.status, `pin "${pin}"`).toBe(2);
      expect(r.stderr).toMatch(/^error: the trust fingerprint must be 8 to 64 hex digits\n/);
    }
  });

  it("finds stale values after a recipient change and values the identity cannot open", () => {
    const dir = vaultWithDev("changed");
    ok(["recipients", "add", "--vault-dir", dir, otherRecipient, "--yes"]);
    const stale = run(["verify", "--vault-dir", dir]);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toMatch(/^changed\/\.env\.dev:5:API_TOKEN: stale: encrypted to an older recipient set/m);
    expect(stale.stdout).toMatch(/^changed\/\.env\.dev:6:DB_URL: stale: /m);

    // Listed as a recipient, but the values were never re-encrypted to it: stale, and it cannot open them.
    const other = run(["verify", "--vault-dir", dir, "--identity-file", otherIdentity, "--json"]);
    expect(other.status).toBe(1);
    const report = JSON.parse(other.stdout) as { ok: boolean; files: string[]; findings: { key: string; problem: string; detail: string }[]; skippedDecryption: string[] };
    expect(report.ok).toBe(false);
    expect(report.files).toEqual([`${dir}/.env.dev`]);
    expect(report.skippedDecryption).toEqual([]);
    expect(report.findings.map((f) => [f.key, f.problem])).toEqual([
      ["API_TOKEN", "stale"],
      ["API_TOKEN", "undecryptable"],
      ["DB_URL", "stale"],
      ["DB_URL", "undecryptable"],
    ]);
  });

  it("reports a file out of canonical style", () => {
    const dir = vaultWithDev("styled");
    const path = join(suite.work, dir, ".env.dev");
    writeFileSync(path, readFileSync(path, "utf8").replace("\nAPI_TOKEN", "\n\n\nAPI_TOKEN"));
    const r = run(["verify", "--vault-dir", dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("styled/.env.dev: format: not in canonical style (run `git vault fmt --file styled/.env.dev`)\n");
  });
});

describe("verify with a CI identity that reads only some env files (docs/identities.md)", () => {
  it("checks decryption where the identity is a recipient, and names the files it skipped", () => {
    const dir = vaultWithDev("ci-some");
    // prod is readable by the CI key only; dev by the device only.
    writeFileSync(join(suite.work, dir, ".env.prod"), `# git-vault v1\n# recipient: ${otherRecipient} ci\n`);
    ok(["set", "--vault-dir", dir, "--env", "prod", "--format", "PROD_TOKEN", log.secret("prod-token-ci-6d5c")]);
    const r = run(["verify", "--vault-dir", dir, "--identity-file", otherIdentity]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`decryption not checked in ${dir}/.env.dev: the identity is not among its recipients\nverified 2 env files\n`);
    expect(r.status).toBe(0);
  });

  it("takes one pin per env file, and refuses a pin for an env it does not check", () => {
    const dir = vaultWithDev("pins");
    ok(["set", "--vault-dir", dir, "--env", "prod", "PROD_TOKEN", log.secret("prod-token-pins-1a2b")]);
    const status = JSON.parse(ok(["trust", "status", "--all", "--vault-dir", dir, "--json"]).stdout) as { files: { file: string; fingerprint: string }[] };
    const prints = new Map(status.files.map((f) => [f.file, f.fingerprint]));
    const devPin = (prints.get(`${dir}/.env.dev`) as string).slice(0, 12);
    const prodPin = (prints.get(`${dir}/.env.prod`) as string).slice(0, 12);
    expect(ok(["verify", "--vault-dir", dir, "--trust-fingerprint", `dev=${devPin}`, "--trust-fingerprint", `prod=${prodPin}`]).stderr).toBe("verified 2 env files\n");
    expect(ok(["verify", "--vault-dir", dir], { env: { GIT_VAULT_TRUST_FINGERPRINT: `dev=${devPin},prod=${prodPin}` } }).status).toBe(0);
    const wrong = run(["verify", "--vault-dir", dir, "--trust-fingerprint", `prod=${devPin === prodPin ? "00000000" : devPin}`]);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(new RegExp(`^${dir}/\\.env\\.prod: trust-mismatch: `));
    const unknown = run(["verify", "--vault-dir", dir, "--trust-fingerprint", `staging=${devPin}`]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^error: --trust-fingerprint names env staging, which is not among the files checked\n/);
    // The option takes the variable's comma list too, and an error names where the pin came from.
    expect(ok(["verify", "--vault-dir", dir, "--trust-fingerprint", `dev=${devPin},prod=${prodPin}`]).stderr).toBe("verified 2 env files\n");
    const fromEnv = run(["verify", "--vault-dir", dir], { env: { GIT_VAULT_TRUST_FINGERPRINT: `staging=${devPin}` } });
    expect([fromEnv.status, fromEnv.stderr.split("\n")[0]]).toEqual([2, "error: GIT_VAULT_TRUST_FINGERPRINT names env staging, which is not among the files checked"]);
  });
});
