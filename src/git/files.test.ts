import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitError } from "../errors.js";
import { makeSandbox, type Sandbox } from "../../test/support/sandbox.js";
import { add, lineCommitTimes, lsFiles, showBlob, stagedFiles, statusPorcelain, tryShowBlob } from "./index.js";

let sb: Sandbox;
let repo: string;
beforeEach(() => {
  sb = makeSandbox();
  repo = sb.repo("host");
});
afterEach(() => sb.cleanup());

const ctx = (cwd = repo) => ({ cwd, env: sb.env });
const write = (path: string, content: string | Buffer) => {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), content);
};

describe("lsFiles", () => {
  it("reads odd file names through -z", () => {
    const names = ["plain", "with space", "new\nline", "ünï", 'quote"d'];
    for (const name of names) write(name, "x");
    add(ctx(), names);
    expect(lsFiles(ctx(), []).sort()).toEqual([...names].sort());
    expect(lsFiles(ctx(), ["with space"])).toEqual(["with space"]);
  });

  it("reports mode, object and stage", () => {
    write("vault/.env.dev", "A=1\n");
    add(ctx(), ["vault/.env.dev"]);
    const object = sb.git(repo, "rev-parse", ":vault/.env.dev").trim();
    expect(lsFiles(ctx(), ["vault"], { stage: true })).toEqual([{ mode: "100644", object, stage: 0, path: "vault/.env.dev" }]);
  });
});

describe("stagedFiles", () => {
  it("lists added, modified and renamed paths but not deletions, even before the first commit", () => {
    write(".env.dev", "A=1\n");
    add(ctx(), [".env.dev"]);
    expect(stagedFiles(ctx(), [])).toEqual([".env.dev"]);
    write(".env.prod", "B=1\n");
    write("gone", "x");
    add(ctx(), [".env.prod", "gone"]);
    sb.git(repo, "commit", "-q", "-m", "one");
    write(".env.dev", "A=2\n");
    renameSync(join(repo, ".env.prod"), join(repo, ".env.production"));
    rmSync(join(repo, "gone"));
    sb.git(repo, "add", "-A");
    expect(stagedFiles(ctx(), []).sort()).toEqual([".env.dev", ".env.production"]);
    expect(stagedFiles(ctx(), [".env.dev"])).toEqual([".env.dev"]);
  });

  it("keeps paths repository-relative from a subdirectory, even with diff.relative", () => {
    write("vault/.env.dev", "A=1\n");
    write("src/x", "y");
    add(ctx(), ["vault/.env.dev", "src/x"]);
    sb.git(repo, "config", "diff.relative", "true");
    expect(stagedFiles(ctx(join(repo, "src")), []).sort()).toEqual(["src/x", "vault/.env.dev"]);
  });

  it("sees the index GIT_INDEX_FILE names (as in a hook of git commit -a)", () => {
    write("a", "1");
    add(ctx(), ["a"]);
    const env = { ...sb.env, GIT_INDEX_FILE: join(repo, ".git", "other-index") };
    expect(stagedFiles({ cwd: repo, env }, [])).toEqual([]);
  });
});

describe("showBlob / tryShowBlob", () => {
  it("returns raw staged and committed bytes, never textconv output", () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 10]);
    write(".gitattributes", ".env.* diff=git-vault\n");
    write(".env.dev", bytes);
    add(ctx(), [".gitattributes", ".env.dev"]);
    sb.git(repo, "config", "diff.git-vault.textconv", "false");
    sb.git(repo, "commit", "-q", "-m", "one");
    write(".env.dev", "A=staged\n");
    add(ctx(), [".env.dev"]);
    expect(showBlob(ctx(), "HEAD:.env.dev").equals(bytes)).toBe(true);
    expect(showBlob(ctx(), ":.env.dev").toString()).toBe("A=staged\n");
    expect(tryShowBlob(ctx(), "HEAD:nope")).toBeNull();
    expect(tryShowBlob(ctx(), ":.env.dev")?.toString()).toBe("A=staged\n");
  });

  it("throws GitError with git's exit code and stderr", () => {
    sb.git(repo, "commit", "-q", "--allow-empty", "-m", "one");
    try {
      showBlob(ctx(), "HEAD:nope");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GitError);
      expect((error as GitError).gitExitCode).toBe(128);
      expect((error as GitError).stderr).toMatch(/nope/);
    }
    write("dir/f", "x");
    add(ctx(), ["dir/f"]);
    sb.git(repo, "commit", "-q", "-m", "two");
    expect(() => tryShowBlob(ctx(), "HEAD:dir")).toThrow(GitError);
  });
});

describe("statusPorcelain", () => {
  it("parses modifications, untracked files and renames", () => {
    write("a", "1");
    write("b b", "2");
    add(ctx(), ["a", "b b"]);
    sb.git(repo, "commit", "-q", "-m", "one");
    write("a", "changed");
    sb.git(repo, "mv", "b b", "c c");
    write("new", "x");
    expect(statusPorcelain(ctx())).toEqual([
      { index: " ", worktree: "M", path: "a" },
      { index: "R", worktree: " ", path: "c c", origPath: "b b" },
      { index: "?", worktree: "?", path: "new" },
    ]);
    expect(statusPorcelain(ctx(), { untracked: "no", pathspecs: ["a"] })).toEqual([{ index: " ", worktree: "M", path: "a" }]);
    expect(existsSync(join(repo, ".git", "index.lock"))).toBe(false);
  });
});

describe("lineCommitTimes", () => {
  it("dates each line by its commit without running the file's textconv driver (which would decrypt every revision)", () => {
    const marker = join(sb.root, "textconv-ran");
    write(".gitattributes", ".env.* diff=vault\n");
    sb.git(repo, "config", "diff.vault.textconv", `sh -c 'touch "${marker}"; cat "$1"' textconv`);
    write(".env.dev", "A=1\nB=2\n");
    sb.git(repo, "add", "-A");
    sb.git(repo, "commit", "-q", "-m", "two lines");
    write(".env.dev", "A=1\nB=2\nC=3\n");
    const times = lineCommitTimes(ctx(), join(repo, ".env.dev"));
    expect(times.slice(1, 3).every((t) => typeof t === "number" && t > 1_600_000_000)).toBe(true);
    expect(times[3]).toBeNull(); // not committed yet
    expect(existsSync(marker)).toBe(false);
  });
});
