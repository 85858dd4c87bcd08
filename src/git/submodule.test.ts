import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitError } from "../errors.js";
import { makeSandbox, type Sandbox } from "../../test/support/sandbox.js";
import {
  attachBranch,
  currentBranch,
  isFileTransportRefusal,
  isLocalUrl,
  repoContext,
  submoduleAdd,
  submoduleFetchUrl,
  submoduleStatus,
  submoduleUpdateInit,
  submoduleUrl,
} from "./index.js";

let sb: Sandbox;
beforeEach(() => {
  sb = makeSandbox();
});
afterEach(() => sb.cleanup());

const ctx = (cwd: string) => ({ cwd, env: sb.env });

// A bare vault repo with one commit, as a team would host it.
function bareVault(): string {
  const bare = sb.repo("vault.git", { bare: true });
  const seed = sb.repo("seed");
  writeFileSync(join(seed, ".env.dev"), "# git-vault v1\n");
  sb.git(seed, "add", ".env.dev");
  sb.git(seed, "commit", "-q", "-m", "seed");
  sb.git(seed, "push", "-q", bare, "main");
  return bare;
}

describe("isLocalUrl", () => {
  it.each([
    ["/srv/vault.git", true],
    ["../vault.git", true],
    ["./vault", true],
    ["vault.git", true],
    ["file:///srv/vault.git", true],
    ["FILE:///srv/vault.git", true],
    ["./dir:with/colon", true],
    ["https://example.com/team/vault.git", false],
    ["ssh://git@example.com/team/vault.git", false],
    ["git@example.com:team/vault.git", false],
    ["example.com:vault.git", false],
  ])("%s → %s", (url, local) => {
    expect(isLocalUrl(url)).toBe(local);
  });
});

describe("submoduleFetchUrl", () => {
  it("resolves ./ and ../ against the current branch's remote, else origin, else the top-level directory", () => {
    const host = sb.repo("host");
    expect(submoduleFetchUrl(ctx(host), "../vault.git")).toBe(join(sb.root, "vault.git"));
    expect(submoduleFetchUrl(ctx(host), "https://git.example.com/acme/vault.git")).toBe("https://git.example.com/acme/vault.git");
    sb.git(host, "remote", "add", "origin", "git@git.example.com:acme/app.git");
    expect(submoduleFetchUrl(ctx(host), "../app-secrets.git")).toBe("git@git.example.com:acme/app-secrets.git");
    sb.git(host, "remote", "add", "upstream", "https://git.example.com/team/app.git");
    sb.git(host, "config", "branch.main.remote", "upstream");
    expect(submoduleFetchUrl(ctx(host), "./vault.git")).toBe("https://git.example.com/team/app.git/vault.git");
    // url.*.insteadOf does not apply: git resolves the raw remote URL.
    sb.git(host, "config", "url.ssh://git@git.example.com/.insteadOf", "https://git.example.com/");
    expect(submoduleFetchUrl(ctx(host), "../vault.git")).toBe("https://git.example.com/team/vault.git");
  });

  it("is the URL `git submodule add` clones for a relative URL, which .gitmodules keeps relative", () => {
    const bare = bareVault();
    sb.git(sb.root, "init", "-q", "--bare", "app.git");
    const host = sb.repo("host");
    sb.git(host, "remote", "add", "origin", join(sb.root, "app.git"));
    expect(submoduleFetchUrl(ctx(host), "../vault.git")).toBe(bare);
    submoduleAdd(ctx(host), "../vault.git", "vault");
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.url").trim()).toBe("../vault.git");
    expect(sb.git(join(host, "vault"), "remote", "get-url", "origin").trim()).toBe(bare);
    expect(readFileSync(join(host, "vault", ".env.dev"), "utf8")).toBe("# git-vault v1\n");
  });
});

describe("submoduleAdd", () => {
  it("adds a bare repo from a local path without touching global config", () => {
    const bare = bareVault();
    const host = sb.repo("host");
    sb.git(host, "commit", "-q", "--allow-empty", "-m", "init");
    const globalBefore = readFileSync(sb.env.GIT_CONFIG_GLOBAL as string);
    // What a user without the override gets: git refuses the file transport.
    expect(() => sb.git(host, "submodule", "add", "-q", bare, "plain")).toThrow(/transport 'file' not allowed/);
    sb.git(host, "rm", "-q", "-r", "--cached", "--ignore-unmatch", "plain");

    submoduleAdd(ctx(host), bare, "vault", { branch: "main" });
    expect(readFileSync(join(host, "vault", ".env.dev"), "utf8")).toBe("# git-vault v1\n");
    expect(sb.git(host, "config", "-f", ".gitmodules", "submodule.vault.branch").trim()).toBe("main");
    expect(submoduleUrl(ctx(host), "vault")).toBe(bare);
    expect(readFileSync(sb.env.GIT_CONFIG_GLOBAL as string).equals(globalBefore)).toBe(true);
    expect(readFileSync(join(host, ".git", "config"), "utf8")).not.toContain("protocol");
  }, 60_000);

  it("accepts a file:// URL", () => {
    const bare = bareVault();
    const host = sb.repo("host");
    submoduleAdd(ctx(host), `file://${bare}`, "vault");
    expect(submoduleStatus(ctx(host), "vault")?.state).toBe("current");
  });
});

describe("submoduleStatus / submoduleUpdateInit / attachBranch", () => {
  it("follows a fresh clone from uninitialized to current to moved", () => {
    const bare = bareVault();
    const host = sb.repo("host");
    submoduleAdd(ctx(host), bare, "vault");
    sb.git(host, "commit", "-q", "-m", "add vault");
    const pinned = sb.git(host, "rev-parse", "HEAD:vault").trim();
    expect(submoduleStatus(ctx(host), "vault")).toEqual({ path: "vault", state: "current", pinned, checkedOut: pinned });
    expect(submoduleStatus(ctx(host), "nope")).toBeNull();

    sb.git(sb.root, "clone", "-q", host, "clone");
    const clone = join(sb.root, "clone");
    mkdirSync(join(clone, "src"));
    expect(submoduleStatus(ctx(join(clone, "src")), "../vault")).toEqual({ path: "vault", state: "uninitialized", pinned, checkedOut: null });

    // The URL comes from .gitmodules: cloning a local path takes the user's own permission.
    sb.git(sb.root, "config", "--global", "protocol.file.allow", "always");
    submoduleUpdateInit(ctx(clone), "vault");
    expect(submoduleStatus(ctx(clone), "vault")?.state).toBe("current");

    const vault = repoContext(ctx(clone), "vault");
    expect(currentBranch(vault)).toBeNull();
    // The submodule clone has a local main at the remote's tip: attach to it.
    expect(attachBranch(vault, "main")).toBe("attached");
    expect(attachBranch(vault, "main")).toBe("already-attached");
    sb.git(vault.cwd, "checkout", "-q", "--detach");
    expect(attachBranch(vault, "vault-work")).toBe("created");
    expect(currentBranch(vault)).toBe("vault-work");
    sb.git(vault.cwd, "checkout", "-q", "--detach");
    expect(attachBranch(vault, "main")).toBe("attached");
    sb.git(vault.cwd, "commit", "-q", "--allow-empty", "-m", "ahead");
    expect(submoduleStatus(ctx(clone), "vault")?.state).toBe("moved");
    sb.git(vault.cwd, "checkout", "-q", "--detach", "HEAD~1");
    expect(attachBranch(vault, "main")).toBe("diverged");
    expect(currentBranch(vault)).toBeNull();
  });

  it("leaves the file transport to the user's configuration, and undoes its registration when git refuses", () => {
    const bare = bareVault();
    const host = sb.repo("host");
    submoduleAdd(ctx(host), bare, "vault");
    sb.git(host, "commit", "-q", "-m", "add vault");
    sb.git(sb.root, "clone", "-q", host, "clone");
    const clone = join(sb.root, "clone");
    const config = readFileSync(join(clone, ".git", "config"));
    const error = (() => {
      try {
        submoduleUpdateInit(ctx(clone), "vault");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GitError);
    expect(isFileTransportRefusal(error)).toBe(true);
    expect(isFileTransportRefusal(new GitError(["fetch"], 128, "fatal: could not read from remote repository"))).toBe(false);
    expect(readFileSync(join(clone, ".git", "config")).equals(config)).toBe(true);
    expect(existsSync(join(clone, ".git", "modules", "vault"))).toBe(false);
    expect(readdirSync(join(clone, "vault"))).toEqual([]);

    // A registration the user made stays, also when git refuses.
    sb.git(clone, "submodule", "init", "-q");
    const registered = readFileSync(join(clone, ".git", "config"));
    expect(() => submoduleUpdateInit(ctx(clone), "vault")).toThrow(/transport 'file' not allowed/);
    expect(readFileSync(join(clone, ".git", "config")).equals(registered)).toBe(true);

    submoduleUpdateInit({ cwd: clone, env: { ...sb.env, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "protocol.file.allow", GIT_CONFIG_VALUE_0: "always" } }, "vault");
    expect(submoduleStatus(ctx(clone), "vault")?.state).toBe("current");
  });

  it("does not allow the file transport for a repository shipped inside the working tree", () => {
    bareVault();
    const host = sb.repo("host");
    // The CVE-2022-39253 shape: .gitmodules points at a repo inside the clone.
    sb.git(host, "clone", "-q", "--bare", join(sb.root, "vault.git"), "inner.git");
    const object = sb.git(join(host, "inner.git"), "rev-parse", "HEAD").trim();
    writeFileSync(join(host, ".gitmodules"), '[submodule "vault"]\n\tpath = vault\n\turl = ./inner.git\n');
    sb.git(host, "update-index", "--add", "--cacheinfo", `160000,${object},vault`);
    expect(submoduleUrl(ctx(host), "vault")).toBe("./inner.git");
    expect(() => submoduleUpdateInit(ctx(host), "vault")).toThrow(GitError);
    expect(() => submoduleUpdateInit(ctx(host), "vault")).toThrow(/transport 'file' not allowed/);
  });
});
