import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitError } from "../errors.js";
import { makeSandbox, type Sandbox } from "../../test/support/sandbox.js";
import {
  configGet,
  configGetAll,
  configGetOrigin,
  configGetRegexp,
  configList,
  configRemoveSection,
  configSet,
  configUnset,
} from "./index.js";

let sb: Sandbox;
let repo: string;
beforeEach(() => {
  sb = makeSandbox();
  repo = sb.repo("host");
});
afterEach(() => sb.cleanup());

const ctx = () => ({ cwd: repo, env: sb.env });

describe("configGet / configSet / configUnset", () => {
  it("round-trips values with spaces, quotes, '=' and '#' into the local file", () => {
    const value = `git-vault merge-driver %O %A %B %P "x" # not a comment = ok`;
    configSet(ctx(), "merge.git-vault.driver", value);
    expect(configGet(ctx(), "merge.git-vault.driver")).toBe(value);
    expect(configGet(ctx(), "merge.git-vault.driver", { scope: "local" })).toBe(value);
    expect(configGet(ctx(), "merge.git-vault.driver", { scope: "global" })).toBeNull();
    expect(sb.git(repo, "config", "--local", "--get", "merge.git-vault.driver").trim()).toBe(value);
  });

  it("returns null when unset, and false from unset when there was nothing", () => {
    expect(configGet(ctx(), "diff.git-vault.textconv")).toBeNull();
    expect(configUnset(ctx(), "diff.git-vault.textconv")).toBe(false);
    configSet(ctx(), "diff.git-vault.textconv", "git-vault textconv");
    expect(configUnset(ctx(), "diff.git-vault.textconv")).toBe(true);
    expect(configGet(ctx(), "diff.git-vault.textconv")).toBeNull();
  });

  it("writes the global file (GIT_CONFIG_GLOBAL) and a named file", () => {
    configSet(ctx(), "diff.git-vault.textconv", "git-vault textconv", { scope: "global" });
    expect(readFileSync(sb.env.GIT_CONFIG_GLOBAL as string, "utf8")).toContain('[diff "git-vault"]\n\ttextconv = git-vault textconv\n');
    const file = join(sb.root, "extra.config");
    configSet(ctx(), "a.b", "c", { scope: "file", file });
    expect(configGet(ctx(), "a.b", { scope: "file", file })).toBe("c");
    expect(configGet(ctx(), "a.b")).toBeNull();
  });

  it("reads multi-valued keys and canonical booleans", () => {
    sb.git(repo, "config", "--add", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*");
    sb.git(repo, "config", "--add", "remote.origin.fetch", "+refs/notes/*:refs/notes/*");
    expect(configGetAll(ctx(), "remote.origin.fetch")).toEqual(["+refs/heads/*:refs/remotes/origin/*", "+refs/notes/*:refs/notes/*"]);
    expect(configGetAll(ctx(), "remote.nope.fetch")).toEqual([]);
    expect(() => configSet(ctx(), "remote.origin.fetch", "x")).toThrow(GitError);
    configSet(ctx(), "remote.origin.fetch", "x", { replaceAll: true });
    expect(configGetAll(ctx(), "remote.origin.fetch")).toEqual(["x"]);
    configSet(ctx(), "diff.git-vault.cachetextconv", "yes");
    expect(configGet(ctx(), "diff.git-vault.cachetextconv", { type: "bool" })).toBe("true");
  });

  it("tells which scope and file set a value", () => {
    configSet(ctx(), "core.hooksPath", ".husky/_");
    expect(configGetOrigin(ctx(), "core.hooksPath")).toMatchObject({ value: ".husky/_", scope: "local" });
    expect(configGetOrigin(ctx(), "init.defaultBranch")).toMatchObject({ value: "main", scope: "global" });
    expect(configGetOrigin(ctx(), "nope.nope")).toBeNull();
  });
});

describe("configGetRegexp / configList", () => {
  it("lists entries, including valueless ones, by scope", () => {
    writeFileSync(join(repo, ".git", "config"), readFileSync(join(repo, ".git", "config"), "utf8") + '[diff "git-vault"]\n\tbinary\n\ttextconv = git-vault textconv\n');
    expect(configGetRegexp(ctx(), "^diff\\.git-vault\\.")).toEqual([
      { key: "diff.git-vault.binary", value: null },
      { key: "diff.git-vault.textconv", value: "git-vault textconv" },
    ]);
    expect(configList(ctx(), "local")).toContainEqual({ key: "diff.git-vault.textconv", value: "git-vault textconv" });
    expect(configList(ctx(), "global")).toEqual([
      { key: "init.defaultbranch", value: "main" },
      { key: "advice.detachedhead", value: "false" },
    ]);
  });

  it("reads a missing global file as empty", () => {
    const env = { ...sb.env, GIT_CONFIG_GLOBAL: join(sb.root, "absent.gitconfig") };
    expect(configList({ cwd: repo, env }, "global")).toEqual([]);
    expect(configGet({ cwd: repo, env }, "a.b", { scope: "global" })).toBeNull();
    expect(configRemoveSection({ cwd: repo, env }, "diff.git-vault", { scope: "global" })).toBe(false);
  });
});

describe("configRemoveSection", () => {
  it("leaves the file byte-identical to before the section was added", () => {
    const file = join(repo, ".git", "config");
    const before = readFileSync(file);
    configSet(ctx(), "diff.git-vault.textconv", "git-vault textconv");
    configSet(ctx(), "merge.git-vault.name", "git-vault env merge");
    expect(configRemoveSection(ctx(), "diff.git-vault")).toBe(true);
    expect(configRemoveSection(ctx(), "merge.git-vault")).toBe(true);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(configRemoveSection(ctx(), "merge.git-vault")).toBe(false);
  });
});
