import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeSandbox, type Sandbox } from "../../test/support/sandbox.js";
import { add, aheadCount, commit, headCommit, push, revList, upstreamBranch } from "./index.js";

let sb: Sandbox;
let repo: string;
beforeEach(() => {
  sb = makeSandbox();
  repo = sb.repo("vault");
});
afterEach(() => sb.cleanup());

const ctx = () => ({ cwd: repo, env: sb.env });

describe("commit", () => {
  it("runs no hook at all (git-vault's guard must not re-enter git-vault)", () => {
    const marker = join(sb.root, "hook-ran");
    for (const hook of ["pre-commit", "commit-msg", "post-commit"]) {
      writeFileSync(join(repo, ".git", "hooks", hook), `#!/bin/sh\necho ${hook} >> "${marker}"\nexit 1\n`, { mode: 0o755 });
    }
    writeFileSync(join(repo, ".env.dev"), "A=1\n");
    add(ctx(), [".env.dev"]);
    const id = commit(ctx(), "-n looks like an option\n\n# kept");
    expect(id).toBe(headCommit(ctx()));
    expect(existsSync(marker)).toBe(false);
    expect(sb.git(repo, "log", "-1", "--format=%B")).toBe("-n looks like an option\n\n# kept\n\n");
  });

  it("commits only the given paths", () => {
    writeFileSync(join(repo, "a"), "1");
    writeFileSync(join(repo, "b"), "1");
    add(ctx(), ["a", "b"]);
    commit(ctx(), "only a", ["a"]);
    expect(sb.git(repo, "show", "--name-only", "--format=", "HEAD").trim()).toBe("a");
    expect(sb.git(repo, "diff", "--cached", "--name-only").trim()).toBe("b");
  });
});

describe("revList / aheadCount / upstreamBranch / push", () => {
  it("counts commits not yet on the upstream", () => {
    const remote = sb.repo("vault.git", { bare: true });
    sb.git(repo, "remote", "add", "origin", remote);
    writeFileSync(join(repo, "a"), "1");
    add(ctx(), ["a"]);
    const first = commit(ctx(), "one");
    expect(upstreamBranch(ctx())).toBeNull();
    push(ctx(), "origin", ["main"], { setUpstream: true });
    expect(upstreamBranch(ctx())).toBe("origin/main");
    expect(aheadCount(ctx(), "@{upstream}")).toBe(0);
    writeFileSync(join(repo, "a"), "2");
    add(ctx(), ["a"]);
    const second = commit(ctx(), "two");
    expect(aheadCount(ctx(), "origin/main")).toBe(1);
    expect(revList(ctx(), ["HEAD"])).toEqual([second, first]);
    expect(revList(ctx(), ["origin/main..HEAD"])).toEqual([second]);
    expect(revList(ctx(), ["HEAD"], { maxCount: 1 })).toEqual([second]);
    push(ctx(), "origin", ["main"]);
    expect(aheadCount(ctx(), "origin/main")).toBe(0);
  });
});
