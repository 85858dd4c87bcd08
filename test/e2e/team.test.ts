// End-to-end tests of a team of two devices (two HOME folders) sharing a vault
// through local bare repositories: trust on first use, `pull`, and a
// recipient or vault URL changed behind a device's back.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StderrLog } from "../support/assertions.js";
import { makeVaultHost } from "../support/git.js";
import { type RunOptions, type Sandbox, makeSandbox } from "../support/sandbox.js";

const log = new StderrLog();
let sb: Sandbox;
/** Device B's environment: its own HOME, config (identity) and state (trust store). */
let bobEnv: NodeJS.ProcessEnv;
let hostA: string;
let vaultA: string;
let remote: string;
let hostB: string;
let vaultB: string;
let bob: string;

const TOKEN = "tok-team-4f9a1c2e";
const DB = "postgres://app:pw-team-77b2@db/app";

function as(env: NodeJS.ProcessEnv | undefined, cwd: string, args: string[], options: RunOptions = {}) {
  return log.vault(sb, cwd, args, { ...options, env: { ...env, ...options.env } });
}
function okAs(env: NodeJS.ProcessEnv | undefined, cwd: string, args: string[], options: RunOptions = {}) {
  const r = as(env, cwd, args, options);
  expect(r.status, `git vault ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
}
function commitVault(vault: string, message: string): void {
  sb.git(vault, "add", "-A");
  sb.git(vault, "commit", "-q", "-m", message);
  sb.git(vault, "push", "-q", "origin", "HEAD");
}

beforeAll(() => {
  sb = makeSandbox({ allowFileTransport: true });
  log.secret(TOKEN, "API_TOKEN");
  log.secret(DB, "DB_URL");
  ({ remote, host: hostA, vault: vaultA } = makeVaultHost(sb));
  okAs(undefined, hostA, ["set", "API_TOKEN", TOKEN]);
  okAs(undefined, hostA, ["set", "DB_URL", "--stdin"], { input: DB });
  commitVault(vaultA, "Add secrets");
  const hostRemote = sb.repo("host.git", { bare: true });
  sb.git(hostA, "add", "-A");
  sb.git(hostA, "commit", "-q", "-m", "Add vault");
  sb.git(hostA, "remote", "add", "origin", hostRemote);
  sb.git(hostA, "push", "-q", "-u", "origin", "main");

  const bobHome = sb.dir("bob");
  bobEnv = { HOME: bobHome, XDG_CONFIG_HOME: join(bobHome, ".config"), XDG_STATE_HOME: join(bobHome, ".local", "state") };
  bob = okAs(bobEnv, bobHome, ["keygen"]).stdout.trim();
  log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(join(bobHome, ".config", "git-vault", "identity"), "utf8"))?.[0] as string, "bob's identity");
  hostB = join(sb.root, "host-bob");
  sb.git(sb.root, "clone", "-q", hostRemote, hostB);
  vaultB = join(hostB, "vault");
});

afterAll(() => {
  try {
    expect(log.count).toBeGreaterThan(0);
    log.assertNoSecretInStderr();
  } finally {
    sb.cleanup();
  }
});

describe("two devices", () => {
  it("B joins: init records the recipients on first use and prints the fingerprint", () => {
    const r = okAs(bobEnv, hostB, ["init"]);
    expect(r.stderr).toMatch(/trust: first use of vault\/\.env\.dev: recording its 1 recipient, fingerprint [0-9a-f]{16}/);
    expect(r.stderr).toContain(`trust: vault URL ${remote}`);
    const status = JSON.parse(okAs(bobEnv, hostB, ["trust", "status", "--json"]).stdout) as { files: { state: string }[] };
    expect(status.files.map((f) => f.state)).toEqual(["trusted"]);
  });

  it("A adds B with --reencrypt and pushes; B pulls and reads every value", () => {
    const add = okAs(undefined, hostA, ["recipients", "add", bob, "--label", "bob", "--reencrypt"]);
    expect(add.stderr).toContain("re-encrypted 2 values");
    // A's own change needs no accept: its next set goes through.
    okAs(undefined, hostA, ["set", "EXTRA", "--stdin"], { input: "extra-value-1" });
    commitVault(vaultA, "Add bob");

    const pull = okAs(bobEnv, hostB, ["pull"]);
    expect(pull.stdout).toBe(["vault/.env.dev:", "  + keys added: EXTRA", "  ~ keys changed: API_TOKEN, DB_URL", `  + recipient ${bob} (bob)`, ""].join("\n"));
    expect(pull.stderr).toMatch(/^vault [0-9a-f]{7}\.\.[0-9a-f]{7} fast-forwarded to origin\/main\n/);
    // B is now on the vault's branch, not a detached HEAD.
    expect(sb.git(vaultB, "symbolic-ref", "--short", "HEAD").trim()).toBe("main");
    // B's record predates B's addition: a change B did not make itself.
    expect(pull.stderr).toContain("warning: vault/.env.dev: recipients changed since this device trusted them; encrypting to it stops until you check and run: git vault trust accept --env dev");
    expect(okAs(bobEnv, hostB, ["get", "API_TOKEN", "--reveal"]).stdout).toBe(`${TOKEN}\n`);
    expect(okAs(bobEnv, hostB, ["get", "DB_URL", "--reveal"]).stdout).toBe(`${DB}\n`);
    okAs(bobEnv, hostB, ["trust", "accept", "--env", "dev"]);
    expect(okAs(bobEnv, hostB, ["pull"]).stderr).toBe("vault already up to date with origin/main\n");
  });

  it("a recipient line added by hand on a third clone stops B's next set until accepted", () => {
    const third = join(sb.root, "third");
    sb.git(sb.root, "clone", "-q", remote, third);
    const eve = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg";
    const text = readFileSync(join(third, ".env.dev"), "utf8").replace(/(# recipient: [^\n]*bob\n)/, `$1# recipient: ${eve} eve\n`);
    writeFileSync(join(third, ".env.dev"), text);
    commitVault(third, "Add a recipient");

    const pull = okAs(bobEnv, hostB, ["pull"]);
    expect(pull.stdout).toContain(`  + recipient ${eve} (eve)`);
    const before = readFileSync(join(vaultB, ".env.dev"), "utf8");
    const set = as(bobEnv, hostB, ["set", "NEW_KEY", "--stdin"], { input: "new-value-9e8d" });
    expect(set.status).toBe(1);
    expect(set.stderr).toContain(`error: vault/.env.dev: the recipients changed since this device last trusted it:\n  + ${eve} (eve)\n`);
    expect(set.stderr).toContain("git vault trust accept --env dev");
    expect(readFileSync(join(vaultB, ".env.dev"), "utf8")).toBe(before);
    // The other ways to encrypt are stopped the same way.
    for (const args of [["encrypt", "--all", "--reencrypt"], ["recipients", "add", bob, "--label", "bob2", "--reencrypt", "--yes"], ["encrypt", "--reencrypt"]]) {
      const r = as(bobEnv, hostB, args);
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr).toContain(`+ ${eve} (eve)`);
    }
    expect(readFileSync(join(vaultB, ".env.dev"), "utf8")).toBe(before);
    expect(as(bobEnv, hostB, ["trust", "status"]).status).toBe(1);

    okAs(bobEnv, hostB, ["trust", "accept", "--env", "dev"]);
    okAs(bobEnv, hostB, ["set", "NEW_KEY", "--stdin"], { input: "new-value-9e8d" });
    expect(readFileSync(join(vaultB, ".env.dev"), "utf8")).toContain("NEW_KEY=");
  });

  it("a changed vault URL in .gitmodules is caught the same way", () => {
    const mirror = join(sb.root, "mirror.git");
    cpSync(remote, mirror, { recursive: true });
    sb.git(hostA, "config", "-f", ".gitmodules", "submodule.vault.url", mirror);
    sb.git(hostA, "commit", "-q", "-am", "Move the vault");
    sb.git(hostA, "push", "-q");
    sb.git(hostB, "pull", "-q", "--no-rebase");

    const set = as(bobEnv, hostB, ["set", "OTHER", "--stdin"], { input: "other-value-5c4b" });
    expect(set.status).toBe(1);
    expect(set.stderr).toContain(`error: vault/.env.dev: the vault URL changed since this device last trusted it:\n  vault URL in .gitmodules: ${remote} -> ${mirror}\n`);
    expect(set.stderr).toContain("git vault trust accept --env dev");
    expect(as(bobEnv, hostB, ["init"]).status).toBe(1);
    okAs(bobEnv, hostB, ["trust", "accept"]);
    okAs(bobEnv, hostB, ["set", "OTHER", "--stdin"], { input: "other-value-5c4b" });
  });
});
