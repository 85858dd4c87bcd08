import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotInRepoError, VaultError } from "../errors.js";
import { makeSandbox, type Sandbox } from "../../test/support/sandbox.js";
import {
  currentBranch,
  gitDir,
  gitPath,
  gitVersion,
  headCommit,
  hooksDir,
  isBare,
  isWorkTreeRoot,
  repoContext,
  repoRoot,
  tryRepoRoot,
  versionAtLeast,
} from "./index.js";
import { runInRepo } from "./repo.js";

let sb: Sandbox;
beforeEach(() => {
  sb = makeSandbox();
});
afterEach(() => sb.cleanup());

const ctx = (cwd: string) => ({ cwd, env: sb.env });

describe("repoRoot / tryRepoRoot", () => {
  it("finds the root from a subdirectory", () => {
    const repo = sb.repo("host");
    const sub = join(repo, "a", "b");
    mkdirSync(sub, { recursive: true });
    expect(repoRoot(ctx(sub))).toBe(realpathSync(repo));
    expect(tryRepoRoot(ctx(sub))).toBe(realpathSync(repo));
  });

  it("throws NotInRepoError (exit code 128) outside a repository", () => {
    const dir = sb.dir("plain");
    expect(tryRepoRoot(ctx(dir))).toBeNull();
    const error = (() => {
      try {
        repoRoot(ctx(dir));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NotInRepoError);
    expect((error as NotInRepoError).exitCode).toBe(128);
    expect(() => headCommit(ctx(dir))).toThrow(NotInRepoError);
    expect(() => gitDir(ctx(dir))).toThrow(NotInRepoError);
  });

  it("says a bare repository has no working tree", () => {
    const bare = sb.repo("vault.git", { bare: true });
    expect(isBare(ctx(bare))).toBe(true);
    expect(tryRepoRoot(ctx(bare))).toBeNull();
    expect(() => repoRoot(ctx(bare))).toThrow(expect.objectContaining({ code: "bare-repo" }) as VaultError);
    expect(isBare(ctx(sb.repo("host")))).toBe(false);
  });
});

describe("isWorkTreeRoot", () => {
  it("is true only at the top of a dir's own work tree: an empty submodule dir belongs to the host", () => {
    const host = sb.repo("host");
    const empty = join(host, "vault"); // what a clone leaves for a submodule that is not checked out
    mkdirSync(empty);
    const nested = sb.repo(join("host", "nested"));
    writeFileSync(join(host, "file"), "x");
    expect(isWorkTreeRoot(ctx(sb.root), host)).toBe(true);
    expect(isWorkTreeRoot(ctx(host), "nested")).toBe(true);
    expect(isWorkTreeRoot(ctx(host), "vault")).toBe(false);
    expect(isWorkTreeRoot(ctx(nested), join(nested, ".git"))).toBe(false);
    expect(isWorkTreeRoot(ctx(host), "missing")).toBe(false);
    expect(isWorkTreeRoot(ctx(host), "file")).toBe(false);
    expect(isWorkTreeRoot(ctx(sb.root), sb.dir("plain"))).toBe(false);
    // A hook's GIT_DIR does not make another dir look like the repository.
    expect(isWorkTreeRoot({ cwd: host, env: { ...sb.env, GIT_DIR: join(host, ".git"), GIT_WORK_TREE: host } }, "vault")).toBe(false);
  });

  it("compares real paths: a symlinked path to the root still counts", () => {
    const host = sb.repo("host");
    symlinkSync(host, join(sb.root, "link"));
    expect(isWorkTreeRoot(ctx(sb.root), "link")).toBe(true);
  });
});

describe("gitDir / gitPath / hooksDir", () => {
  it("returns absolute paths from anywhere in the tree", () => {
    const repo = realpathSync(sb.repo("host"));
    const sub = join(repo, "src");
    mkdirSync(sub);
    expect(gitDir(ctx(sub))).toBe(join(repo, ".git"));
    expect(gitPath(ctx(repo), "config")).toBe(join(repo, ".git", "config"));
    expect(hooksDir(ctx(sub))).toBe(join(repo, ".git", "hooks"));
  });

  it("honours core.hooksPath: relative to the root, absolute, and ~", () => {
    const repo = realpathSync(sb.repo("host"));
    const sub = join(repo, "src");
    mkdirSync(sub);
    sb.git(repo, "config", "core.hooksPath", ".husky/_");
    expect(hooksDir(ctx(sub))).toBe(join(repo, ".husky", "_"));
    sb.git(repo, "config", "core.hooksPath", "/opt/hooks");
    expect(hooksDir(ctx(sub))).toBe("/opt/hooks");
    sb.git(repo, "config", "core.hooksPath", "~/githooks");
    expect(hooksDir(ctx(repo))).toBe(join(sb.home, "githooks"));
  });
});

describe("HEAD", () => {
  it("is null on an unborn branch, then the commit id; branch is null when detached", () => {
    const repo = sb.repo("host");
    expect(headCommit(ctx(repo))).toBeNull();
    expect(currentBranch(ctx(repo))).toBe("main");
    sb.git(repo, "commit", "-q", "--allow-empty", "-m", "one");
    const id = sb.git(repo, "rev-parse", "HEAD").trim();
    expect(headCommit(ctx(repo))).toBe(id);
    sb.git(repo, "checkout", "-q", "--detach");
    expect(currentBranch(ctx(repo))).toBeNull();
  });
});

describe("gitVersion", () => {
  it("parses the installed git", () => {
    const version = gitVersion(ctx(sb.root));
    expect(version.major).toBeGreaterThanOrEqual(2);
    expect(versionAtLeast(version, 2, 0)).toBe(true);
    expect(versionAtLeast({ major: 2, minor: 38, patch: 1 }, 2, 38, 1)).toBe(true);
    expect(versionAtLeast({ major: 2, minor: 38, patch: 0 }, 2, 38, 1)).toBe(false);
    expect(versionAtLeast({ major: 3, minor: 0, patch: 0 }, 2, 45)).toBe(true);
  });
});

describe("repoContext", () => {
  it("drops the variables that tie git to the calling repository (as a hook sets them)", () => {
    const host = sb.repo("host");
    const other = sb.repo("other");
    const hookEnv = { ...sb.env, GIT_INDEX_FILE: ".git/index", GIT_DIR: join(host, ".git"), GIT_PREFIX: "", GIT_CONFIG_PARAMETERS: "'a.b'='c'" };
    const next = repoContext({ cwd: host, env: hookEnv }, "../other");
    expect(next.cwd).toBe(other);
    expect(next.env.GIT_INDEX_FILE).toBeUndefined();
    expect(next.env.GIT_DIR).toBeUndefined();
    expect(next.env.GIT_PREFIX).toBeUndefined();
    expect(next.env.GIT_CONFIG_PARAMETERS).toBe("'a.b'='c'");
    expect(next.env.HOME).toBe(sb.env.HOME);
    expect(repoRoot(next)).toBe(realpathSync(other));
  });
});

describe("the environment git gets", () => {
  it("never carries an identity given as text to git or the programs git starts", () => {
    const sb = makeSandbox();
    try {
      const repo = sb.repo("host");
      // A hook git starts on commit records whether it saw the identity.
      const marker = join(sb.root, "seen");
      writeFileSync(join(repo, ".git", "hooks", "post-commit"), `#!/bin/sh\necho "\${GIT_VAULT_IDENTITY:-none}" > "${marker}"\n`, { mode: 0o755 });
      writeFileSync(join(repo, "f"), "x");
      sb.git(repo, "add", "f");
      runInRepo({ cwd: repo, env: { ...sb.env, GIT_VAULT_IDENTITY: "AGE-SECRET-KEY-1FAKE" } }, ["commit", "-qm", "one"]);
      expect(readFileSync(marker, "utf8")).toBe("none\n");
    } finally {
      sb.cleanup();
    }
  });
});
