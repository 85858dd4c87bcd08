// The pre-commit guard under real git: a staged plaintext value in a vault env
// file stops the commit with file:line:key (never the value); the check reads
// the staged blob, not the working tree; it honours core.hooksPath (husky)
// and chains a pre-existing hook instead of clobbering it.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { gitRunWithin, hostWithCommit, makeVaultHost } from "../support/git.js";
import { type Sandbox, makeSandbox, repoRoot } from "../support/sandbox.js";

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function gitRun(sb: Sandbox, cwd: string, args: string[]): Run {
  const r = spawnSync("git", args, { cwd, env: sb.env, input: "", encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Appends `KEY=value` to an env file and returns its 1-based line number. */
function appendPlain(file: string, key: string, value: string): number {
  const text = readFileSync(file, "utf8");
  appendFileSync(file, `${text.endsWith("\n") ? "" : "\n"}${key}=${value}\n`);
  return readFileSync(file, "utf8").split("\n").length - 1;
}

const CHAINED = "pre-commit.git-vault-chained";

function head(sb: Sandbox, repo: string): string {
  return sb.git(repo, "rev-parse", "HEAD").trim();
}

describe("the pre-commit guard in the vault submodule", () => {
  let sb: Sandbox;
  let host: string;
  let vault: string;
  let envFile: string;

  beforeAll(() => {
    sb = makeSandbox();
    ({ host, vault } = makeVaultHost(sb));
    envFile = join(vault, ".env.dev");
    const set = sb.vault(host, ["set", "API_KEY", "--stdin"], { input: "committed-api-key" });
    if (set.status !== 0) throw new Error(`set failed: ${set.stderr}`);
    sb.git(vault, "commit", "-q", "-am", "API_KEY");
  });
  afterEach(() => {
    sb.git(vault, "reset", "-q", "--hard");
  });
  afterAll(() => sb.cleanup());

  it("refuses a decrypted copy under any .env.* name: an editor backup, odd characters, a .lock suffix", () => {
    const decrypted = sb.vault(vault, ["decrypt"]);
    expect(decrypted.status, decrypted.stderr).toBe(0);
    expect(decrypted.stdout).toContain("API_KEY=committed-api-key");
    for (const name of [".env.dev~", ".env.dev#", ".env.we ird", ".env.é", ".env.prod.lock"]) {
      writeFileSync(join(vault, name), decrypted.stdout);
      sb.git(vault, "add", "--", name);
      const before = head(sb, vault);
      const refused = gitRun(sb, vault, ["commit", "-m", `backup ${name}`]);
      expect(refused.status, name).not.toBe(0);
      expect(refused.output, name).toContain(`${name}:`);
      expect(refused.output).not.toContain("committed-api-key");
      expect(head(sb, vault)).toBe(before);
      sb.git(vault, "rm", "-q", "--cached", "--", name);
    }
    // verify and check --all look at the same files in the working tree.
    const verify = sb.vault(vault, ["verify", "--vault-dir", "."]);
    expect(verify.status).toBe(1);
    for (const name of [".env.dev~", ".env.dev#", ".env.we ird", ".env.é", ".env.prod.lock"]) expect(verify.stdout).toContain(`${name}:`);
    const all = sb.vault(vault, ["check", "--all", "--vault-dir", "."]);
    expect(all.status).toBe(1);
    expect(all.stdout).toContain(".env.dev~:");
    expect(verify.stdout + verify.stderr + all.stdout + all.stderr).not.toContain("committed-api-key");
    for (const name of [".env.dev~", ".env.dev#", ".env.we ird", ".env.é", ".env.prod.lock"]) rmSync(join(vault, name));
  });

  it("refuses a commit staging a plaintext value with file:line:key, and accepts it after encrypt + add", () => {
    const line = appendPlain(envFile, "PLAIN", "plain-text-secret-1");
    sb.git(vault, "add", ".env.dev");
    const before = head(sb, vault);

    const refused = gitRun(sb, vault, ["commit", "-m", "plaintext"]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain(`.env.dev:${line}:PLAIN`);
    expect(refused.output).not.toContain("plain-text-secret-1");
    expect(head(sb, vault)).toBe(before);
    // docs/git-integration.md shows this refusal: its summary line is the real one.
    const summary = "1 problem: encrypt plaintext with `git vault encrypt`, then stage the file again";
    expect(refused.output).toContain(`${summary}\n`);
    const docs = readFileSync(join(repoRoot, "docs", "git-integration.md"), "utf8");
    expect(/\$ git commit -m leak\n[^\n]+\n([^\n]+)\n```/.exec(docs)?.[1]).toBe(summary);

    const enc = sb.vault(vault, ["encrypt"]);
    expect(enc.status, enc.stderr).toBe(0);
    sb.git(vault, "add", ".env.dev");
    const ok = gitRun(sb, vault, ["commit", "-m", "encrypted"]);
    expect(ok.status, ok.output).toBe(0);
    expect(head(sb, vault)).not.toBe(before);
    expect(sb.git(vault, "show", "HEAD:.env.dev")).toMatch(/^PLAIN=encrypted:gv1:/m);
    expect(sb.vault(vault, ["get", "PLAIN", "--reveal"]).stdout).toBe("plain-text-secret-1\n");
  });

  it("checks the staged blob: plaintext staged, then encrypted only on disk, is still refused", () => {
    const line = appendPlain(envFile, "STAGED", "staged-plain-secret");
    sb.git(vault, "add", ".env.dev");
    expect(sb.vault(vault, ["encrypt"]).status).toBe(0);
    expect(readFileSync(envFile, "utf8")).not.toContain("staged-plain-secret"); // the working tree is clean

    const before = head(sb, vault);
    const refused = gitRun(sb, vault, ["commit", "-m", "staged plaintext"]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain(`.env.dev:${line}:STAGED`);
    expect(head(sb, vault)).toBe(before);

    // The reverse: encrypted staged, plaintext only on disk, passes.
    sb.git(vault, "add", ".env.dev");
    appendPlain(envFile, "UNSTAGED", "unstaged-plain-secret");
    const ok = gitRun(sb, vault, ["commit", "-m", "staged encrypted"]);
    expect(ok.status, ok.output).toBe(0);
    expect(sb.git(vault, "show", "HEAD:.env.dev")).not.toContain("UNSTAGED");
  });

  it("guards `git commit -a` and `git commit PATH`, whose index is a temporary one", () => {
    const line = appendPlain(envFile, "DASH_A", "dash-a-plain-secret");
    const before = head(sb, vault);
    const all = gitRun(sb, vault, ["commit", "-a", "-m", "commit -a"]);
    expect(all.status).not.toBe(0);
    expect(all.output).toContain(`.env.dev:${line}:DASH_A`);
    const only = gitRun(sb, vault, ["commit", "-m", "commit path", "--", ".env.dev"]);
    expect(only.status).not.toBe(0);
    expect(only.output).toContain(`.env.dev:${line}:DASH_A`);
    expect(head(sb, vault)).toBe(before);
  });

  it("refuses a plaintext value in a new env file of the vault without a header", () => {
    writeFileSync(join(vault, ".env.staging"), "# no header\nNEW_PLAIN=new-file-plain-secret\n");
    sb.git(vault, "add", ".env.staging");
    const refused = gitRun(sb, vault, ["commit", "-m", "new env file"]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain(".env.staging:2:NEW_PLAIN");
    sb.git(vault, "rm", "-q", "--cached", ".env.staging");
    sb.git(vault, "clean", "-qf");
  });

  it("in the host, refuses a decrypted copy of the env file (`git vault decrypt > .env`)", () => {
    const out = sb.vault(host, ["decrypt"]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain("API_KEY=committed-api-key");
    writeFileSync(join(host, ".env"), out.stdout);
    sb.git(host, "add", ".env");
    const before = head(sb, host);
    const refused = gitRun(sb, host, ["commit", "-m", "oops"]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/^\.env:\d+:API_KEY/m);
    expect(refused.output).not.toContain("committed-api-key");
    expect(head(sb, host)).toBe(before);
    sb.git(host, "rm", "-q", "--cached", ".env");
  });

  it("`git vault hooks status` reports the guard installed where git runs it", () => {
    const r = gitRun(sb, vault, ["vault", "hooks", "status"]);
    expect(r.status, r.output).toBe(0);
    const hooksDir = sb.git(vault, "rev-parse", "--path-format=absolute", "--git-path", "hooks").trim();
    expect(r.output).toMatch(new RegExp(`^installed\\t${hooksDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
    expect(statSync(join(hooksDir, "pre-commit")).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(hooksDir, "pre-commit"), "utf8")).toContain("git-vault check --staged");
    const json = gitRun(sb, vault, ["vault", "hooks", "status", "--json"]);
    expect(JSON.parse(json.output)).toMatchObject({ state: "installed", willRun: true });
  });
});

describe("the pre-commit guard with husky (core.hooksPath) and existing hooks", () => {
  let sb: Sandbox;

  beforeAll(() => {
    sb = makeSandbox();
  });
  afterAll(() => sb.cleanup());

  it("with core.hooksPath=.husky/_ set before install, the guard lands there and blocks plaintext", () => {
    const repo = hostWithCommit(sb, "husky");
    sb.git(repo, "config", "core.hooksPath", ".husky/_");
    const install = gitRun(sb, repo, ["vault", "install"]);
    expect(install.status, install.output).toBe(0);
    expect(gitRun(sb, repo, ["vault", "init", "--no-submodule"]).status).toBe(0);
    expect(existsSync(join(repo, ".husky", "_", "pre-commit"))).toBe(true);
    expect(existsSync(join(repo, ".git", "hooks", "pre-commit"))).toBe(false);

    const status = gitRun(sb, repo, ["vault", "hooks", "status"]);
    expect(status.status, status.output).toBe(0);
    expect(status.output).toMatch(/^installed\t.*\.husky\/_\t\(core\.hooksPath from local config\)$/m);

    expect(sb.vault(repo, ["set", "OK_KEY", "--stdin"], { input: "husky-encrypted" }).status).toBe(0);
    sb.git(repo, "add", "vault");
    expect(gitRun(sb, repo, ["commit", "-m", "vault"]).status).toBe(0);

    const line = appendPlain(join(repo, "vault", ".env.dev"), "PLAIN", "husky-plain-secret");
    sb.git(repo, "add", "vault");
    const refused = gitRun(sb, repo, ["commit", "-m", "plaintext"]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain(`vault/.env.dev:${line}:PLAIN`);
  });

  it("chains a husky v9 hook (dispatching on basename $0): the user's .husky/pre-commit still runs, plaintext still blocked", () => {
    const repo = hostWithCommit(sb, "husky9");
    const marker = join(sb.root, "husky9-ran");
    mkdirSync(join(repo, ".husky", "_"), { recursive: true });
    // What husky v9 generates: .husky/_/pre-commit sources .husky/_/h, which runs .husky/$(basename $0).
    writeFileSync(join(repo, ".husky", "_", "h"), '#!/usr/bin/env sh\nn=$(basename "$0")\ns=$(dirname "$(dirname "$0")")/$n\n[ ! -f "$s" ] && exit 0\nsh -e "$s" "$@"\n', { mode: 0o755 });
    writeFileSync(join(repo, ".husky", "_", "pre-commit"), '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n', { mode: 0o755 });
    writeFileSync(join(repo, ".husky", "pre-commit"), `echo ran >> "${marker}"\n`);
    sb.git(repo, "config", "core.hooksPath", ".husky/_");
    sb.git(repo, "add", ".husky/pre-commit");
    sb.git(repo, "commit", "-q", "-m", "husky");
    expect(readFileSync(marker, "utf8")).toBe("ran\n"); // the husky setup works on its own

    expect(gitRun(sb, repo, ["vault", "install"]).status).toBe(0);
    expect(gitRun(sb, repo, ["vault", "init", "--no-submodule"]).status).toBe(0);
    expect(existsSync(join(repo, ".husky", "_", "pre-commit.git-vault-chained"))).toBe(true);
    sb.git(repo, "add", "vault");
    const ok = gitRun(sb, repo, ["commit", "-m", "vault"]);
    expect(ok.status, ok.output).toBe(0);
    expect(readFileSync(marker, "utf8")).toBe("ran\nran\n");

    appendPlain(join(repo, "vault", ".env.dev"), "PLAIN", "husky9-plain-secret");
    sb.git(repo, "add", "vault");
    expect(gitRun(sb, repo, ["commit", "-m", "plaintext"]).status).not.toBe(0);
    expect(readFileSync(marker, "utf8")).toBe("ran\nran\nran\n");
  });

  it("keeps an existing pre-commit hook running after install, before the guard", () => {
    const repo = hostWithCommit(sb, "existing");
    const marker = join(sb.root, "existing-ran");
    const hook = join(repo, ".git", "hooks", "pre-commit");
    writeFileSync(hook, `#!/bin/sh\necho "ran $#" >> "${marker}"\n`, { mode: 0o755 });

    expect(gitRun(sb, repo, ["vault", "init", "--no-submodule"]).status).toBe(0);
    const status = gitRun(sb, repo, ["vault", "hooks", "status"]);
    expect(status.status, status.output).toBe(0);
    expect(status.output).toMatch(/^installed\t/m);

    sb.git(repo, "add", "-A");
    const ok = gitRun(sb, repo, ["commit", "-m", "vault"]);
    expect(ok.status, ok.output).toBe(0);
    expect(readFileSync(marker, "utf8")).toBe("ran 0\n");

    // The guard still blocks, after the chained hook ran.
    appendPlain(join(repo, "vault", ".env.dev"), "PLAIN", "existing-plain-secret");
    sb.git(repo, "add", "-A");
    const refused = gitRun(sb, repo, ["commit", "-m", "plaintext"]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain("vault/.env.dev:");
    expect(readFileSync(marker, "utf8")).toBe("ran 0\nran 0\n");
  });

  it("a failing chained hook stops the commit even when the env files are clean", () => {
    const repo = hostWithCommit(sb, "failing");
    const hook = join(repo, ".git", "hooks", "pre-commit");
    writeFileSync(hook, "#!/usr/bin/env bash\necho 'lint failed' >&2\nexit 3\n", { mode: 0o755 });
    expect(gitRun(sb, repo, ["vault", "install"]).status).toBe(0);
    writeFileSync(join(repo, "file.txt"), "x\n");
    sb.git(repo, "add", "file.txt");
    const refused = gitRun(sb, repo, ["commit", "-m", "x"]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain("lint failed");
    expect(gitRun(sb, repo, ["rev-list", "--count", "HEAD"]).output.trim()).toBe("1");
  });
});

describe("a guard that husky regenerated, or a chained copy of the guard itself", () => {
  let sb: Sandbox;

  beforeAll(() => {
    sb = makeSandbox();
  });
  afterAll(() => sb.cleanup());

  const DISPATCHER = '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n';

  /** A host with an untracked husky v9 `.husky/_` (ignored by its own `*`), a vault folder, and the guard chaining husky's dispatcher. */
  function huskyHost(name: string, marker: string): string {
    const repo = hostWithCommit(sb, name);
    mkdirSync(join(repo, ".husky", "_"), { recursive: true });
    writeFileSync(join(repo, ".husky", "_", ".gitignore"), "*\n");
    writeFileSync(join(repo, ".husky", "_", "h"), `#!/usr/bin/env sh\necho husky >> "${marker}"\n`, { mode: 0o755 });
    writeFileSync(join(repo, ".husky", "_", "pre-commit"), DISPATCHER, { mode: 0o755 });
    sb.git(repo, "config", "core.hooksPath", ".husky/_");
    expect(gitRun(sb, repo, ["vault", "init", "--no-submodule"]).status).toBe(0);
    expect(sb.vault(repo, ["set", "OK_KEY", "--stdin"], { input: "husky-encrypted" }).status).toBe(0);
    sb.git(repo, "add", "vault");
    expect(gitRunWithin(sb, repo, ["commit", "-q", "-m", "vault"], 20).status).toBe(0);
    return repo;
  }

  /** Stages a plaintext value and commits (bounded): the guard must refuse it. */
  function expectPlaintextRefused(repo: string, key: string): void {
    const line = appendPlain(join(repo, "vault", ".env.dev"), key, `${key.toLowerCase()}-plain-secret`);
    sb.git(repo, "add", "vault");
    const refused = gitRunWithin(sb, repo, ["commit", "-m", "plaintext"], 20);
    expect(refused.timedOut).toBe(false);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(`vault/.env.dev:${line}:${key}`);
    sb.git(repo, "reset", "-q", "--hard");
  }

  it("husky writing the same dispatcher again: status says `hooks install`, which re-chains it without --force", () => {
    const marker = join(sb.root, "regen-same-ran");
    const repo = huskyHost("regen-same", marker);
    const hooks = join(repo, ".husky", "_");
    writeFileSync(join(hooks, "pre-commit"), DISPATCHER); // husky regenerates .husky/_

    const status = gitRun(sb, repo, ["vault", "hooks", "status"]);
    expect(status.status).toBe(1);
    expect(status.output).toContain("foreign (will not run)");
    expect(status.output).toContain("`git vault hooks install` chains it");
    const install = gitRun(sb, repo, ["vault", "hooks", "install"]);
    expect(install.status, install.output).toBe(0);
    expect(install.output).toContain("(existing hook chained)");
    expect(readFileSync(join(hooks, CHAINED), "utf8")).toBe(DISPATCHER);
    expect(readFileSync(join(hooks, "pre-commit"), "utf8")).toContain("# git-vault-managed-hook:");
    expect(gitRun(sb, repo, ["vault", "hooks", "status"]).status).toBe(0);

    expectPlaintextRefused(repo, "AFTER_REGEN");
    expect(readFileSync(marker, "utf8")).toBe("husky\nhusky\n"); // husky's hook still runs first
  });

  it("husky writing a different hook: install refuses naming both files, --force chains the new one and says it deleted the old copy", () => {
    const marker = join(sb.root, "regen-other-ran");
    const repo = huskyHost("regen-other", marker);
    const hooks = join(repo, ".husky", "_");
    const chainedPath = join(hooks, CHAINED);
    const newer = '#!/usr/bin/env sh\necho newer-husky >> "$(dirname "$0")/../../newer-ran"\n';
    writeFileSync(join(hooks, "pre-commit"), newer);

    const status = gitRun(sb, repo, ["vault", "hooks", "status"]);
    expect(status.status).toBe(1);
    expect(status.output).toContain("`git vault hooks install --force` chains it");
    const refused = gitRun(sb, repo, ["vault", "hooks", "install"]);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain(`and ${chainedPath}, the hook chained by an earlier install, differs from it`);
    expect(refused.output).toContain("`git vault hooks install --force` chains the new pre-commit and deletes the old pre-commit.git-vault-chained");
    expect(readFileSync(join(hooks, "pre-commit"), "utf8")).toBe(newer); // nothing moved
    expect(readFileSync(chainedPath, "utf8")).toBe(DISPATCHER);

    const forced = gitRun(sb, repo, ["vault", "hooks", "install", "--force"]);
    expect(forced.status, forced.output).toBe(0);
    expect(forced.output).toContain(`warning: deleted ${chainedPath}, the hook chained by an earlier install (--force)`);
    expect(readFileSync(chainedPath, "utf8")).toBe(newer);
    expect(statSync(chainedPath).mode & 0o111).not.toBe(0);
    expect(gitRun(sb, repo, ["vault", "hooks", "status"]).status).toBe(0);

    expectPlaintextRefused(repo, "AFTER_FORCE");
    expect(readFileSync(join(repo, "newer-ran"), "utf8")).toBe("newer-husky\n");
  });

  it("a chained copy of the guard itself is skipped with a warning, never run recursively: the commit ends and the check still runs", () => {
    const repo = hostWithCommit(sb, "self-chained");
    expect(gitRun(sb, repo, ["vault", "init", "--no-submodule"]).status).toBe(0);
    const hooks = join(repo, ".git", "hooks");
    // What the old `install --manual` steps left when run twice: the guard in both places.
    writeFileSync(join(hooks, CHAINED), readFileSync(join(hooks, "pre-commit")), { mode: 0o755 });

    sb.git(repo, "add", "vault");
    const ok = gitRunWithin(sb, repo, ["commit", "-m", "vault"], 20);
    expect(ok.timedOut).toBe(false);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`git-vault: skipped ${join(".git", "hooks", CHAINED)}: it is a copy of git-vault's guard, not your hook`);
    expectPlaintextRefused(repo, "SELF");

    const status = gitRun(sb, repo, ["vault", "hooks", "status"]);
    expect(status.output).toContain("is a copy of git-vault's guard, not your hook");
    const install = gitRun(sb, repo, ["vault", "hooks", "install"]);
    expect(install.status, install.output).toBe(0);
    expect(install.output).toContain(`removed ${join(hooks, CHAINED)}: a copy of git-vault's guard`);
    expect(existsSync(join(hooks, CHAINED))).toBe(false);
  });
});
