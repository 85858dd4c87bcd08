// End-to-end tests of a team of two devices (two HOME folders) sharing a vault
// through local bare repositories: trust on first use, `pull`, and a
// recipient or vault URL changed behind a device's back.
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StderrLog } from "../support/assertions.js";
import { gitRun, makeVaultHost } from "../support/git.js";
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
/** A copy of the vault remote that A's host now names in .gitmodules; B pulls the host (not the vault). */
function moveVault(name: string, message: string): string {
  const copy = join(sb.root, name);
  cpSync(remote, copy, { recursive: true });
  sb.git(hostA, "config", "-f", ".gitmodules", "submodule.vault.url", copy);
  sb.git(hostA, "commit", "-q", "-am", message);
  sb.git(hostA, "push", "-q");
  sb.git(hostB, "pull", "-q", "--no-rebase");
  return copy;
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

  it("after git pull --recurse-submodules left the vault detached at the host's new pin, pull puts it back on its branch, with no pin to commit", () => {
    okAs(undefined, hostA, ["set", "PINNED", "--stdin"], { input: "pinned-value-4d2e" });
    commitVault(vaultA, "Add PINNED");
    sb.git(hostA, "add", "vault");
    sb.git(hostA, "commit", "-q", "-m", "Pin the vault");
    sb.git(hostA, "push", "-q");
    sb.git(hostB, "pull", "-q", "--no-rebase", "--recurse-submodules");
    const pin = sb.git(vaultA, "rev-parse", "HEAD").trim();
    expect(gitRun(sb, vaultB, ["symbolic-ref", "-q", "HEAD"]).status).toBe(1); // detached, as git leaves it
    expect(sb.git(vaultB, "rev-parse", "HEAD").trim()).toBe(pin);

    const pull = okAs(bobEnv, hostB, ["pull"]);
    expect(sb.git(vaultB, "symbolic-ref", "--short", "HEAD").trim()).toBe("main");
    expect(sb.git(vaultB, "rev-parse", "main").trim()).toBe(pin);
    expect(pull.stderr).not.toContain("to pin this vault commit");
    expect(okAs(bobEnv, hostB, ["get", "PINNED", "--reveal"]).stdout).toBe("pinned-value-4d2e\n");
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
    const mirror = moveVault("mirror.git", "Move the vault");

    const set = as(bobEnv, hostB, ["set", "OTHER", "--stdin"], { input: "other-value-5c4b" });
    expect(set.status).toBe(1);
    expect(set.stderr).toContain(`error: vault/.env.dev: the vault URL changed since this device last trusted it:\n  vault URL in .gitmodules: ${remote} -> ${mirror}\n`);
    expect(set.stderr).toContain("git vault trust accept --env dev");
    expect(set.stderr).toContain("(`git log -p -- .gitmodules` in the host)");
    expect(as(bobEnv, hostB, ["init"]).status).toBe(1);
    okAs(bobEnv, hostB, ["trust", "accept"]);
    okAs(bobEnv, hostB, ["set", "OTHER", "--stdin"], { input: "other-value-5c4b" });
  });

  it("after git submodule sync too, the URL change stops set: the look-alike vault's files are not taken for a first use", () => {
    const lookalike = moveVault("lookalike.git", "Move the vault again");
    // What git advises after a URL change: the vault's origin now names the look-alike.
    sb.git(hostB, "submodule", "sync", "-q");
    expect(sb.git(vaultB, "remote", "get-url", "origin").trim()).toBe(lookalike);
    const before = readFileSync(join(vaultB, ".env.dev"), "utf8");
    // The URL Bob accepted in the test above.
    const accepted = join(sb.root, "mirror.git");

    const set = as(bobEnv, hostB, ["set", "THIRD", "--stdin"], { input: "third-value-2f7a" });
    expect(set.status).toBe(1);
    expect(set.stderr).toContain(`error: vault/.env.dev: the vault URL changed since this device last trusted it:\n  vault URL in .gitmodules: ${accepted} -> ${lookalike}\n`);
    expect(set.stderr).not.toContain("first use");
    expect(readFileSync(join(vaultB, ".env.dev"), "utf8")).toBe(before);
    const trustStatus = as(bobEnv, hostB, ["trust", "status", "--json"]);
    expect(trustStatus.status).toBe(1);
    const rows = (JSON.parse(trustStatus.stdout) as { files: { file: string; state: string }[] }).files;
    expect(rows.map((r) => [r.file, r.state])).toEqual([["vault/.env.dev", "changed"]]);
    const status = JSON.parse(okAs(bobEnv, hostB, ["status", "--json"]).stdout) as { envFiles: { file: string; trust: string }[] };
    expect(status.envFiles.map((f) => f.trust)).toEqual(["changed"]);
    const verify = as(bobEnv, hostB, ["verify"]);
    expect(verify.status).toBe(1);
    expect(verify.stdout + verify.stderr).toContain(`vault URL in .gitmodules: ${accepted} -> ${lookalike}`);

    okAs(bobEnv, hostB, ["trust", "accept"]);
    okAs(bobEnv, hostB, ["set", "THIRD", "--stdin"], { input: "third-value-2f7a" });
  });
});

describe("history and review", () => {
  it("get --at HEAD~3 returns the value as it was; --host follows the submodule pin", () => {
    const { host, vault } = makeVaultHost(sb, { host: "hist-host", remote: "hist.git" });
    const values = ["hist-v1-aa11bb", "hist-v2-cc22dd", "hist-v3-ee33ff", "hist-v4-0a0b0c"].map((v) => log.secret(v));
    const hostCommits: string[] = [];
    for (const value of values) {
      okAs(undefined, host, ["set", "HIST", "--stdin"], { input: value });
      sb.git(vault, "add", "-A");
      sb.git(vault, "commit", "-q", "-m", `HIST ${value.slice(5, 7)}`);
      sb.git(host, "add", "-A");
      sb.git(host, "commit", "-q", "-m", "pin");
      hostCommits.push(sb.git(host, "rev-parse", "HEAD").trim());
    }
    expect(okAs(undefined, host, ["get", "HIST", "--reveal", "--at", "HEAD~3"]).stdout).toBe(`${values[0]}\n`);
    expect(okAs(undefined, host, ["get", "HIST", "--reveal", "--at", "HEAD~1"]).stdout).toBe(`${values[2]}\n`);
    expect(okAs(undefined, host, ["get", "HIST", "--reveal", "--at", hostCommits[1] as string, "--host"]).stdout).toBe(`${values[1]}\n`);
    // Masked unless --reveal, like get itself.
    expect(okAs(undefined, host, ["get", "HIST", "--at", "HEAD~3"]).stdout).not.toContain(values[0]);
    const missing = as(undefined, host, ["get", "HIST", "--at", "HEAD~9"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error: HEAD~9: no such commit in the vault repository\n/);
  });

  it("review main..feature --markdown lists exactly the added recipient and the two changed keys, exit 1 for the untrusted recipient", () => {
    const { host, vault } = makeVaultHost(sb, { host: "rev-host", remote: "rev.git" });
    const secrets = ["rev-one-5e6f7a", "rev-two-8b9c0d", "rev-one-new-1f2e", "rev-two-new-3d4c"].map((v) => log.secret(v));
    okAs(undefined, host, ["set", "ONE", "--stdin"], { input: secrets[0] });
    okAs(undefined, host, ["set", "TWO", "--stdin"], { input: secrets[1] });
    sb.git(vault, "add", "-A");
    sb.git(vault, "commit", "-q", "-m", "two keys");
    sb.git(vault, "switch", "-q", "-c", "feature");
    const carol = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg";
    okAs(undefined, host, ["recipients", "add", carol, "--label", "carol"]);
    okAs(undefined, host, ["set", "ONE", "--stdin"], { input: secrets[2] });
    okAs(undefined, host, ["set", "TWO", "--stdin"], { input: secrets[3] });
    sb.git(vault, "commit", "-q", "-am", "carol; new values");

    // A CI runner: no identity and no trust store of its own.
    const ci = { XDG_STATE_HOME: sb.dir("ci-state"), XDG_CONFIG_HOME: sb.dir("ci-config") };
    const r = as(ci, vault, ["review", "main..feature", "--markdown"]);
    expect(r.status).toBe(1);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["### git-vault review: `main..feature`", ""]);
    expect(lines).toContain("- keys changed: `ONE`, `TWO`");
    expect(lines).toContain(`- recipient added: \`${carol}\` (\`carol\`)`);
    expect(lines).toContain("- :warning: recipient set not trusted: recipients changed in this range: nobody has accepted the new set");
    expect(lines[2]).toMatch(/^Vault `[0-9a-f]{7}\.\.[0-9a-f]{7}` · \*\*needs a reviewer's attention\*\*$/);
    expect(lines).toContain("#### `.env.dev`");
    expect(lines.filter((l) => l.startsWith("- "))).toHaveLength(4);
    // The same from the host, JSON for scripts; and from the author's device, whose trust store has the new set: nothing to flag.
    const json = JSON.parse(as(ci, host, ["review", "main..feature", "--json"]).stdout) as { files: { file: string; changed: string[]; added: string[]; removed: string[]; recipientsAdded: { label: string }[]; trust: string }[]; attention: boolean };
    expect(json.attention).toBe(true);
    expect(json.files.map((f) => [f.file, f.changed, f.added, f.removed, f.recipientsAdded.map((x) => x.label), f.trust])).toEqual([[".env.dev", ["ONE", "TWO"], [], [], ["carol"], "untrusted"]]);
    expect(okAs(undefined, vault, ["review", "main..feature"]).stdout).toContain("recipient set");
    // Stale values are flagged too: a recipient added without re-encrypting.
    sb.git(vault, "switch", "-q", "-c", "stale", "main");
    // The trust store holds the set last accepted (with carol): main's set is a change to accept again.
    expect(as(undefined, host, ["recipients", "add", carol, "--label", "carol"]).stderr).toContain(`  - ${carol} (carol)\n`);
    okAs(undefined, host, ["trust", "accept"]);
    okAs(undefined, host, ["recipients", "add", carol, "--label", "carol"]);
    sb.git(vault, "commit", "-q", "-am", "carol only");
    const stale = as(undefined, vault, ["review", "main..stale"]);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toContain("  ! values encrypted to an older recipient set: ONE, TWO\n");
    for (const out of [r.stdout, r.stderr, stale.stdout, JSON.stringify(json)]) for (const s of secrets) expect(out).not.toContain(s);
    expect(gitRun(sb, vault, ["status", "--porcelain"]).stdout).toBe("");
    // A label is the writer's text: it stays inside its code span, whatever quotes and markup it holds.
    sb.git(vault, "switch", "-q", "-c", "labelled", "feature");
    const dave = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    const evil = "ok` ![x](https://evil.example/p.png) @admin <img src=x> `";
    okAs(undefined, host, ["recipients", "add", dave, "--label", evil, "--yes"], { env: { CI: "1" } });
    sb.git(vault, "commit", "-q", "-am", "dave");
    const labelled = as(ci, vault, ["review", "feature..labelled", "--markdown"]).stdout.split("\n");
    expect(labelled).toContain(`- recipient added: \`${dave}\` (\`\` ${evil} \`\`)`);
  });

  it("review --host main...feature compares the feature's pin with the pin at the merge base; main..feature with main's pin", () => {
    const { host, vault } = makeVaultHost(sb, { host: "sym-host", remote: "sym.git" });
    const values = ["sym-one-a1", "sym-two-b2", "sym-one-feature-c3", "sym-two-main-d4"].map((v) => log.secret(v));
    const commitBoth = (message: string): void => {
      sb.git(vault, "add", "-A");
      sb.git(vault, "commit", "-q", "-m", message);
      sb.git(host, "add", "-A");
      sb.git(host, "commit", "-q", "-m", `pin: ${message}`);
    };
    okAs(undefined, host, ["set", "ONE", "--stdin"], { input: values[0] });
    okAs(undefined, host, ["set", "TWO", "--stdin"], { input: values[1] });
    commitBoth("two keys");
    const basePin = sb.git(vault, "rev-parse", "HEAD").trim();
    // The feature branch of the host changes ONE.
    sb.git(host, "switch", "-q", "-c", "feature");
    okAs(undefined, host, ["set", "ONE", "--stdin"], { input: values[2] });
    commitBoth("feature: ONE");
    // Meanwhile main moves on from the base: TWO changes in a vault commit of its own.
    sb.git(host, "switch", "-q", "main");
    sb.git(vault, "checkout", "-q", "-B", "main", basePin);
    okAs(undefined, host, ["set", "TWO", "--stdin"], { input: values[3] });
    commitBoth("main: TWO");

    const ci = { XDG_STATE_HOME: sb.dir("sym-ci-state"), XDG_CONFIG_HOME: sb.dir("sym-ci-config") };
    const symmetric = JSON.parse(okAs(ci, host, ["review", "--host", "main...feature", "--json"]).stdout) as { files: { file: string; changed: string[] }[]; attention: boolean };
    expect(symmetric.files.map((f) => [f.file, f.changed])).toEqual([[".env.dev", ["ONE"]]]);
    expect(symmetric.attention).toBe(false);
    const twoDot = JSON.parse(okAs(ci, host, ["review", "--host", "main..feature", "--json"]).stdout) as { files: { file: string; changed: string[] }[] };
    expect(twoDot.files.map((f) => [f.file, f.changed])).toEqual([[".env.dev", ["ONE", "TWO"]]]);
    for (const out of [JSON.stringify(symmetric), JSON.stringify(twoDot)]) for (const v of values) expect(out).not.toContain(v);
  });
});

describe("rotate", () => {
  it("refuses an identity given per command, and takes no --env or --file (a whole vault moves, or none of it)", () => {
    const { host, vault } = makeVaultHost(sb, { host: "rot-opts-host", remote: "rot-opts.git" });
    const before = readFileSync(join(vault, ".env.dev"));
    const device = okAs(undefined, host, ["keys", "show"]).stdout;
    const ciKey = join(sb.root, "rot-ci.key");
    const keygen = spawnSync("age-keygen", ["-o", ciKey], { encoding: "utf8" });
    expect(keygen.status, keygen.stderr).toBe(0);
    const refused = as(undefined, host, ["rotate", "-i", ciKey]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`rotate replaces this device's stored identity, but --identity-file ${ciKey} is in use`);
    for (const args of [["rotate", "--env", "prod"], ["rotate", "--file", "vault/.env.dev"]]) expect(as(undefined, host, args).status, args.join(" ")).toBe(2);
    expect(readFileSync(join(vault, ".env.dev")).equals(before)).toBe(true);
    expect(okAs(undefined, host, ["keys", "show"]).stdout).toBe(device);
  });

  it("moves the two env files that list this device to a new key; the third stays byte for byte; history still reads", () => {
    const home = sb.dir("rotator");
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_STATE_HOME: join(home, ".local", "state") };
    const old = okAs(env, home, ["keygen"]).stdout.trim();
    const identityPath = join(home, ".config", "git-vault", "identity");
    const oldKey = log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(identityPath, "utf8"))?.[0] as string, "the old key");
    const { host, vault } = makeVaultHost(sb, { host: "rot-host", remote: "rot.git" });
    const other = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg";
    const v = ["rot-dev-a1b2c3", "rot-prod-d4e5f6", "rot-ci-0718293", "rot-dev-new-4a5b"].map((x) => log.secret(x));
    okAs(undefined, host, ["recipients", "add", other, "--label", "teammate", "--env", "dev"]);
    // init made .env.dev with the sandbox device; this device joins dev and prod, and is no recipient of ci.
    okAs(undefined, host, ["recipients", "add", old, "--label", "rotator", "--env", "dev", "--yes"]);
    okAs(env, host, ["set", "DEV_TOKEN", "--stdin"], { input: v[0] });
    writeFileSync(join(vault, ".env.prod"), `# git-vault v1\n# recipient: ${old} rotator\n# recipient: ${other} teammate\n\n`);
    okAs(env, host, ["set", "PROD_TOKEN", "--env", "prod", "--stdin"], { input: v[1] });
    writeFileSync(join(vault, ".env.ci"), `# git-vault v1\n# recipient: ${other} ci\n\n`);
    okAs(env, host, ["set", "CI_TOKEN", "--env", "ci", "--stdin"], { input: v[2] });
    sb.git(vault, "add", "-A");
    sb.git(vault, "commit", "-q", "-m", "three env files");
    const ciBefore = readFileSync(join(vault, ".env.ci"));

    const r = okAs(env, host, ["rotate"]);
    const fresh = r.stdout.trim();
    expect(fresh).toMatch(/^age1[0-9a-z]{58}$/);
    expect(fresh).not.toBe(old);
    expect(r.stderr).toContain(`rotated: ${old} -> ${fresh}`);
    expect(r.stderr).toContain("vault/.env.dev: new recipient, 1 value re-encrypted\n");
    expect(r.stderr).toContain("vault/.env.prod: new recipient, 1 value re-encrypted\n");
    expect(r.stderr).toContain("commit and push the vault: git -C vault add -A && git -C vault commit -m");
    for (const name of [".env.dev", ".env.prod"]) {
      const text = readFileSync(join(vault, name), "utf8");
      expect(text).not.toContain(old);
      expect(text).toContain(`# recipient: ${fresh} rotator\n`);
    }
    // The new recipient takes the old one's line: prod listed the rotator first, and still does.
    expect(readFileSync(join(vault, ".env.prod"), "utf8").split("\n").slice(0, 3)).toEqual(["# git-vault v1", `# recipient: ${fresh} rotator`, `# recipient: ${other} teammate`]);
    const headerDiff = sb.git(vault, "diff", "--no-textconv", "-U0", "--", ".env.prod").split("\n").filter((l) => /^[-+]# recipient/.test(l));
    expect(headerDiff).toEqual([`-# recipient: ${old} rotator`, `+# recipient: ${fresh} rotator`]);
    expect(readFileSync(join(vault, ".env.ci")).equals(ciBefore)).toBe(true);
    // The new key alone reads both files.
    const store = readFileSync(identityPath, "utf8");
    expect(store).toMatch(/# git-vault: retired \S+\n# public key: age1/);
    const newKey = log.secret(/^AGE-SECRET-KEY-1\S+$/gm.exec(store.split(oldKey).join(""))?.[0] as string, "the new key");
    const onlyNew = { GIT_VAULT_IDENTITY: newKey };
    expect(okAs({ ...env, ...onlyNew }, host, ["get", "DEV_TOKEN", "--reveal"]).stdout).toBe(`${v[0]}\n`);
    expect(okAs({ ...env, ...onlyNew }, host, ["get", "PROD_TOKEN", "--reveal", "--env", "prod"]).stdout).toBe(`${v[1]}\n`);
    expect(as({ ...env, GIT_VAULT_IDENTITY: oldKey }, host, ["get", "DEV_TOKEN"]).status).toBe(1);
    // The device's own identity (both keys) still reads the old commit, through textconv too.
    okAs(env, host, ["set", "DEV_TOKEN", "--stdin"], { input: v[3] });
    sb.git(vault, "commit", "-q", "-am", "rotated");
    expect(okAs(env, host, ["get", "DEV_TOKEN", "--reveal", "--at", "HEAD~1"]).stdout).toBe(`${v[0]}\n`);
    const logp = gitRun(sb, vault, ["log", "-p", "--", ".env.dev"], env);
    expect(logp.status).toBe(0);
    expect(logp.stdout).toContain(`-DEV_TOKEN=${v[0]}`);
    expect(logp.stdout).toContain(`+DEV_TOKEN=${v[3]}`);
    // Nothing left pending: a second rotate makes another key.
    expect(store).not.toContain("pending");
  });

  it("cut short after one file, leaves every file readable by this device, and a second rotate finishes with the same key", async () => {
    const home = sb.dir("rotator-cut");
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_STATE_HOME: join(home, ".local", "state") };
    const old = okAs(env, home, ["keygen"]).stdout.trim();
    const identityPath = join(home, ".config", "git-vault", "identity");
    log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(identityPath, "utf8"))?.[0] as string, "the cut rotation's old key");
    const { host, vault } = makeVaultHost(sb, { host: "cut-host", remote: "cut.git" });
    const v = ["cut-dev-91ab", "cut-prod-27cd"].map((x) => log.secret(x));
    okAs(undefined, host, ["recipients", "add", old, "--label", "rotator", "--env", "dev", "--yes"]);
    okAs(env, host, ["set", "DEV_TOKEN", "--stdin"], { input: v[0] });
    writeFileSync(join(vault, ".env.prod"), `# git-vault v1\n# recipient: ${old} rotator\n\n`);
    okAs(env, host, ["set", "PROD_TOKEN", "--env", "prod", "--stdin"], { input: v[1] });
    // A live process holds .env.prod's lock: rotate rewrites .env.dev, then gives up at .env.prod.
    writeFileSync(join(vault, ".env.prod.lock"), `${process.pid}\n`);
    // rotate waits the lock's 15 s out: run without blocking this worker, whose test runner must keep talking to vitest.
    const cut = await log.vaultAsync(sb, host, ["rotate"], { env });
    expect(cut.status).toBe(1);
    expect(cut.stderr).toContain(".env.prod is locked by another git-vault process");
    const pending = readFileSync(identityPath, "utf8");
    expect(pending).toMatch(/# git-vault: pending/);
    const devText = readFileSync(join(vault, ".env.dev"), "utf8");
    expect(devText).not.toContain(old);
    expect(readFileSync(join(vault, ".env.prod"), "utf8")).toContain(`# recipient: ${old} rotator\n`);
    // Both files read with what the device stores (the old key and the pending one).
    expect(okAs(env, host, ["get", "DEV_TOKEN", "--reveal"]).stdout).toBe(`${v[0]}\n`);
    expect(okAs(env, host, ["get", "PROD_TOKEN", "--reveal", "--env", "prod"]).stdout).toBe(`${v[1]}\n`);

    rmSync(join(vault, ".env.prod.lock"));
    const done = okAs(env, host, ["rotate"]);
    const fresh = done.stdout.trim();
    expect(devText).toContain(`# recipient: ${fresh} rotator\n`); // the pending key of the cut run, reused
    expect(readFileSync(join(vault, ".env.prod"), "utf8")).toContain(`# recipient: ${fresh} rotator\n`);
    const store = readFileSync(identityPath, "utf8");
    expect(store).not.toContain("pending");
    expect(store).toMatch(/# git-vault: retired \S+\n# public key: /);
    expect(okAs(env, host, ["get", "PROD_TOKEN", "--reveal", "--env", "prod"]).stdout).toBe(`${v[1]}\n`);
  });
});
