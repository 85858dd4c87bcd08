// The merge driver under real git: branches that set different keys merge
// cleanly; the same key set on both branches is a conflict named by key.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, makeSandbox } from "../support/sandbox.js";

describe("git vault merge-driver", () => {
  let sb: Sandbox;
  let dir: string;

  const set = (key: string, value: string): void => {
    const r = sb.vault(dir, ["set", key, value, "--file", ".env.dev"]);
    expect(r.status, r.stderr).toBe(0);
  };
  const commit = (message: string): void => {
    sb.git(dir, "add", "-A");
    sb.git(dir, "commit", "-q", "-m", message);
  };
  const reveal = (key: string): string => {
    const r = sb.vault(dir, ["get", key, "--reveal", "--file", ".env.dev"]);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };
  const merge = (): { status: number | null; output: string } => {
    const r = spawnSync("git", ["merge", "--no-edit", "feature"], { cwd: dir, env: sb.env, encoding: "utf8" });
    return { status: r.status, output: r.stdout + r.stderr };
  };

  beforeEach(() => {
    sb = makeSandbox();
    dir = sb.repo("vault");
    expect(sb.vault(dir, ["keygen"]).status).toBe(0);
    writeFileSync(join(dir, ".gitattributes"), ".env.* merge=git-vault\n");
    sb.git(dir, "config", "merge.git-vault.driver", "git-vault merge-driver %O %A %B %P");
    set("A", "1");
    commit("base");
    sb.git(dir, "checkout", "-q", "-b", "feature");
  });
  afterEach(() => sb.cleanup());

  it("merges by key in a criss-cross history (two merge bases), as installed", () => {
    expect(sb.vault(dir, ["install"]).status).toBe(0); // merge.git-vault.recursive = binary
    const resolveTo = (value: string): void => {
      const r = sb.vault(dir, ["set", "A", value, "--file", ".env.dev"]); // a conflicted file is refused: rewrite it whole
      if (r.status !== 0) {
        const text = readFileSync(join(dir, ".env.dev"), "utf8");
        const kept = text.replace(/^<<<<<<< ours\r?\n([\s\S]*?)^=======\r?\n[\s\S]*?^>>>>>>> theirs\r?\n/m, "$1");
        writeFileSync(join(dir, ".env.dev"), kept);
        set("A", value);
      }
    };
    set("A", "ax");
    commit("feature: A");
    sb.git(dir, "checkout", "-q", "main");
    sb.git(dir, "checkout", "-q", "-b", "other");
    set("A", "ay");
    commit("other: A");
    // Each branch merges the other and settles A on ax: two merge bases from now on.
    sb.git(dir, "checkout", "-q", "feature");
    spawnSync("git", ["merge", "--no-edit", "other"], { cwd: dir, env: sb.env });
    resolveTo("ax");
    commit("feature: merge other");
    sb.git(dir, "checkout", "-q", "other");
    spawnSync("git", ["merge", "--no-edit", "feature~1"], { cwd: dir, env: sb.env });
    resolveTo("ax");
    commit("other: merge feature");
    set("B", "by");
    commit("other: B");
    sb.git(dir, "checkout", "-q", "feature");
    set("C", "cx");
    commit("feature: C");
    expect(sb.git(dir, "merge-base", "--all", "feature", "other").trim().split("\n")).toHaveLength(2);

    const r = spawnSync("git", ["merge", "--no-edit", "other"], { cwd: dir, env: sb.env, encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("cannot merge by key");
    expect([reveal("A"), reveal("B"), reveal("C")]).toEqual(["ax\n", "by\n", "cx\n"]);
  });

  it("settles by plaintext what a re-encryption on one branch made look like a conflict", () => {
    sb.git(dir, "checkout", "-q", "main");
    set("B", "2");
    set("C", "3");
    commit("base: B, C");
    sb.git(dir, "branch", "-f", "feature", "HEAD");
    sb.git(dir, "checkout", "-q", "feature");
    expect(sb.vault(dir, ["encrypt", "--reencrypt", "--file", ".env.dev"]).status).toBe(0); // every ciphertext changes, no plaintext does
    commit("feature: re-encrypt");
    sb.git(dir, "checkout", "-q", "main");
    set("A", "1-changed");
    expect(sb.vault(dir, ["unset", "B", "--file", ".env.dev"]).status).toBe(0);
    commit("main: change A, delete B");

    const r = merge();
    expect(r.status, r.output).toBe(0);
    expect(r.output).not.toContain("conflict");
    expect(reveal("A")).toBe("1-changed\n");
    expect(sb.vault(dir, ["get", "B", "--file", ".env.dev"]).status).toBe(1);
    expect(reveal("C")).toBe("3\n");

    // The other way round: the branch merged in changed a value, ours only re-encrypted it.
    sb.git(dir, "checkout", "-q", "-b", "changer");
    set("C", "3-changed");
    commit("changer: C");
    sb.git(dir, "checkout", "-q", "main");
    expect(sb.vault(dir, ["encrypt", "--reencrypt", "--file", ".env.dev"]).status).toBe(0);
    commit("main: re-encrypt");
    const back = spawnSync("git", ["merge", "--no-edit", "changer"], { cwd: dir, env: sb.env, encoding: "utf8" });
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(reveal("C")).toBe("3-changed\n");
  });

  it("merges keys set on different branches without a conflict", () => {
    set("B", "2");
    commit("feature: B");
    sb.git(dir, "checkout", "-q", "main");
    set("C", "3");
    commit("main: C");

    const r = merge();
    expect(r.status, r.output).toBe(0);
    expect(sb.git(dir, "status", "--porcelain")).toBe("");
    const text = readFileSync(join(dir, ".env.dev"), "utf8");
    expect(text.match(/^[ABC]=/gm)).toEqual(["A=", "C=", "B="]);
    expect([reveal("A"), reveal("B"), reveal("C")]).toEqual(["1\n", "2\n", "3\n"]);
  });

  it("stops on a key set differently on both branches, naming the key and never the value", () => {
    set("A", "feature-value");
    commit("feature: A");
    sb.git(dir, "checkout", "-q", "main");
    set("A", "main-value");
    set("C", "3");
    commit("main: A and C");

    const r = merge();
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("conflict: .env.dev: A changed on both branches");
    expect(r.output).not.toContain("encrypted:gv1:");
    expect(r.output).not.toContain("main-value");
    expect(sb.git(dir, "status", "--porcelain")).toContain("UU .env.dev");
    const text = readFileSync(join(dir, ".env.dev"), "utf8");
    expect(text).toMatch(/^<<<<<<< ours\nA=encrypted:gv1:\S+\n=======\nA=encrypted:gv1:\S+\n>>>>>>> theirs\n/m);
    expect(text).toMatch(/^C=encrypted:gv1:/m);
  });

  it("keeps ours without a conflict when both branches re-encrypted the same value", () => {
    set("A", "1");
    commit("feature: A again");
    sb.git(dir, "checkout", "-q", "main");
    set("A", "1");
    commit("main: A again");
    const ours = readFileSync(join(dir, ".env.dev"), "utf8");

    const r = merge();
    expect(r.status, r.output).toBe(0);
    expect(readFileSync(join(dir, ".env.dev"), "utf8")).toBe(ours);
    expect(reveal("A")).toBe("1\n");
  });

  it("leaves a file it cannot parse as ours and reports why", () => {
    writeFileSync(join(dir, ".env.dev"), `${readFileSync(join(dir, ".env.dev"), "utf8")}not a line\n`);
    commit("feature: broken line");
    sb.git(dir, "checkout", "-q", "main");
    set("C", "3");
    commit("main: C");
    const ours = readFileSync(join(dir, ".env.dev"), "utf8");

    const r = merge();
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(".env.dev: cannot merge by key: their version: line");
    expect(readFileSync(join(dir, ".env.dev"), "utf8")).toBe(ours);
    expect(sb.git(dir, "status", "--porcelain")).toContain("UU .env.dev");
  });
});
