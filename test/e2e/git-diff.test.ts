// The textconv diff driver under real git: `git diff`, `git log -p` and
// `git show` in the vault (and `git diff --submodule=diff` in the host) show
// changed keys as KEY=plaintext; without an identity they show markers and
// still exit 0; re-encryption alone shows no textconv change; nothing ever
// turns on cachetextconv or writes textconv notes.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { gitRun, hostWithCommit, makeVaultHost } from "../support/git.js";
import { type Sandbox, makeSandbox } from "../support/sandbox.js";

/** The +/- content lines of a diff (no ---/+++ headers). */
function changedLines(diff: string): string[] {
  return diff.split("\n").filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
}

describe("git diff through the git-vault textconv driver", () => {
  let sb: Sandbox;
  let host: string;
  let vault: string;

  const set = (key: string, value: string): void => {
    const r = sb.vault(host, ["set", key, "--stdin"], { input: value });
    expect(r.status, r.stderr).toBe(0);
  };
  const commitVault = (message: string): void => {
    sb.git(vault, "commit", "-q", "-am", message);
  };

  beforeAll(() => {
    sb = makeSandbox();
    ({ host, vault } = makeVaultHost(sb));
    set("API_KEY", "alpha-api-key-1");
    set("DB_URL", "postgres://db-password-1@db/app");
    sb.git(vault, "add", "-A");
    commitVault("add keys");
    sb.git(host, "add", "-A");
    sb.git(host, "commit", "-q", "-m", "add vault");
  });
  afterEach(() => {
    // Each test starts from the committed state of the vault.
    sb.git(vault, "reset", "-q", "--hard");
  });
  afterAll(() => sb.cleanup());

  it("git diff in the vault and git diff --submodule=diff in the host show KEY=plaintext for a changed key", () => {
    set("API_KEY", "beta-api-key-2");

    const diff = gitRun(sb, vault, ["diff"]);
    expect(diff.status, diff.stderr).toBe(0);
    expect(changedLines(diff.stdout)).toEqual(["-API_KEY=alpha-api-key-1", "+API_KEY=beta-api-key-2"]);
    expect(diff.stdout).toContain(" DB_URL=postgres://db-password-1@db/app"); // context, decrypted too
    expect(diff.stdout).not.toContain("encrypted:gv1:");

    const viaHost = gitRun(sb, host, ["diff", "--submodule=diff"]);
    expect(viaHost.status, viaHost.stderr).toBe(0);
    expect(viaHost.stdout).toContain("+++ b/vault/.env.dev");
    expect(changedLines(viaHost.stdout)).toEqual(["-API_KEY=alpha-api-key-1", "+API_KEY=beta-api-key-2"]);
    expect(viaHost.stdout).not.toContain("encrypted:gv1:");
  });

  it("git log -p and git show in the vault show the committed change as KEY=plaintext", () => {
    set("DB_URL", "postgres://db-password-2@db/app");
    set("NEW_KEY", "gamma-new-key-3");
    commitVault("change DB_URL, add NEW_KEY");

    const expected = ["-DB_URL=postgres://db-password-1@db/app", "+DB_URL=postgres://db-password-2@db/app", "+NEW_KEY=gamma-new-key-3"];
    const log = gitRun(sb, vault, ["log", "-p", "-1"]);
    expect(log.status, log.stderr).toBe(0);
    expect(changedLines(log.stdout)).toEqual(expected);
    const show = gitRun(sb, vault, ["show", "HEAD"]);
    expect(show.status, show.stderr).toBe(0);
    expect(changedLines(show.stdout)).toEqual(expected);

    expect(log.stdout + show.stdout).not.toContain("encrypted:gv1:");
  });

  it("without an identity, git diff / log -p show masked markers, never values, and exit 0", () => {
    set("API_KEY", "delta-api-key-4");
    const noIdentity = { XDG_CONFIG_HOME: sb.dir("empty-config") };

    const diff = gitRun(sb, vault, ["diff"], noIdentity);
    expect(diff.status, diff.stderr).toBe(0);
    const lines = changedLines(diff.stdout);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^-API_KEY=\[git-vault: [^\]]*\]$/);
    expect(lines[1]).toMatch(/^\+API_KEY=\[git-vault: [^\]]*\]$/);
    expect(lines[0]?.slice(1)).not.toBe(lines[1]?.slice(1)); // the marker changes with the ciphertext
    expect(diff.stdout).toMatch(/^ DB_URL=\[git-vault: [^\]]*\]$/m);
    expect(diff.stdout + diff.stderr).not.toMatch(/api-key-\d|db-password/);
    expect(diff.stdout).not.toContain("encrypted:gv1:");

    const log = gitRun(sb, vault, ["log", "-p", "-2"], noIdentity);
    expect(log.status, log.stderr).toBe(0);
    expect(log.stdout).toMatch(/^\+[A-Z_]+=\[git-vault: [^\]]*\]$/m);
    expect(log.stdout + log.stderr).not.toMatch(/api-key-\d|db-password/);

    // An unusable identity is no identity for textconv: still markers and exit 0.
    const garbage = gitRun(sb, vault, ["diff"], { GIT_VAULT_IDENTITY: "not-an-age-identity" });
    expect(garbage.status, garbage.stderr).toBe(0);
    expect(changedLines(garbage.stdout)).toEqual([expect.stringMatching(/^-API_KEY=\[git-vault: /), expect.stringMatching(/^\+API_KEY=\[git-vault: /)]);

    const viaHost = gitRun(sb, host, ["diff", "--submodule=diff"], noIdentity);
    expect(viaHost.status, viaHost.stderr).toBe(0);
    const hostLines = changedLines(viaHost.stdout); // the host pins an older vault commit: more keys differ
    expect(hostLines).toContainEqual(expect.stringMatching(/^\+API_KEY=\[git-vault: [^\]]*\]$/));
    for (const line of hostLines) expect(line).toMatch(/^[+-][A-Z_]+=\[git-vault: [^\]]*\]$/);
    expect(viaHost.stdout + viaHost.stderr).not.toMatch(/api-key-\d|db-password/);
  });

  it("re-encryption without a value change shows no textconv diff, while --no-textconv shows new ciphertext", () => {
    const before = readFileSync(join(vault, ".env.dev"), "utf8");
    const r = sb.vault(host, ["encrypt", "--reencrypt"]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(vault, ".env.dev"), "utf8")).not.toBe(before); // the bytes did change

    const diff = gitRun(sb, vault, ["diff"]);
    expect(diff.status, diff.stderr).toBe(0);
    expect(changedLines(diff.stdout)).toEqual([]);

    const raw = gitRun(sb, vault, ["diff", "--no-textconv"]);
    expect(raw.status, raw.stderr).toBe(0);
    const rawLines = changedLines(raw.stdout);
    expect(rawLines.filter((l) => l.startsWith("-API_KEY=encrypted:gv1:"))).toHaveLength(1);
    expect(rawLines.filter((l) => l.startsWith("+API_KEY=encrypted:gv1:"))).toHaveLength(1);

    // Re-encrypted and one value changed: only that key shows in textconv.
    set("DB_URL", "postgres://db-password-5@db/app");
    const mixed = gitRun(sb, vault, ["diff"]);
    expect(mixed.status, mixed.stderr).toBe(0);
    expect(changedLines(mixed.stdout).filter((l) => /^[+-]API_KEY=/.test(l))).toEqual([]);
    expect(changedLines(mixed.stdout).filter((l) => /^[+-]DB_URL=/.test(l))).toHaveLength(2);
    expect(mixed.stdout).toContain("+DB_URL=postgres://db-password-5@db/app");
  });

  it("never enables cachetextconv and leaves no textconv notes after log -p", () => {
    // init configured host and vault; install (local and global) adds nothing more.
    for (const args of [["install"], ["install", "--global"]]) {
      const r = sb.vault(host, args);
      expect(r.status, r.stderr).toBe(0);
    }
    for (const repo of [host, vault]) {
      const cache = gitRun(sb, repo, ["config", "--get", "diff.git-vault.cachetextconv"]);
      expect(cache.status, `${repo}: ${cache.stdout}`).toBe(1);
      expect(cache.stdout).toBe("");
    }
    expect(sb.git(vault, "config", "--local", "--get-regexp", "^diff\\.git-vault\\.")).toBe("diff.git-vault.textconv git-vault-textconv\n");

    set("API_KEY", "epsilon-api-key-6");
    commitVault("change API_KEY");
    const log = gitRun(sb, vault, ["log", "-p", "-2"]); // runs the textconv driver on every version shown
    expect(log.status, log.stderr).toBe(0);
    expect(log.stdout).toContain("+API_KEY=epsilon-api-key-6");
    for (const repo of [host, vault]) {
      expect(sb.git(repo, "for-each-ref", "refs/notes/")).toBe("");
      expect(gitRun(sb, repo, ["notes", "--ref=textconv/git-vault", "list"]).stdout).toBe("");
    }
    const r = sb.vault(host, ["uninstall", "--global"]);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("git diff in the host for a plain-folder vault", () => {
  let sb: Sandbox;

  beforeAll(() => {
    sb = makeSandbox();
  });
  afterAll(() => sb.cleanup());

  it("shows KEY=plaintext for vault/.env.dev in the host repository itself", () => {
    const host = hostWithCommit(sb, "host");
    expect(sb.vault(host, ["init", "--no-submodule"]).status).toBe(0);
    expect(sb.vault(host, ["set", "K", "--stdin"], { input: "folder-value-1" }).status).toBe(0);
    sb.git(host, "add", "vault");
    sb.git(host, "commit", "-q", "-m", "vault");
    expect(sb.vault(host, ["set", "K", "--stdin"], { input: "folder-value-2" }).status).toBe(0);
    mkdirSync(join(host, "sub"));
    const diff = gitRun(sb, join(host, "sub"), ["diff"]); // from a subdirectory: textconv gets a repo-relative path
    expect(diff.status, diff.stderr).toBe(0);
    expect(changedLines(diff.stdout)).toEqual(["-K=folder-value-1", "+K=folder-value-2"]);
  });
});
