import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeSandbox, type Sandbox } from "../../test/support/sandbox.js";
import { mayBeListedSubmodule, queryGitmodulesUrl, queryRootCommit, remoteUrl, repoPlace, sharesRepository, submoduleAdd } from "./index.js";

let sb: Sandbox;
beforeEach(() => {
  sb = makeSandbox();
});
afterEach(() => sb.cleanup());

const ctx = (cwd: string) => ({ cwd, env: sb.env });

function commit(repo: string, message: string): string {
  sb.git(repo, "commit", "-q", "--allow-empty", "-m", message);
  return sb.git(repo, "rev-parse", "HEAD").trim();
}

/** A host repository with a submodule at `path`, cloned from a bare repository with one commit. */
function hostWithSubmodule(path: string): string {
  const bare = sb.repo("vault.git", { bare: true });
  const seed = sb.repo("seed");
  commit(seed, "seed");
  sb.git(seed, "push", "-q", bare, "main");
  const host = sb.repo("host");
  submoduleAdd(ctx(host), bare, path);
  return host;
}

describe("repoPlace", () => {
  it("finds the root from a subfolder, and says whether HEAD has a commit yet", () => {
    const repo = sb.repo("plain");
    const sub = join(repo, "a", "b");
    mkdirSync(sub, { recursive: true });
    expect(repoPlace(ctx(sub))).toEqual({ root: repo, superRoot: null, born: false });
    commit(repo, "first");
    expect(repoPlace(ctx(sub))).toEqual({ root: repo, superRoot: null, born: true });
  });

  it("keeps a line break in a folder name", () => {
    const repo = sb.repo("two\nlines");
    commit(repo, "first");
    expect(repoPlace(ctx(repo))).toEqual({ root: repo, superRoot: null, born: true });
  });

  it("is null outside a repository and inside .git", () => {
    expect(repoPlace(ctx(sb.dir("nowhere")))).toBeNull();
    const repo = sb.repo("plain");
    expect(repoPlace(ctx(join(repo, ".git")))).toBeNull();
  });

  it("names the superproject of a submodule; a repository that only sits in a work tree has none", () => {
    const host = hostWithSubmodule("secrets/vault");
    const vault = join(host, "secrets", "vault");
    expect(repoPlace(ctx(vault))).toEqual({ root: vault, superRoot: host, born: true });
    // A repository that merely sits in another's work tree is no submodule.
    sb.git(host, "init", "-q", "loose");
    const nested = join(host, "loose");
    expect(repoPlace(ctx(nested))).toEqual({ root: nested, superRoot: null, born: false });
  });
});

describe("remoteUrl and queryRootCommit", () => {
  it("give origin's URL after insteadOf, and the first commit; null when there is none", () => {
    const repo = sb.repo("plain");
    expect(remoteUrl(ctx(repo), "origin")).toBeNull();
    expect(queryRootCommit(ctx(repo))).toBeNull();
    sb.git(repo, "remote", "add", "origin", "short:team/vault.git");
    sb.git(repo, "config", "url.ssh://git@example.test/.insteadOf", "short:");
    expect(remoteUrl(ctx(repo), "origin")).toBe("ssh://git@example.test/team/vault.git");
    const first = commit(repo, "first");
    commit(repo, "second");
    expect(queryRootCommit(ctx(repo))).toBe(first);
  });
});

describe("queryGitmodulesUrl", () => {
  it("finds the entry by path, whatever its name, and takes the last url as git does", () => {
    const host = sb.repo("host");
    writeFileSync(
      join(host, ".gitmodules"),
      [
        '[submodule "other"]',
        "\tpath = vault-old",
        "\turl = ../old.git",
        '[submodule "team.vault"]',
        "\tpath = secrets/vault/",
        "\turl = ../first.git",
        "\turl = ../vault.git",
        "",
      ].join("\n"),
    );
    expect(queryGitmodulesUrl(ctx(host), host, "secrets/vault")).toBe("../vault.git");
    expect(queryGitmodulesUrl(ctx(host), host, "vault-old")).toBe("../old.git");
    expect(queryGitmodulesUrl(ctx(host), host, "secrets")).toBeNull();
  });

  it("is null without a .gitmodules, or for an entry with no url", () => {
    const host = sb.repo("host");
    expect(queryGitmodulesUrl(ctx(host), host, "vault")).toBeNull();
    writeFileSync(join(host, ".gitmodules"), '[submodule "vault"]\n\tpath = vault\n');
    expect(queryGitmodulesUrl(ctx(host), host, "vault")).toBeNull();
  });
});

describe("mayBeListedSubmodule and sharesRepository", () => {
  it("say by stat calls what git would: a submodule a .gitmodules above lists, and which repository a folder is in", () => {
    const host = hostWithSubmodule("vault");
    const vault = join(host, "vault");
    mkdirSync(join(vault, "deep"));
    const plain = sb.repo("plain");
    mkdirSync(join(plain, "a", "b"), { recursive: true });

    // The host's own .gitmodules lists others, not the host.
    expect(mayBeListedSubmodule(host, sb.env)).toBe(false);
    expect(mayBeListedSubmodule(vault, sb.env)).toBe(true);
    expect(mayBeListedSubmodule(join(vault, "deep"), sb.env)).toBe(true);
    expect(mayBeListedSubmodule(join(plain, "a", "b"), sb.env)).toBe(false);
    // Outside any repository, or with GIT_DIR steering git: only git can say.
    expect(mayBeListedSubmodule(sb.dir("nowhere"), sb.env)).toBe(true);
    expect(mayBeListedSubmodule(plain, { ...sb.env, GIT_DIR: join(plain, ".git") })).toBe(true);
    // Where git itself says there is a superproject, the stat calls never say there is none.
    for (const dir of [vault, join(vault, "deep")]) expect(repoPlace(ctx(dir))?.superRoot).toBe(host);

    expect(sharesRepository(join(plain, "a", "b"), plain, sb.env)).toBe(true);
    expect(sharesRepository(plain, plain, sb.env)).toBe(true);
    expect(sharesRepository(join(vault, "deep"), host, sb.env)).toBe(false);
    expect(sharesRepository(host, plain, sb.env)).toBe(false);
    // A link inside the host that leads into another repository.
    symlinkSync(join(plain, "a"), join(host, "elsewhere"));
    expect(sharesRepository(join(host, "elsewhere"), host, sb.env)).toBe(false);
    expect(repoPlace(ctx(join(host, "elsewhere")))?.root).toBe(plain);
    expect(sharesRepository(join(plain, "a"), plain, { ...sb.env, GIT_WORK_TREE: plain })).toBe(false);
  });

  it("repoPlace leaves the superproject out when told", () => {
    const host = hostWithSubmodule("vault");
    expect(repoPlace(ctx(join(host, "vault")), { superproject: false })).toEqual({ root: join(host, "vault"), superRoot: null, born: true });
  });
});
