import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeSandbox, type Sandbox } from "../../test/support/sandbox.js";
import { deleteRef, refsMatching, remoteUrl } from "./index.js";

let sb: Sandbox;
let repo: string;
beforeEach(() => {
  sb = makeSandbox();
  repo = sb.repo("host");
});
afterEach(() => sb.cleanup());

const ctx = () => ({ cwd: repo, env: sb.env });

describe("refsMatching / deleteRef", () => {
  it("finds and deletes textconv cache notes", () => {
    sb.git(repo, "commit", "-q", "--allow-empty", "-m", "one");
    sb.git(repo, "notes", "--ref=textconv/git-vault", "add", "-m", "cached plaintext");
    const refs = refsMatching(ctx(), "refs/notes/textconv");
    expect(refs).toHaveLength(1);
    expect(refs[0]?.ref).toBe("refs/notes/textconv/git-vault");
    expect(refs[0]?.object).toMatch(/^[0-9a-f]{40,64}$/);
    expect(refsMatching(ctx(), "refs/notes/textconv/*")).toEqual(refs);
    expect(deleteRef(ctx(), "refs/notes/textconv/git-vault")).toBe(true);
    expect(deleteRef(ctx(), "refs/notes/textconv/git-vault")).toBe(false);
    expect(refsMatching(ctx(), "refs/notes/textconv")).toEqual([]);
  });
});

describe("remoteUrl", () => {
  it("applies insteadOf and is null for an unknown remote", () => {
    expect(remoteUrl(ctx(), "origin")).toBeNull();
    sb.git(repo, "remote", "add", "origin", "gh:team/vault.git");
    sb.git(repo, "config", "url.ssh://git@example.com/.insteadOf", "gh:");
    expect(remoteUrl(ctx(), "origin")).toBe("ssh://git@example.com/team/vault.git");
  });
});
