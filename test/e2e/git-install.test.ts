// `git vault install` / `uninstall` under real git: idempotent, and uninstall
// puts `.git/config`, the hooks directory and the global config back byte
// for byte; `--manual` only prints. Plus the help entry points.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot as projectRoot } from "../support/sandbox.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitRun, gitRunWithin, gitVault } from "../support/git.js";
import { type Sandbox, makeSandbox } from "../support/sandbox.js";

/** Every file below dir (recursively) as "path mode" → bytes, directories as entries too. */
function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const key = `${relative(dir, p)} ${(st.mode & 0o7777).toString(8)}`;
      if (st.isDirectory()) {
        out.set(`${key}/`, "");
        walk(p);
      } else {
        out.set(key, readFileSync(p).toString("base64"));
      }
    }
  };
  walk(dir);
  return out;
}

describe("git vault install / uninstall", () => {
  let sb: Sandbox;
  let repo: string;
  let configPath: string;
  let hooksPath: string;

  beforeEach(() => {
    sb = makeSandbox();
    repo = sb.repo("repo");
    configPath = join(repo, ".git", "config");
    hooksPath = join(repo, ".git", "hooks");
  });
  afterEach(() => sb.cleanup());

  it("is idempotent, and uninstall restores .git/config and the hooks dir byte for byte", () => {
    const config0 = readFileSync(configPath);
    const hooks0 = snapshotTree(hooksPath);
    const global0 = readFileSync(sb.env.GIT_CONFIG_GLOBAL as string);

    gitVault(sb, repo, "install");
    const config1 = readFileSync(configPath);
    const hooks1 = snapshotTree(hooksPath);
    expect(config1.equals(config0)).toBe(false);
    expect(sb.git(repo, "config", "--local", "--get-regexp", "git-vault")).toBe(
      "diff.git-vault.textconv git-vault-textconv\nmerge.git-vault.name git-vault env merge\nmerge.git-vault.driver git-vault merge-driver %O %A %B %P\nmerge.git-vault.recursive binary\n",
    );
    expect(hooks1.has("pre-commit 755")).toBe(true);

    const second = gitVault(sb, repo, "install");
    expect(second.stderr).toMatch(/already registered/);
    expect(second.stderr).toMatch(/unchanged/);
    expect(readFileSync(configPath).equals(config1), ".git/config changed on the second install").toBe(true);
    expect(snapshotTree(hooksPath)).toEqual(hooks1);

    gitVault(sb, repo, "uninstall");
    expect(readFileSync(configPath).toString()).toBe(config0.toString());
    expect(readFileSync(configPath).equals(config0)).toBe(true);
    expect(snapshotTree(hooksPath)).toEqual(hooks0);
    expect(readFileSync(sb.env.GIT_CONFIG_GLOBAL as string).equals(global0)).toBe(true);

    // A second uninstall is a no-op too.
    gitVault(sb, repo, "uninstall");
    expect(readFileSync(configPath).equals(config0)).toBe(true);
    expect(snapshotTree(hooksPath)).toEqual(hooks0);
  });

  it("chains an existing hook and gives it back byte for byte with its mode on uninstall", () => {
    writeFileSync(join(hooksPath, "pre-commit"), "#!/bin/sh\n# the project's own hook\nexit 0\n", { mode: 0o750 });
    const config0 = readFileSync(configPath);
    const hooks0 = snapshotTree(hooksPath);

    gitVault(sb, repo, "install");
    expect(existsSync(join(hooksPath, "pre-commit.git-vault-chained"))).toBe(true);
    const hooks1 = snapshotTree(hooksPath);
    gitVault(sb, repo, "install");
    expect(snapshotTree(hooksPath)).toEqual(hooks1);

    gitVault(sb, repo, "uninstall");
    expect(snapshotTree(hooksPath)).toEqual(hooks0);
    expect(readFileSync(configPath).equals(config0)).toBe(true);
  });

  it("keeps config it does not own in the same sections", () => {
    sb.git(repo, "config", "diff.git-vault.wordRegex", "[^=]+");
    const config0 = readFileSync(configPath);
    gitVault(sb, repo, "install");
    gitVault(sb, repo, "uninstall");
    expect(sb.git(repo, "config", "--local", "--get-regexp", "git-vault")).toBe("diff.git-vault.wordregex [^=]+\n");
    expect(readFileSync(configPath).toString()).toBe(config0.toString());
  });

  it("with core.hooksPath pointing at a missing directory, uninstall leaves the work tree as it was", () => {
    sb.git(repo, "config", "core.hooksPath", ".husky/_");
    const tree0 = snapshotTree(repo);
    gitVault(sb, repo, "install");
    expect(existsSync(join(repo, ".husky", "_", "pre-commit"))).toBe(true);
    gitVault(sb, repo, "uninstall");
    const tree1 = snapshotTree(repo);
    // Compare outside .git (git may touch its own files, e.g. the index).
    const outsideGit = (m: Map<string, string>) => [...m].filter(([k]) => !k.startsWith(".git/") && !k.startsWith(".git "));
    expect(outsideGit(tree1)).toEqual(outsideGit(tree0));
  });

  it("--global writes the drivers into GIT_CONFIG_GLOBAL only, and uninstall --global restores it", () => {
    const globalPath = sb.env.GIT_CONFIG_GLOBAL as string;
    const global0 = readFileSync(globalPath);
    const config0 = readFileSync(configPath);
    const hooks0 = snapshotTree(hooksPath);

    gitVault(sb, repo, "install", "--global");
    expect(sb.git(repo, "config", "--global", "diff.git-vault.textconv").trim()).toBe("git-vault-textconv");
    expect(sb.git(repo, "config", "--global", "merge.git-vault.driver").trim()).toBe("git-vault merge-driver %O %A %B %P");
    expect(gitRun(sb, repo, ["config", "--global", "--get", "diff.git-vault.cachetextconv"]).status).toBe(1);
    expect(readFileSync(configPath).equals(config0)).toBe(true);
    expect(snapshotTree(hooksPath)).toEqual(hooks0); // no hook with --global
    // Works from outside any repository too.
    const global1 = readFileSync(globalPath);
    gitVault(sb, sb.home, "install", "--global");
    expect(readFileSync(globalPath).equals(global1)).toBe(true);

    gitVault(sb, sb.home, "uninstall", "--global");
    expect(readFileSync(globalPath).toString()).toBe(global0.toString());
    expect(readFileSync(globalPath).equals(global0)).toBe(true);
  });

  it("--manual prints the git config commands and changes nothing", () => {
    const globalPath = sb.env.GIT_CONFIG_GLOBAL as string;
    const before = [readFileSync(configPath), readFileSync(globalPath)];
    const hooks0 = snapshotTree(hooksPath);

    const r = gitVault(sb, repo, "install", "--manual");
    expect(r.stdout).toContain("git config diff.git-vault.textconv 'git-vault-textconv'");
    expect(r.stdout).toContain("git config merge.git-vault.driver 'git-vault merge-driver %O %A %B %P'");
    expect(r.stdout).not.toMatch(/^git config diff\.git-vault\.cachetextconv/m);
    expect(readFileSync(configPath).equals(before[0] as Buffer)).toBe(true);
    expect(readFileSync(globalPath).equals(before[1] as Buffer)).toBe(true);
    expect(snapshotTree(hooksPath)).toEqual(hooks0);
  });

  /** Runs text as a sh script in the repository. */
  function sh(script: string): { status: number | null; stderr: string } {
    const r = spawnSync("sh", ["-c", script], { cwd: repo, env: sb.env, input: "", encoding: "utf8", timeout: 20_000 });
    return { status: r.status, stderr: r.stderr };
  }

  it("--manual prints steps that are safe to run twice: the foreign hook stays chained and a commit does not hang", () => {
    const foreign = "#!/bin/sh\necho FOREIGN\n";
    writeFileSync(join(hooksPath, "pre-commit"), foreign, { mode: 0o755 });
    const steps = gitVault(sb, repo, "install", "--manual").stdout;
    // As the tester extracted them: the hook section without comment lines.
    const hookSteps = steps.slice(steps.indexOf("# 2.")).split("\n").filter((line) => !line.startsWith("#")).join("\n");

    expect(sh(hookSteps).status).toBe(0);
    const once = snapshotTree(hooksPath);
    expect(sh(hookSteps).status).toBe(0);
    expect(sh(steps).status).toBe(0); // the whole output, undo included, as a script
    expect(snapshotTree(hooksPath)).toEqual(once);
    expect(readFileSync(join(hooksPath, "pre-commit.git-vault-chained"), "utf8")).toBe(foreign);
    expect(lstatSync(join(hooksPath, "pre-commit.git-vault-chained")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(hooksPath, "pre-commit")).equals(readFileSync(join(projectRoot, "hooks", "pre-commit")))).toBe(true);
    expect(gitRun(sb, repo, ["vault", "hooks", "status"]).status).toBe(0); // what `install` would have made

    const commit = gitRunWithin(sb, repo, ["commit", "--allow-empty", "-m", "x"], 20);
    expect(commit.timedOut).toBe(false);
    expect(commit.status, commit.stderr).toBe(0);
    expect(commit.stdout + commit.stderr).toMatch(/^FOREIGN$/m);
    expect((commit.stdout + commit.stderr).match(/FOREIGN/g)).toHaveLength(1);
  });

  it("--manual never overwrites a chained hook that differs from the foreign one", () => {
    writeFileSync(join(hooksPath, "pre-commit"), "#!/bin/sh\necho NEW\n", { mode: 0o755 });
    writeFileSync(join(hooksPath, "pre-commit.git-vault-chained"), "#!/bin/sh\necho OLD\n", { mode: 0o755 });
    const hooks0 = snapshotTree(hooksPath);
    const run = sh(gitVault(sb, repo, "install", "--manual").stdout);
    expect(run.stderr).toContain("git-vault: guard not installed:");
    expect(run.stderr).toContain("pre-commit.git-vault-chained (chained earlier) differs from");
    expect(snapshotTree(hooksPath)).toEqual(hooks0);
  });

  it("--manual's undo keeps what uninstall keeps: exact --unset commands, not --remove-section", () => {
    const steps = gitVault(sb, repo, "install", "--manual").stdout;
    expect(steps).not.toContain("--remove-section");
    expect(sh(steps).status).toBe(0);
    sb.git(repo, "config", "diff.git-vault.wordRegex", "[^=]+");
    const undo = steps.slice(steps.indexOf("# Undo")).split("\n").filter((line) => line.startsWith("#   ")).map((line) => line.slice(4)).join("\n");
    expect(undo).toContain("git config --unset diff.git-vault.textconv '^git-vault-textconv$'");
    expect(sh(undo).status).toBe(0);
    expect(sb.git(repo, "config", "--local", "--get-regexp", "git-vault")).toBe("diff.git-vault.wordregex [^=]+\n");
    expect(existsSync(join(hooksPath, "pre-commit"))).toBe(false);
  });

  it("--manual --global prints only global driver commands, no hook steps", () => {
    const r = gitVault(sb, repo, "install", "--manual", "--global");
    const commands = r.stdout.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(commands).toEqual([
      "git config --global diff.git-vault.textconv 'git-vault-textconv'",
      "git config --global merge.git-vault.name 'git-vault env merge'",
      "git config --global merge.git-vault.driver 'git-vault merge-driver %O %A %B %P'",
      "git config --global merge.git-vault.recursive 'binary'",
    ]);
    expect(r.stdout).toContain("#   git config --global --unset diff.git-vault.textconv '^git-vault-textconv$'");
    expect(r.stdout).not.toContain("pre-commit\"");
    expect(gitRun(sb, sb.home, ["vault", "install", "--manual", "--global"]).stdout).toBe(r.stdout); // no repository needed
  });

  it("--manual's pre-commit framework snippet has the manifest's files pattern", () => {
    const manifest = readFileSync(join(projectRoot, ".pre-commit-hooks.yaml"), "utf8");
    const files = /^ {2}files: (.*)$/m.exec(manifest)?.[1];
    expect(files).toBeDefined();
    expect(gitVault(sb, repo, "install", "--manual").stdout).toContain(`#            files: ${files}\n`);
  });
});

describe("help", () => {
  let sb: Sandbox;

  beforeEach(() => {
    sb = makeSandbox();
  });
  afterEach(() => sb.cleanup());

  const COMMANDS = ["init", "set", "get", "encrypt", "check", "install", "uninstall", "hooks install", "textconv", "merge-driver"];

  it("`git-vault --help` exits 0 and lists the commands", () => {
    const r = spawnSync("git-vault", ["--help"], { cwd: sb.home, env: sb.env, input: "", encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`git vault ${c}`);
  });

  it("`git vault help` exits 0 and lists the commands", () => {
    const r = gitRun(sb, sb.home, ["vault", "help"]);
    expect(r.status, r.stderr).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`git vault ${c}`);
  });

  it("`git vault -h` and `git vault init --help` exit 0", () => {
    const h = gitRun(sb, sb.home, ["vault", "-h"]);
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toContain("git vault init");
    const sub = gitRun(sb, sb.home, ["vault", "init", "--help"]);
    expect(sub.status, sub.stderr).toBe(0);
    expect(sub.stdout).toContain("--submodule-url");
  });
});
