// `git vault init` under real git: a vault repo on a bare remote (plain path,
// file:// URL and relative URL) added as a submodule, joined from fresh clones
// of the host with the same identity, left on a branch (never a detached
// HEAD), safe to re-run; a join git refuses; `--ignore-dirty` and `--no-submodule`.
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRun, gitVault, hostWithCommit, makeVaultHost } from "../support/git.js";
import { type RunResult, type Sandbox, makeSandbox } from "../support/sandbox.js";

function setValue(sb: Sandbox, cwd: string, key: string, value: string): void {
  const r = sb.vault(cwd, ["set", key, "--stdin"], { input: value });
  expect(r.status, r.stderr).toBe(0);
}

function reveal(sb: Sandbox, cwd: string, key: string): string {
  const r = sb.vault(cwd, ["get", key, "--reveal"]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The branch HEAD is on, or null when detached. */
function branchOf(sb: Sandbox, repo: string): string | null {
  const r = gitRun(sb, repo, ["symbolic-ref", "-q", "--short", "HEAD"]);
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Commits everything in the vault, pushes with a plain `git push`, and pins the vault in the host. */
function commitVaultAndPin(sb: Sandbox, host: string, message: string): void {
  const vault = join(host, "vault");
  sb.git(vault, "add", "-A");
  sb.git(vault, "commit", "-q", "-m", message);
  sb.git(vault, "push", "-q");
  sb.git(host, "add", "-A");
  sb.git(host, "commit", "-q", "-m", `pin vault: ${message}`);
}

const VAULT_ATTRS = [".env diff=git-vault merge=git-vault", ".env.* diff=git-vault merge=git-vault"];

describe("git vault init with a bare remote given as a path", () => {
  let sb: Sandbox;
  let remote: string;
  let host: string;
  let vault: string;
  let initRun: RunResult;

  beforeAll(() => {
    // The joins below clone the local remote named in .gitmodules, which git allows only when configured to.
    sb = makeSandbox({ allowFileTransport: true });
    remote = sb.repo("secrets.git", { bare: true });
    host = hostWithCommit(sb, "host");
    vault = join(host, "vault");
    initRun = gitRun(sb, host, ["vault", "init", "--submodule-url", remote]);
    if (initRun.status !== 0) return; // the first test reports it
    setValue(sb, host, "API_KEY", "api-key-value-1");
    setValue(sb, host, "DB_URL", "postgres://u:pw-123456@db/app");
    commitVaultAndPin(sb, host, "add keys");
  });
  afterAll(() => sb.cleanup());

  it("adds the vault as a submodule on a branch, with the drivers' attributes, and pushes a first commit", () => {
    expect(initRun.status, initRun.stderr).toBe(0);
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.url").trim()).toBe(remote);
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.path").trim()).toBe("vault");
    expect(branchOf(sb, vault)).toBe("main");
    expect(sb.git(vault, "rev-parse", "--abbrev-ref", "@{upstream}").trim()).toBe("origin/main");
    const attrs = readFileSync(join(vault, ".gitattributes"), "utf8").split("\n");
    for (const line of VAULT_ATTRS) expect(attrs).toContain(line);
    // git itself resolves the drivers for the env file.
    expect(sb.git(vault, "check-attr", "diff", "merge", "--", ".env.dev")).toBe(".env.dev: diff: git-vault\n.env.dev: merge: git-vault\n");
    // The vault is a real submodule of the host (gitlink), pushed to the remote.
    expect(sb.git(host, "ls-files", "-s", "vault")).toMatch(/^160000 /);
    expect(sb.git(remote, "rev-parse", "refs/heads/main").trim()).toBe(sb.git(vault, "rev-parse", "HEAD").trim());
    expect(sb.git(vault, "show", "HEAD:.env.dev")).toMatch(/^API_KEY=encrypted:gv1:/m);
  });

  it("a fresh clone of the host reads the values after only `git vault init`", () => {
    const clone = join(sb.root, "clone-init");
    sb.git(sb.root, "clone", "-q", host, clone);
    expect(existsSync(join(clone, "vault", ".env.dev"))).toBe(false); // not checked out by clone
    gitVault(sb, clone, "init");
    expect(branchOf(sb, join(clone, "vault"))).toBe("main");
    expect(sb.git(join(clone, "vault"), "rev-parse", "HEAD")).toBe(sb.git(vault, "rev-parse", "HEAD"));
    expect(reveal(sb, clone, "API_KEY")).toBe("api-key-value-1\n");
    expect(reveal(sb, clone, "DB_URL")).toBe("postgres://u:pw-123456@db/app\n");
    // The clone got its own guard in the vault repo.
    expect(gitVault(sb, join(clone, "vault"), "hooks", "status").stdout).toMatch(/^installed\t/);
    // Joining writes nothing git would commit, in the host or in the vault.
    expect(sb.git(clone, "status", "--porcelain")).toBe("");
    expect(sb.git(join(clone, "vault"), "status", "--porcelain")).toBe("");
  });

  it("a clone checked out with `git submodule update --init` (detached) is put on a branch by init", () => {
    const clone = join(sb.root, "clone-update");
    sb.git(sb.root, "clone", "-q", host, clone);
    sb.git(clone, "-c", "protocol.file.allow=always", "submodule", "update", "--init", "-q");
    expect(branchOf(sb, join(clone, "vault"))).toBeNull(); // what git leaves behind
    gitVault(sb, clone, "init");
    expect(branchOf(sb, join(clone, "vault"))).toBe("main");
    expect(reveal(sb, clone, "API_KEY")).toBe("api-key-value-1\n");
  });

  it("a commit made in a joined clone's vault pushes with a plain `git push` and reaches the first clone", () => {
    const clone = join(sb.root, "clone-push");
    sb.git(sb.root, "clone", "-q", host, clone);
    gitVault(sb, clone, "init");
    setValue(sb, clone, "NEW_KEY", "new-key-value-42");
    sb.git(join(clone, "vault"), "commit", "-q", "-am", "add NEW_KEY");
    sb.git(join(clone, "vault"), "push", "-q");
    sb.git(vault, "pull", "-q", "--ff-only");
    expect(reveal(sb, host, "NEW_KEY")).toBe("new-key-value-42\n");
    expect(reveal(sb, host, "API_KEY")).toBe("api-key-value-1\n");
    sb.git(host, "commit", "-q", "-am", "pin vault: NEW_KEY");
  });

  it("when the vault remote is ahead of the host's pin, init in a fresh clone still leaves the vault on a branch", () => {
    // A vault commit pushed but not (yet) pinned by the host: the usual state between two host commits.
    setValue(sb, host, "LATER_KEY", "later-key-value-9");
    sb.git(vault, "commit", "-q", "-am", "add LATER_KEY");
    sb.git(vault, "push", "-q");
    const clone = join(sb.root, "clone-behind");
    sb.git(sb.root, "clone", "-q", host, clone); // pins the commit before LATER_KEY
    const r = gitVault(sb, clone, "init");
    const branch = branchOf(sb, join(clone, "vault"));
    expect(branch, `vault left on a detached HEAD; init said:\n${r.stderr}`).not.toBeNull();
    expect(reveal(sb, clone, "API_KEY")).toBe("api-key-value-1\n");
    sb.git(host, "commit", "-q", "-am", "pin vault: LATER_KEY");
  });

  it("re-running init is safe: exit 0 and no change to .gitmodules, the vault files or either repo's state", () => {
    const files = [join(host, ".gitmodules"), join(vault, ".gitattributes"), join(vault, ".env.dev"), join(host, ".git", "config")];
    const before = files.map((f) => readFileSync(f));
    const heads = [sb.git(host, "rev-parse", "HEAD"), sb.git(vault, "rev-parse", "HEAD")];
    const hostStatus = sb.git(host, "status", "--porcelain");
    gitVault(sb, host, "init");
    gitVault(sb, host, "init");
    files.forEach((f, i) => expect(readFileSync(f).equals(before[i] as Buffer), `${f} changed`).toBe(true));
    expect([sb.git(host, "rev-parse", "HEAD"), sb.git(vault, "rev-parse", "HEAD")]).toEqual(heads);
    expect(sb.git(host, "status", "--porcelain")).toBe(hostStatus);
    expect(sb.git(vault, "status", "--porcelain")).toBe("");
    expect(branchOf(sb, vault)).toBe("main");
  });

  it("does not create an empty env file in place of a committed one missing from the working tree", () => {
    const envFile = join(vault, ".env.dev");
    const committed = readFileSync(envFile);
    for (const staged of [false, true]) {
      if (staged) sb.git(vault, "rm", "-q", ".env.dev");
      else rmSync(envFile);
      const r = gitRun(sb, host, ["vault", "init"]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain("error: vault/.env.dev is tracked by git but missing from the working tree; a new file in its place would drop its values and recipients at the next commit");
      expect(r.stderr).toContain(staged ? "git -C vault checkout HEAD -- .env.dev" : "git -C vault checkout -- .env.dev");
      expect(existsSync(envFile)).toBe(false);
      sb.git(vault, "checkout", "HEAD", "--", ".env.dev");
      expect(readFileSync(envFile).equals(committed)).toBe(true);
    }
    expect(reveal(sb, host, "API_KEY")).toBe("api-key-value-1\n");
  });

  it("set and import refuse, as init does, to create an env file git tracks but the working tree lacks (deleted, or left out by a sparse checkout)", () => {
    const envFile = join(vault, ".env.dev");
    const committed = readFileSync(envFile);
    const importFile = join(sb.root, "import.env");
    writeFileSync(importFile, "IMPORTED=plain-import-value\n");
    const attempts: [string, () => void, string[]][] = [
      ["deleted", () => rmSync(envFile), ["vault", "set", "NEW_KEY", "new-value"]],
      ["deleted, deletion staged", () => sb.git(vault, "rm", "-q", ".env.dev"), ["vault", "import", importFile]],
      ["sparse", () => sb.git(vault, "sparse-checkout", "set", "--no-cone", "/.gitattributes"), ["vault", "set", "NEW_KEY", "new-value"]],
    ];
    for (const [how, remove, args] of attempts) {
      remove();
      expect(existsSync(envFile), how).toBe(false);
      const r = gitRun(sb, host, args);
      expect([r.status, r.stderr.split("\n")[0]], how).toEqual([1, "error: vault/.env.dev is tracked by git but missing from the working tree; a new file in its place would drop its values and recipients at the next commit"]);
      expect(existsSync(envFile), how).toBe(false);
      if (how === "sparse") sb.git(vault, "sparse-checkout", "disable");
      else sb.git(vault, "checkout", "HEAD", "--", ".env.dev");
      expect(readFileSync(envFile).equals(committed), how).toBe(true);
    }
    // A new env that git does not know is created as before.
    const created = gitRun(sb, host, ["vault", "set", "--env", "brandnew", "NEW_KEY", "new-value"]);
    expect(created.status, created.stderr).toBe(0);
    expect(existsSync(join(vault, ".env.brandnew"))).toBe(true);
  });
});

describe("git vault init with a file:// URL", () => {
  let sb: Sandbox;
  let url: string;

  beforeAll(() => {
    sb = makeSandbox({ allowFileTransport: true });
    url = `file://${sb.repo("secrets.git", { bare: true })}`;
  });
  afterAll(() => sb.cleanup());

  it("creates the vault, a clone of the host joins it, and a second project adds the non-empty remote", () => {
    const host = hostWithCommit(sb, "host");
    gitVault(sb, host, "init", "--submodule-url", url);
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.url").trim()).toBe(url);
    expect(branchOf(sb, join(host, "vault"))).toBe("main");
    setValue(sb, host, "TOKEN", "file-url-token-77");
    commitVaultAndPin(sb, host, "add TOKEN");

    const clone = join(sb.root, "clone");
    sb.git(sb.root, "clone", "-q", host, clone);
    gitVault(sb, clone, "init");
    expect(branchOf(sb, join(clone, "vault"))).toBe("main");
    expect(reveal(sb, clone, "TOKEN")).toBe("file-url-token-77\n");

    // Another project pointing at the same, now non-empty, remote: `submodule add` path.
    const other = hostWithCommit(sb, "other");
    gitVault(sb, other, "init", "--submodule-url", url);
    expect(branchOf(sb, join(other, "vault"))).toBe("main");
    expect(sb.git(join(other, "vault"), "rev-parse", "HEAD")).toBe(sb.git(join(host, "vault"), "rev-parse", "HEAD"));
    expect(reveal(sb, other, "TOKEN")).toBe("file-url-token-77\n");
    expect(sb.git(join(other, "vault"), "status", "--porcelain")).toBe("");
  });
});

describe("git vault init whose first push is refused", () => {
  let sb: Sandbox;
  afterAll(() => sb.cleanup());

  it("removes the vault clone it made, so that a second init works once the remote accepts the push", () => {
    sb = makeSandbox({ allowFileTransport: true });
    const remote = sb.repo("refusing.git", { bare: true });
    const hook = join(remote, "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'refused by the server' >&2\nexit 1\n", { mode: 0o755 });
    const host = hostWithCommit(sb, "host");
    const hostStatus = sb.git(host, "status", "--porcelain");

    const refused = gitRun(sb, host, ["vault", "init", "--submodule-url", remote]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("refused by the server");
    expect(refused.stderr).toContain("warning: init did not finish: removed the vault clone it had made in vault/, so that init can be run again\n");
    expect(existsSync(join(host, "vault"))).toBe(false);
    expect(sb.git(host, "status", "--porcelain")).toBe(hostStatus);

    rmSync(hook);
    const again = gitRun(sb, host, ["vault", "init", "--submodule-url", remote]);
    expect(again.status, again.stderr).toBe(0);
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.url").trim()).toBe(remote);
    expect(branchOf(sb, join(host, "vault"))).toBe("main");
    setValue(sb, host, "AFTER", "after-refusal-5b1c");
    expect(reveal(sb, host, "AFTER")).toBe("after-refusal-5b1c\n");

    // A clone such a failure left before this behaviour: named, with what to do, not a bare git error.
    const other = hostWithCommit(sb, "other");
    const empty = sb.repo("empty.git", { bare: true });
    sb.git(other, "clone", "-q", empty, "vault");
    writeFileSync(join(other, "vault", ".env.dev"), "# git-vault v1\n");
    const leftover = gitRun(sb, other, ["vault", "init", "--submodule-url", empty]);
    expect(leftover.status).toBe(1);
    expect(leftover.stderr).toContain("error: vault/ already exists, and no submodule of this repository lists it; the remote is empty, so init would clone into it\n");
    expect(leftover.stderr).toContain("hint: if an earlier init left it (its first push failed), move it away and run init again: mv vault vault.old\n");
  });
});

describe("git vault init with a relative URL (../vault.git)", () => {
  let sb: Sandbox;

  beforeAll(() => {
    sb = makeSandbox({ allowFileTransport: true });
  });
  afterAll(() => sb.cleanup());

  /** A host cloned from the bare remotes/NAME.git, with one pushed commit. */
  function clonedHost(name: string): string {
    sb.repo(join("remotes", `${name}.git`), { bare: true });
    sb.git(sb.root, "clone", "-q", join("remotes", `${name}.git`), join("work", name));
    const host = join(sb.root, "work", name);
    sb.git(host, "commit", "-q", "--allow-empty", "-m", "initial");
    sb.git(host, "push", "-q", "origin", "main");
    return host;
  }

  it("resolves it against the host's remote, keeps it relative in .gitmodules, and set + push reach the vault remote", () => {
    const remote = sb.repo(join("remotes", "vault.git"), { bare: true });
    const host = clonedHost("app");
    gitVault(sb, host, "init", "--submodule-url", "../vault.git");
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.url").trim()).toBe("../vault.git");
    expect(sb.git(host, "config", "submodule.vault.url").trim()).toBe(remote);
    const vault = join(host, "vault");
    expect(sb.git(vault, "remote", "get-url", "origin").trim()).toBe(remote);
    expect(sb.git(remote, "log", "--format=%s", "main").trim()).toBe("Initialize git-vault vault");

    setValue(sb, host, "REL_TOKEN", "relative-url-token-5");
    commitVaultAndPin(sb, host, "add REL_TOKEN");
    expect(sb.git(remote, "rev-parse", "main").trim()).toBe(sb.git(vault, "rev-parse", "HEAD").trim());
    sb.git(host, "push", "-q");

    // A teammate's clone resolves ../vault.git against its own origin.
    const clone = join(sb.root, "work", "app-clone");
    sb.git(sb.root, "clone", "-q", join("remotes", "app.git"), clone);
    gitVault(sb, clone, "init");
    expect(reveal(sb, clone, "REL_TOKEN")).toBe("relative-url-token-5\n");

    // Another project next to it adds the now non-empty remote (`submodule add` path).
    const other = clonedHost("other");
    gitVault(sb, other, "init", "--submodule-url", "../vault.git");
    expect(sb.git(other, "config", "-f", ".gitmodules", "submodule.vault.url").trim()).toBe("../vault.git");
    expect(reveal(sb, other, "REL_TOKEN")).toBe("relative-url-token-5\n");
  });

  it("without a remote, resolves it against the host's own directory, as git does", () => {
    const remote = sb.repo("solo-vault.git", { bare: true });
    const host = hostWithCommit(sb, "solo");
    gitVault(sb, host, "init", "--submodule-url", "../solo-vault.git");
    expect(sb.git(join(host, "vault"), "remote", "get-url", "origin").trim()).toBe(remote);
    expect(sb.git(remote, "log", "--format=%s", "main").trim()).toBe("Initialize git-vault vault");
  });

  it("names the missing repository, resolved, when there is none", () => {
    const host = clonedHost("lonely");
    const r = gitRun(sb, host, ["vault", "init", "--submodule-url", "../nowhere.git"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(join(sb.root, "remotes", "nowhere.git"));
    expect(existsSync(join(host, ".gitmodules"))).toBe(false);
  });
});

describe("git vault init joining a vault on a local path without protocol.file.allow", () => {
  let sb: Sandbox;

  beforeAll(() => {
    sb = makeSandbox(); // git's defaults: the file transport is refused for submodules
  });
  afterAll(() => sb.cleanup());

  it("refuses with what to run, leaves the clone as it was, and works once the user allows it", () => {
    const { host } = makeVaultHost(sb); // a URL the user typed: allowed for that one command
    sb.git(host, "commit", "-q", "-m", "add vault");
    const clone = join(sb.root, "clone");
    sb.git(sb.root, "clone", "-q", host, clone);
    const config = readFileSync(join(clone, ".git", "config"));
    const newDevice = { XDG_CONFIG_HOME: join(sb.root, "new-device") };

    const r = gitRun(sb, clone, ["vault", "init"], newDevice);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`git refused to clone the vault submodule from ${join(sb.root, "secrets.git")}`);
    expect(r.stderr).toContain("hint: if you trust that path, run `git -c protocol.file.allow=always submodule update --init -- vault`");
    expect(r.stderr).toContain("git config --global protocol.file.allow always");
    // Nothing half-done: no registration, no clone, no drivers or guard, no new identity.
    expect(readFileSync(join(clone, ".git", "config")).equals(config)).toBe(true);
    expect(readdirSync(join(clone, "vault"))).toEqual([]);
    expect(existsSync(join(clone, ".git", "modules", "vault"))).toBe(false);
    expect(existsSync(join(clone, ".git", "hooks", "pre-commit"))).toBe(false);
    expect(existsSync(join(sb.root, "new-device"))).toBe(false);
    expect(sb.git(clone, "status", "--porcelain")).toBe("");

    // What the hint says.
    sb.git(clone, "-c", "protocol.file.allow=always", "submodule", "update", "--init", "-q", "--", "vault");
    gitVault(sb, clone, "init");
    expect(branchOf(sb, join(clone, "vault"))).toBe("main");
  });
});

describe("git vault init --ignore-dirty", () => {
  let sb: Sandbox;

  beforeAll(() => {
    sb = makeSandbox();
  });
  afterAll(() => sb.cleanup());

  it("writes ignore = dirty to .gitmodules, so a modified vault does not show in the host's status", () => {
    const remote = sb.repo("secrets.git", { bare: true });
    const host = hostWithCommit(sb, "host");
    gitVault(sb, host, "init", "--submodule-url", remote, "--ignore-dirty");
    expect(readFileSync(join(host, ".gitmodules"), "utf8")).toMatch(/^\s*ignore = dirty$/m);
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.ignore").trim()).toBe("dirty");
    sb.git(host, "commit", "-q", "-m", "add vault");

    const gitmodules = readFileSync(join(host, ".gitmodules"));
    gitVault(sb, host, "init", "--ignore-dirty");
    expect(readFileSync(join(host, ".gitmodules")).equals(gitmodules)).toBe(true);

    setValue(sb, host, "HIDDEN", "hidden-by-ignore-dirty");
    expect(sb.git(join(host, "vault"), "status", "--porcelain")).toBe(" M .env.dev\n");
    expect(sb.git(host, "status", "--porcelain")).toBe("");
  });

  it("without the flag, .gitmodules has no ignore setting", () => {
    const remote = sb.repo("plain.git", { bare: true });
    const host = hostWithCommit(sb, "host-plain");
    gitVault(sb, host, "init", "--submodule-url", remote);
    expect(readFileSync(join(host, ".gitmodules"), "utf8")).not.toContain("ignore");
    sb.git(host, "commit", "-q", "-m", "add vault");

    // Added later, it says to commit .gitmodules; a different --submodule-url is named as not used.
    const later = gitVault(sb, host, "init", "--ignore-dirty", "--submodule-url", join(sb.root, "other.git"));
    expect(later.stderr).toContain('commit .gitmodules (now with ignore = dirty): git commit -m "Ignore a dirty vault in git status" .gitmodules');
    expect(later.stderr).toContain(`--submodule-url was not used: vault already comes from ${remote} (.gitmodules)`);
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.url").trim()).toBe(remote);
  });
});

describe("git vault init --no-submodule", () => {
  let sb: Sandbox;

  beforeAll(() => {
    sb = makeSandbox();
  });
  afterAll(() => sb.cleanup());

  it("makes a plain folder vault of the host that works with set/get and commits through the guard", () => {
    const host = hostWithCommit(sb, "host");
    gitVault(sb, host, "init", "--no-submodule");
    const vault = join(host, "vault");
    expect(statSync(vault).isDirectory()).toBe(true);
    expect(existsSync(join(vault, ".git"))).toBe(false);
    expect(existsSync(join(host, ".gitmodules"))).toBe(false);
    expect(readFileSync(join(vault, ".gitattributes"), "utf8").split("\n")).toEqual(expect.arrayContaining(VAULT_ATTRS));
    expect(sb.git(host, "check-attr", "diff", "--", "vault/.env.dev")).toBe("vault/.env.dev: diff: git-vault\n");

    setValue(sb, host, "FOLDER_KEY", "folder-secret-value");
    expect(reveal(sb, host, "FOLDER_KEY")).toBe("folder-secret-value\n");
    expect(readFileSync(join(vault, ".env.dev"), "utf8")).not.toContain("folder-secret-value");
    sb.git(host, "add", "vault");
    sb.git(host, "commit", "-q", "-m", "add vault folder"); // the guard lets encrypted values through
    expect(sb.git(host, "ls-files", "vault")).toBe("vault/.env.dev\nvault/.gitattributes\n");

    // Re-running changes nothing.
    const before = readFileSync(join(vault, ".env.dev"));
    gitVault(sb, host, "init", "--no-submodule");
    gitVault(sb, host, "init");
    expect(readFileSync(join(vault, ".env.dev")).equals(before)).toBe(true);
    expect(sb.git(host, "status", "--porcelain")).toBe("");
  });

  it("puts the vault where the configuration's vaultDir says, as every other command reads it", () => {
    const host = hostWithCommit(sb, "host-config");
    writeFileSync(join(host, ".git-vaultrc.yml"), "vaultDir: libs/secrets\n");
    gitVault(sb, host, "init", "--no-submodule");
    expect(existsSync(join(host, "libs", "secrets", ".env.dev"))).toBe(true);
    expect(existsSync(join(host, "vault"))).toBe(false);
    setValue(sb, host, "CONFIGURED", "configured-dir-value");
    expect(readFileSync(join(host, "libs", "secrets", ".env.dev"), "utf8")).toMatch(/^CONFIGURED=encrypted:gv1:/m);
  });

  it("creates the env file of the configuration's defaultEnv, the one every later command uses", () => {
    const host = hostWithCommit(sb, "host-default-env");
    writeFileSync(join(host, ".git-vaultrc.yaml"), "defaultEnv: prod\n");
    gitVault(sb, host, "init", "--no-submodule");
    expect(readdirSync(join(host, "vault")).filter((f) => f.startsWith(".env"))).toEqual([".env.prod"]);
    const list = gitRun(sb, host, ["vault", "list"]);
    expect([list.status, list.stderr]).toEqual([0, ""]);
  });

  it("with no vault/, names the host's submodules instead of only sending a teammate to create a vault", () => {
    const host = hostWithCommit(sb, "host-elsewhere");
    sb.git(host, "config", "-f", ".gitmodules", "submodule.libs/secrets.path", "libs/secrets");
    sb.git(host, "config", "-f", ".gitmodules", "submodule.libs/secrets.url", "../app-secrets.git");
    const r = gitRun(sb, host, ["vault", "init"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no vault at vault/");
    expect(r.stderr).toContain("this repo has submodule at libs/secrets: if the vault is one of them, run `git vault init --vault-dir libs/secrets`");
  });

  it("refuses --no-submodule with --submodule-url as a usage error", () => {
    const host = hostWithCommit(sb, "host-usage");
    const r = gitRun(sb, host, ["vault", "init", "--no-submodule", "--submodule-url", join(sb.root, "x.git")]);
    expect(r.status).toBe(2);
    expect(existsSync(join(host, "vault"))).toBe(false);
  });
});

describe("git vault init with core.hooksPath in the global config", () => {
  let sb: Sandbox;
  let shared: string;

  beforeAll(() => {
    sb = makeSandbox();
    shared = sb.dir("globalhooks");
    sb.git(sb.home, "config", "--global", "core.hooksPath", shared);
  });
  afterAll(() => sb.cleanup());

  it("finishes, prints its summary, leaves the shared hooks folder alone, and names the command that installs the guard there", () => {
    const host = hostWithCommit(sb, "host");
    const r = gitRun(sb, host, ["vault", "init", "--no-submodule"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("created this device's identity");
    expect(r.stderr).toContain(`env file: ${join(host, "vault", ".env.dev")} (created)`);
    expect(r.stderr).toContain(`warning: pre-commit guard not installed: core.hooksPath is set in global config (file:${sb.env.GIT_CONFIG_GLOBAL}): a hook in ${shared} runs for every repository using it`);
    expect(r.stderr).toContain("drivers installed; pre-commit guard not installed");
    expect(r.stderr).toContain("next: `git vault hooks install --force` installs it there anyway");
    expect(r.stderr).not.toMatch(/rerun with --force/);
    expect(r.stderr).toContain("next: commit the vault folder");
    expect(readdirSync(shared)).toEqual([]);
    expect(sb.git(host, "config", "--local", "diff.git-vault.textconv").trim()).toBe("git-vault-textconv");
    expect(existsSync(join(host, "vault", ".gitattributes"))).toBe(true);

    const doctor = gitRun(sb, host, ["vault", "doctor"]);
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toContain(`fix: git -C ${host} vault hooks install --force`);
    const status = gitRun(sb, host, ["vault", "hooks", "status"]);
    expect(status.status).toBe(1);
    expect(status.stderr).toContain("run `git vault hooks install --force`");

    // The command it names works, and is the explicit choice to use the shared folder.
    const install = gitRun(sb, host, ["vault", "hooks", "install", "--force"]);
    expect(install.status, install.stderr).toBe(0);
    expect(readdirSync(shared)).toEqual(["pre-commit"]);
    expect(gitRun(sb, host, ["vault", "hooks", "status"]).status).toBe(0);
    const again = gitRun(sb, host, ["vault", "init", "--no-submodule"]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain("drivers and pre-commit guard installed");
  });

  it("with an empty vault remote, still makes and pushes the first vault commit and adds the submodule; one warning for the shared folder", () => {
    sb.git(sb.home, "config", "--global", "core.hooksPath", join(sb.root, "globalhooks-2")); // not there yet
    const remote = sb.repo("secrets.git", { bare: true });
    const host = hostWithCommit(sb, "sub-host");
    const r = gitRun(sb, host, ["vault", "init", "--submodule-url", remote]);
    expect(r.status, r.stderr).toBe(0);
    expect(sb.git(remote, "log", "--format=%s", "main").trim()).toBe("Initialize git-vault vault");
    expect(sb.git(host, "ls-files", "-s", "vault")).toMatch(/^160000 /);
    expect(r.stderr.match(/warning: pre-commit guard not installed/g)).toHaveLength(1);
    expect(existsSync(join(sb.root, "globalhooks-2", "pre-commit"))).toBe(false);
  });
});
