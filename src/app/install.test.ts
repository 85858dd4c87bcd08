import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotInRepoError, VaultError } from "../errors.js";
import { makeSandbox, repoRoot as projectRoot, type Sandbox } from "../../test/support/sandbox.js";
import { CHAINED_HOOK, hookStatus, installHook, shippedHookPath, uninstallHook } from "./hook.js";
import { DRIVER_CONFIG, installDrivers, uninstallDrivers } from "./install.js";
import { manualInstructions } from "./manual-install.js";

let sb: Sandbox;
let repo: string;
let log: string;
beforeEach(() => {
  sb = makeSandbox();
  repo = sb.repo("host");
  log = join(sb.root, "calls.log");
});
afterEach(() => sb.cleanup());

const SCRIPT = readFileSync(join(projectRoot, "hooks", "pre-commit"));
const ctx = (cwd = repo, env = sb.env) => ({ cwd, env });

// A stand-in for git-vault, first on PATH: records its argv, exits with `code`.
function stubEnv(code: number): NodeJS.ProcessEnv {
  const bin = join(sb.root, `stub-${code}`);
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "git-vault"), `#!/bin/sh\necho "git-vault $*" >> "${log}"\nexit ${code}\n`, { mode: 0o755 });
  return { ...sb.env, PATH: `${bin}:${sb.env.PATH}` };
}

// PATH with git and sh but no git-vault at all.
function bareEnv(): NodeJS.ProcessEnv {
  const dirs = ["git", "sh", "dirname"].map((tool) => dirname(spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim()));
  return { ...sb.env, PATH: [...new Set(dirs)].join(":") };
}

function commit(env: NodeJS.ProcessEnv, file = "app.txt") {
  writeFileSync(join(repo, file), `${Math.random()}\n`);
  sb.git(repo, "add", file);
  const r = spawnSync("git", ["commit", "-q", "-m", "change"], { cwd: repo, env, encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

const calls = () => (existsSync(log) ? readFileSync(log, "utf8") : "");

// Every file of a directory with its bytes and mode, to compare before/after.
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    out[name] = `${(statSync(path).mode & 0o7777).toString(8)} ${readFileSync(path).toString("base64")}`;
  }
  return out;
}

function caught(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (error) {
    return error as VaultError;
  }
  throw new Error("expected an error");
}

describe("installDrivers / uninstallDrivers", () => {
  it("is idempotent and uninstall leaves .git/config byte-identical", () => {
    const file = join(repo, ".git", "config");
    const before = readFileSync(file);
    const first = installDrivers(ctx(), { scope: "local" });
    expect(first.changed).toBe(true);
    expect(first.changes.map((c) => c.action)).toEqual(["set", "set", "set", "set"]);
    const installed = readFileSync(file, "utf8");
    expect(installed).toContain('[diff "git-vault"]\n\ttextconv = git-vault-textconv\n');
    expect(installed).toContain('[merge "git-vault"]\n\tname = git-vault env merge\n\tdriver = git-vault merge-driver %O %A %B %P\n\trecursive = binary\n');
    expect(installed).not.toContain("cachetextconv");

    const second = installDrivers(ctx(), { scope: "local" });
    expect(second.changed).toBe(false);
    expect(second.changes.every((c) => c.action === "unchanged")).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(installed);

    const removed = uninstallDrivers(ctx(), { scope: "local" });
    expect(removed.changes.map((c) => c.action)).toEqual(["removed", "removed", "removed", "removed"]);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(uninstallDrivers(ctx(), { scope: "local" }).changed).toBe(false);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("writes the global file only, from outside any repository", () => {
    const global = sb.env.GIT_CONFIG_GLOBAL as string;
    const before = readFileSync(global);
    const local = readFileSync(join(repo, ".git", "config"));
    const outside = sb.dir("elsewhere");
    installDrivers(ctx(outside), { scope: "global" });
    expect(sb.git(repo, "config", "--global", "diff.git-vault.textconv").trim()).toBe("git-vault-textconv");
    expect(readFileSync(join(repo, ".git", "config")).equals(local)).toBe(true);
    expect(installDrivers(ctx(outside), { scope: "global" }).changed).toBe(false);
    uninstallDrivers(ctx(outside), { scope: "global" });
    expect(readFileSync(global).equals(before)).toBe(true);
  });

  it("needs a repository for the local scope", () => {
    expect(() => installDrivers(ctx(sb.dir("plain")), { scope: "local" })).toThrow(NotInRepoError);
  });

  it("refuses to overwrite a value it did not write, unless forced", () => {
    sb.git(repo, "config", "diff.git-vault.textconv", "cat");
    const file = join(repo, ".git", "config");
    const before = readFileSync(file);
    const error = caught(() => installDrivers(ctx(), { scope: "local" }));
    expect(error.code).toBe("install-conflict");
    expect(error.message).toContain("diff.git-vault.textconv");
    expect(readFileSync(file).equals(before)).toBe(true);

    const forced = installDrivers(ctx(), { scope: "local", force: true });
    expect(forced.changes[0]).toEqual({ key: "diff.git-vault.textconv", action: "replaced", previous: ["cat"] });
    expect(sb.git(repo, "config", "diff.git-vault.textconv").trim()).toBe("git-vault-textconv");
  });

  it("treats cachetextconv as a conflict and removes it when forced", () => {
    sb.git(repo, "config", "diff.git-vault.cachetextconv", "true");
    expect(caught(() => installDrivers(ctx(), { scope: "local" })).message).toContain("diff.git-vault.cachetextconv");
    const forced = installDrivers(ctx(), { scope: "local", force: true });
    expect(forced.changes).toContainEqual({ key: "diff.git-vault.cachetextconv", action: "removed", previous: ["true"] });
    expect(spawnSync("git", ["config", "diff.git-vault.cachetextconv"], { cwd: repo, env: sb.env }).status).toBe(1);
  });

  it("accepts an explicit cachetextconv = false", () => {
    sb.git(repo, "config", "diff.git-vault.cachetextconv", "false");
    expect(installDrivers(ctx(), { scope: "local" }).changed).toBe(true);
    expect(sb.git(repo, "config", "diff.git-vault.cachetextconv").trim()).toBe("false");
  });

  it("warns about a cachetextconv in another scope", () => {
    sb.git(repo, "config", "--global", "diff.git-vault.cachetextconv", "true");
    expect(installDrivers(ctx(), { scope: "local" }).warnings.join("\n")).toContain("cachetextconv");
  });

  it("keeps keys it does not own on uninstall", () => {
    installDrivers(ctx(), { scope: "local" });
    sb.git(repo, "config", "diff.git-vault.xfuncname", "^#.*$");
    const result = uninstallDrivers(ctx(), { scope: "local" });
    expect(result.changes).toContainEqual({ key: "diff.git-vault.xfuncname", action: "kept", previous: ["^#.*$"] });
    expect(sb.git(repo, "config", "--get-regexp", "git-vault").trim()).toBe("diff.git-vault.xfuncname ^#.*$");
  });
});

describe("installHook / uninstallHook", () => {
  it("installs the shipped script, changes nothing the second time, and uninstalls to the same files", () => {
    const hooks = join(repo, ".git", "hooks");
    const before = snapshot(hooks);
    const first = installHook(ctx());
    expect(first).toMatchObject({ hooksDir: hooks, action: "installed", movedForeignHook: false, chained: false });
    const hook = join(hooks, "pre-commit");
    expect(readFileSync(hook).equals(SCRIPT)).toBe(true);
    expect(statSync(hook).mode & 0o777).toBe(0o755);
    const installed = snapshot(hooks);
    const mtime = statSync(hook).mtimeMs;

    expect(installHook(ctx()).action).toBe("unchanged");
    expect(snapshot(hooks)).toEqual(installed);
    expect(statSync(hook).mtimeMs).toBe(mtime);

    expect(uninstallHook(ctx())).toEqual({ hooksDir: hooks, action: "removed", restoredChained: false });
    expect(snapshot(hooks)).toEqual(before);
    expect(uninstallHook(ctx()).action).toBe("not-installed");
  });

  it("chains a foreign hook: both run on a real commit, and uninstall restores it byte-identical with its mode", () => {
    const hooks = join(repo, ".git", "hooks");
    const marker = join(sb.root, "foreign-ran");
    writeFileSync(join(hooks, "pre-commit"), `#!/bin/sh\necho foreign >> "${log}"\ntouch "${marker}"\n`, { mode: 0o750 });
    chmodSync(join(hooks, "pre-commit"), 0o750);
    const before = snapshot(hooks);

    const result = installHook(ctx());
    expect(result).toMatchObject({ action: "installed", movedForeignHook: true, chained: true });
    expect(installHook(ctx()).action).toBe("unchanged");

    // git-vault "finds plaintext": the commit is refused, after the foreign hook ran.
    const refused = commit(stubEnv(1));
    expect(refused.status).not.toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(calls()).toBe("foreign\ngit-vault check --staged\n");

    expect(commit(stubEnv(0)).status).toBe(0);

    expect(uninstallHook(ctx())).toMatchObject({ action: "removed", restoredChained: true });
    expect(snapshot(hooks)).toEqual(before);
    expect(statSync(join(hooks, "pre-commit")).mode & 0o777).toBe(0o750);
  });

  it("stops with the chained hook's exit code before checking", () => {
    const hooks = join(repo, ".git", "hooks");
    writeFileSync(join(hooks, "pre-commit"), `#!/bin/sh\necho foreign >> "${log}"\nexit 3\n`, { mode: 0o755 });
    installHook(ctx());
    expect(commit(stubEnv(0)).status).not.toBe(0);
    expect(calls()).toBe("foreign\n");
    const direct = spawnSync(join(hooks, "pre-commit"), [], { cwd: repo, env: stubEnv(0) });
    expect(direct.status).toBe(3);
  });

  it("passes arguments and stdin to a chained hook, sh or not", () => {
    const hooks = join(repo, ".git", "hooks");
    writeFileSync(join(hooks, "pre-commit"), `#!/bin/sh -e\necho "args=$* stdin=$(cat)" >> "${log}"\nexit 7\n`, { mode: 0o755 });
    installHook(ctx());
    const run = spawnSync(join(hooks, "pre-commit"), ["a", "b c"], { cwd: repo, env: stubEnv(0), input: "data" });
    expect(run.status).toBe(7);
    expect(calls()).toBe("args=a b c stdin=data\n");
  });

  it("fails closed when git-vault is not on PATH, unless GIT_VAULT_SKIP_HOOK=1", () => {
    installHook(ctx());
    const env = bareEnv();
    const refused = commit(env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("git-vault is not on PATH");
    expect(refused.stderr).toContain("GIT_VAULT_SKIP_HOOK=1");
    const skipped = commit({ ...env, GIT_VAULT_SKIP_HOOK: "1" });
    expect(skipped.status).toBe(0);
    expect(skipped.stderr).toContain("NOT checked");
  });

  it("honours core.hooksPath=.husky/_ (the hook lands there and runs)", () => {
    sb.git(repo, "config", "core.hooksPath", ".husky/_");
    const result = installHook(ctx());
    expect(result).toMatchObject({ hooksDir: join(repo, ".husky", "_"), createdHooksDir: true });
    expect(existsSync(join(repo, ".git", "hooks", "pre-commit"))).toBe(false);
    expect(commit(stubEnv(1)).status).not.toBe(0);
    expect(calls()).toBe("git-vault check --staged\n");
  });

  it("keeps husky v9 working: its hook still finds the user's .husky/pre-commit", () => {
    // husky v9 layout: core.hooksPath=.husky/_, a one-line stub per hook that
    // sources `h`, which runs .husky/<basename $0>.
    const husky = join(repo, ".husky");
    mkdirSync(join(husky, "_"), { recursive: true });
    writeFileSync(join(husky, "_", ".gitignore"), "*");
    writeFileSync(join(husky, "_", "h"), '#!/usr/bin/env sh\nn=$(basename "$0")\ns=$(dirname "$(dirname "$0")")/$n\n[ ! -f "$s" ] && exit 0\nsh -e "$s" "$@"\n');
    writeFileSync(join(husky, "_", "pre-commit"), '#!/usr/bin/env sh\n. "${0%/*}/h"', { mode: 0o755 });
    writeFileSync(join(husky, "pre-commit"), `echo husky-user >> "${log}"\n`);
    sb.git(repo, "config", "core.hooksPath", ".husky/_");
    const before = snapshot(join(husky, "_"));

    expect(installHook(ctx())).toMatchObject({ movedForeignHook: true, chained: true });
    expect(commit(stubEnv(1)).status).not.toBe(0);
    expect(calls()).toBe("husky-user\ngit-vault check --staged\n");

    uninstallHook(ctx());
    expect(snapshot(join(husky, "_"))).toEqual(before);
  });

  it("installs into a vault submodule's own hooks dir, where commits in the vault run it", () => {
    const bare = sb.repo("vault.git", { bare: true });
    const seed = sb.repo("seed");
    sb.git(seed, "commit", "-q", "--allow-empty", "-m", "seed");
    sb.git(seed, "push", "-q", bare, "main");
    sb.git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", bare, "vault");
    const vault = join(repo, "vault");
    const result = installHook(ctx(vault));
    expect(result.hooksDir).toBe(join(repo, ".git", "modules", "vault", "hooks"));
    writeFileSync(join(vault, ".env.dev"), "A=1\n");
    sb.git(vault, "add", ".env.dev");
    const r = spawnSync("git", ["commit", "-q", "-m", "x"], { cwd: vault, env: stubEnv(1), encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(calls()).toBe("git-vault check --staged\n");
    expect(uninstallHook(ctx(vault)).action).toBe("removed");
  });

  it("refuses to move a tracked hook or to clobber an existing chained hook", () => {
    mkdirSync(join(repo, ".githooks"));
    writeFileSync(join(repo, ".githooks", "pre-commit"), "#!/bin/sh\n", { mode: 0o755 });
    sb.git(repo, "add", ".githooks/pre-commit");
    sb.git(repo, "config", "core.hooksPath", ".githooks");
    expect(caught(() => installHook(ctx())).code).toBe("hook-tracked");

    sb.git(repo, "config", "--unset", "core.hooksPath");
    const hooks = join(repo, ".git", "hooks");
    writeFileSync(join(hooks, "pre-commit"), "#!/bin/sh\necho new\n", { mode: 0o755 });
    writeFileSync(join(hooks, CHAINED_HOOK), "#!/bin/sh\necho old\n", { mode: 0o755 });
    const before = snapshot(hooks);
    const conflict = caught(() => installHook(ctx()));
    expect(conflict.code).toBe("hook-conflict");
    expect(conflict.message).toContain(join(hooks, CHAINED_HOOK));
    expect(conflict.hint).toContain("git vault hooks install --force");
    expect(snapshot(hooks)).toEqual(before);
  });

  it("re-chains a hook that replaced the guard: silently when the chained copy has the same bytes, with --force when not", () => {
    const hooks = join(repo, ".git", "hooks");
    const dispatcher = '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n';
    writeFileSync(join(hooks, "pre-commit"), dispatcher, { mode: 0o755 });
    installHook(ctx());
    writeFileSync(join(hooks, "pre-commit"), dispatcher, { mode: 0o755 }); // husky regenerates its file
    expect(hookStatus(ctx(repo, stubEnv(0)))).toMatchObject({ state: "foreign", fix: "git vault hooks install" });
    expect(installHook(ctx())).toMatchObject({ action: "installed", movedForeignHook: true, chained: true, replacedChained: "identical" });
    expect(readFileSync(join(hooks, CHAINED_HOOK), "utf8")).toBe(dispatcher);
    expect(readFileSync(join(hooks, "pre-commit")).equals(SCRIPT)).toBe(true);

    const newer = '#!/usr/bin/env sh\n. "$(dirname "$0")/husky.sh"\n';
    writeFileSync(join(hooks, "pre-commit"), newer, { mode: 0o755 });
    const status = hookStatus(ctx(repo, stubEnv(0)));
    expect(status).toMatchObject({ state: "foreign", fix: "git vault hooks install --force" });
    expect(status.problems.join("\n")).toContain(`${join(hooks, CHAINED_HOOK)}, the hook chained by an earlier install, differs`);
    expect(caught(() => installHook(ctx())).code).toBe("hook-conflict");
    expect(readFileSync(join(hooks, "pre-commit"), "utf8")).toBe(newer);
    expect(installHook(ctx(), { force: true })).toMatchObject({ action: "installed", movedForeignHook: true, replacedChained: "forced" });
    expect(readFileSync(join(hooks, CHAINED_HOOK), "utf8")).toBe(newer);
    expect(statSync(join(hooks, CHAINED_HOOK)).mode & 0o777).toBe(0o755);
    expect(hookStatus(ctx(repo, stubEnv(0)))).toMatchObject({ state: "installed", willRun: true, fix: null, problems: [] });
  });

  it("treats a chained copy of the guard itself as nobody's hook: install removes it, a foreign hook moves over it", () => {
    const hooks = join(repo, ".git", "hooks");
    installHook(ctx());
    writeFileSync(join(hooks, CHAINED_HOOK), SCRIPT, { mode: 0o755 });
    const status = hookStatus(ctx(repo, stubEnv(0)));
    expect(status).toMatchObject({ state: "installed", fix: "git vault hooks install" });
    expect(status.problems.join("\n")).toContain("a copy of git-vault's guard");
    expect(installHook(ctx())).toMatchObject({ action: "unchanged", chained: false, replacedChained: "guard-copy" });
    expect(existsSync(join(hooks, CHAINED_HOOK))).toBe(false);

    writeFileSync(join(hooks, CHAINED_HOOK), SCRIPT, { mode: 0o755 });
    writeFileSync(join(hooks, "pre-commit"), "#!/bin/sh\necho mine\n", { mode: 0o755 });
    expect(installHook(ctx())).toMatchObject({ movedForeignHook: true, replacedChained: "guard-copy" });
    expect(readFileSync(join(hooks, CHAINED_HOOK), "utf8")).toBe("#!/bin/sh\necho mine\n");

    // uninstall deletes such a copy rather than putting it back as pre-commit.
    uninstallHook(ctx());
    writeFileSync(join(hooks, "pre-commit"), SCRIPT, { mode: 0o755 });
    writeFileSync(join(hooks, CHAINED_HOOK), SCRIPT, { mode: 0o755 });
    expect(uninstallHook(ctx())).toMatchObject({ action: "removed", restoredChained: false });
    expect(readdirSync(hooks).filter((name) => name.startsWith("pre-commit") && !name.endsWith(".sample"))).toEqual([]);
  });

  it("does not write into a hooks directory shared through global core.hooksPath unless forced", () => {
    const shared = sb.dir("shared-hooks");
    sb.git(repo, "config", "--global", "core.hooksPath", shared);
    const error = caught(() => installHook(ctx()));
    expect(error.code).toBe("hooks-path-shared");
    expect(readdirSync(shared)).toEqual([]);
    expect(installHook(ctx(), { force: true }).hookPath).toBe(join(shared, "pre-commit"));
  });

  it("leaves a hook that replaced ours (e.g. regenerated by husky) and the chained copy alone", () => {
    const hooks = join(repo, ".git", "hooks");
    writeFileSync(join(hooks, "pre-commit"), "#!/bin/sh\necho old\n", { mode: 0o755 });
    installHook(ctx());
    writeFileSync(join(hooks, "pre-commit"), "#!/bin/sh\necho new\n");
    expect(uninstallHook(ctx())).toMatchObject({ action: "foreign", restoredChained: false });
    expect(readFileSync(join(hooks, "pre-commit"), "utf8")).toBe("#!/bin/sh\necho new\n");
    expect(existsSync(join(hooks, CHAINED_HOOK))).toBe(true);
  });
});

describe("hookStatus", () => {
  it("reports not installed, foreign, installed, outdated and not executable", () => {
    const hooks = join(repo, ".git", "hooks");
    const withStub = ctx(repo, stubEnv(0));
    expect(hookStatus(withStub)).toMatchObject({ hooksDir: hooks, hooksPath: null, state: "not-installed", willRun: false });

    writeFileSync(join(hooks, "pre-commit"), "#!/bin/sh\n", { mode: 0o755 });
    expect(hookStatus(withStub)).toMatchObject({ state: "foreign", executable: true, willRun: false });

    installHook(ctx());
    expect(hookStatus(withStub)).toMatchObject({ state: "installed", chained: true, executable: true, gitVaultOnPath: true, willRun: true, problems: [] });

    const missing = hookStatus(ctx(repo, bareEnv()));
    expect(missing).toMatchObject({ gitVaultOnPath: false, willRun: false });
    expect(missing.problems.join("\n")).toContain("not on PATH");

    chmodSync(join(hooks, "pre-commit"), 0o644);
    const notExecutable = hookStatus(withStub);
    expect(notExecutable).toMatchObject({ state: "installed", executable: false, willRun: false });
    expect(notExecutable.problems.join("\n")).toContain("not executable");
    expect(installHook(ctx()).action).toBe("updated");

    writeFileSync(join(hooks, "pre-commit"), Buffer.concat([SCRIPT, Buffer.from("# edited\n")]));
    expect(hookStatus(withStub).state).toBe("outdated");
  });

  it("says where core.hooksPath comes from", () => {
    sb.git(repo, "config", "core.hooksPath", ".husky/_");
    installHook(ctx());
    expect(hookStatus(ctx(repo, stubEnv(0)))).toMatchObject({
      hooksDir: join(repo, ".husky", "_"),
      hooksPath: { value: ".husky/_", scope: "local" },
      state: "installed",
      willRun: true,
    });
  });

  it("reports hooks disabled by core.hooksPath=/dev/null", () => {
    sb.git(repo, "config", "core.hooksPath", "/dev/null");
    const status = hookStatus(ctx(repo, stubEnv(0)));
    expect(status).toMatchObject({ hooksDir: "/dev/null", state: "not-installed", willRun: false });
    expect(status.problems.join("\n")).toContain("hooks are disabled");
    expect(caught(() => installHook(ctx())).code).toBe("hooks-dir-invalid");
  });
});

describe("manualInstructions / shipped files", () => {
  it("prints the exact config lines and the hook steps", () => {
    const text = manualInstructions({ scope: "local", scriptPath: "/opt/git-vault/hooks/pre-commit" });
    for (const [key, value] of DRIVER_CONFIG) expect(text).toContain(`git config ${key} '${value}'`);
    expect(text).toContain("git config merge.git-vault.driver 'git-vault merge-driver %O %A %B %P'");
    expect(text).toContain(`cp '/opt/git-vault/hooks/pre-commit' "$hook" && chmod 755 "$hook"`);
    expect(text).toContain(`chained="$hooks/${CHAINED_HOOK}"`);
    expect(text).not.toMatch(/^git config .*cachetextconv/m);
  });

  it("finds the shipped hook from source and from a dist/ bundle", () => {
    expect(shippedHookPath()).toBe(join(projectRoot, "hooks", "pre-commit"));
    expect(shippedHookPath(join(projectRoot, "dist", "bin.js"))).toBe(join(projectRoot, "hooks", "pre-commit"));
    expect(SCRIPT.toString()).toMatch(/^#!\/bin\/sh\n# git-vault-managed-hook:/);
    expect(statSync(shippedHookPath()).mode & 0o111).not.toBe(0);
  });

  it("ships a pre-commit framework hook that runs on env files", () => {
    const manifest = readFileSync(join(projectRoot, ".pre-commit-hooks.yaml"), "utf8");
    expect(manifest).toContain("- id: git-vault-check\n");
    expect(manifest).toContain("  entry: git-vault check --staged\n");
    expect(manifest).toContain("  language: system\n");
    expect(manifest).toContain("  pass_filenames: false\n");
    const files = new RegExp(/^ {2}files: (.*)$/m.exec(manifest)?.[1] ?? "^$");
    for (const path of [".env", ".env.dev", "vault/.env.prod"]) expect(files.test(path)).toBe(true);
    for (const path of ["env.txt", ".envrc", "src/x.env.ts/y", ".env.d/x"]) expect(files.test(path)).toBe(false);
  });
});
