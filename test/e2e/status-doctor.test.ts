// status and doctor against real git: a vault submodule from a local bare repo.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVaultHost } from "../support/git.js";
import { type Sandbox, makeSandbox, repoRoot } from "../support/sandbox.js";

let sb: Sandbox;
let host: string;

beforeAll(() => {
  sb = makeSandbox();
  const remote = sb.repo("secrets.git", { bare: true });
  host = sb.repo("host");
  sb.git(host, "commit", "--allow-empty", "-qm", "root");
  const init = sb.vault(host, ["init", "--submodule-url", remote, "--ignore-dirty"]);
  expect(init.status, init.stderr).toBe(0);
  sb.git(host, "commit", "-qm", "Add vault");
  expect(sb.vault(host, ["set", "API_TOKEN", "t0ken-value"]).status).toBe(0);
});
afterAll(() => sb.cleanup());

describe("status", () => {
  it("reports a dirty vault while the host's git status is clean under ignore = dirty", () => {
    expect(sb.git(host, "status", "--porcelain")).toBe("");
    const r = sb.vault(host, ["status", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { mode: string; dirty: string[]; hiddenFromHostStatus: boolean; ignoreSetting: string; branch: string; envFiles: { file: string; keys: number }[] };
    expect(s.mode).toBe("submodule");
    expect(s.dirty).toEqual([" M .env.dev"]);
    expect(s.hiddenFromHostStatus).toBe(true);
    expect(s.ignoreSetting).toBe("dirty");
    expect(s.branch).toBe("main");
    expect(s.envFiles).toEqual([expect.objectContaining({ file: "vault/.env.dev", keys: 1 })]);
    const text = sb.vault(host, ["status"]).stdout;
    expect(text).toMatch(/dirty: +1 path \(hidden from the host's git status by ignore = dirty\)/);
  });

  it("counts unpushed vault commits and shows pinned vs checked-out", () => {
    const vault = join(host, "vault");
    sb.git(vault, "commit", "-qam", "token");
    const s = JSON.parse(sb.vault(host, ["status", "--json"]).stdout) as { unpushed: number; pinned: string; checkedOut: string };
    expect(s.unpushed).toBe(1);
    expect(s.pinned).not.toBe(s.checkedOut);
    expect(sb.vault(host, ["status"]).stdout).toContain("(the vault is ahead: commit the submodule in the host repo: git add vault)");
    sb.git(vault, "push", "-q");
    expect((JSON.parse(sb.vault(host, ["status", "--json"]).stdout) as { unpushed: number }).unpushed).toBe(0);
  });
});

describe("status and doctor on a vault branch with no upstream, pinned by the host", () => {
  it("count commits on no remote, say which way the pin differs, and doctor flags a pin nobody can fetch", () => {
    const { host: wipHost, vault } = makeVaultHost(sb, { host: "wip-host", remote: "wip-secrets.git" });
    sb.git(wipHost, "commit", "-qm", "Add vault");
    const pushedPin = sb.git(vault, "rev-parse", "HEAD").trim();
    sb.git(vault, "switch", "-q", "-c", "wip");
    expect(sb.vault(wipHost, ["set", "WIP_KEY", "wip-value"]).status).toBe(0);
    sb.git(vault, "commit", "-qam", "wip");

    const wip = JSON.parse(sb.vault(wipHost, ["status", "--json"]).stdout) as { upstream: string | null; unpushed: number; pinRelation: string };
    expect(wip).toMatchObject({ upstream: null, unpushed: 1, pinRelation: "vault-ahead" });
    expect(sb.vault(wipHost, ["status"]).stdout).toMatch(/unpushed: +1 commit on no remote \(run `git -C vault push -u origin wip`\)/);

    sb.git(wipHost, "add", "vault");
    sb.git(wipHost, "commit", "-qm", "pin the wip commit");
    const doctor = sb.vault(wipHost, ["doctor", "--json"]);
    expect(doctor.status).toBe(1);
    const problems = (JSON.parse(doctor.stdout) as { problems: { id: string }[] }).problems.map((p) => p.id);
    expect(problems).toContain("pin-unpushed");

    // The host moves on while the vault is checked out at an older commit.
    sb.git(vault, "checkout", "-q", pushedPin);
    sb.git(vault, "switch", "-q", "-c", "older");
    expect((JSON.parse(sb.vault(wipHost, ["status", "--json"]).stdout) as { pinRelation: string }).pinRelation).toBe("pin-ahead");
    expect(sb.vault(wipHost, ["status"]).stdout).toContain("(the host pins a newer commit: update the vault: git -C vault merge --ff-only ");

    sb.git(vault, "push", "-q", "origin", "wip");
    expect(sb.vault(wipHost, ["doctor", "--json"]).stdout).not.toContain("pin-unpushed");
  });
});

describe("doctor", () => {
  it("is clean on a fresh set-up", () => {
    sb.git(host, "add", "vault");
    sb.git(host, "commit", "-qm", "bump vault");
    const r = sb.vault(host, ["doctor"]);
    expect(r.stdout).toContain("no problems found");
    expect(r.status).toBe(0);
  });

  it("flags a planted textconv cache and a group-readable identity, and --fix deletes the cache", () => {
    const vault = join(host, "vault");
    sb.git(vault, "notes", "--ref", "textconv/git-vault", "add", "-m", "API_TOKEN=t0ken-value", "HEAD");
    const identity = join(sb.home, ".config", "git-vault", "identity");
    chmodSync(identity, 0o640);
    try {
      const r = sb.vault(host, ["doctor"]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("refs/notes/textconv/git-vault exists");
      expect(r.stdout).toMatch(/identity is accessible by group or others \(mode 0640\)/);
      expect(r.stdout).toContain(`chmod 600 ${identity}`);
      const json = JSON.parse(sb.vault(host, ["doctor", "--json"]).stdout) as { problems: { id: string; repairable: boolean }[] };
      expect(json.problems).toContainEqual({ id: "textconv-cache-notes", message: expect.any(String) as string, fix: expect.any(String) as string, repairable: true });
      const noteBlob = sb.git(vault, "notes", "--ref", "textconv/git-vault", "list", "HEAD").trim();
      expect(sb.git(vault, "cat-file", "-p", noteBlob)).toContain("t0ken-value");
      const fixed = sb.vault(host, ["doctor", "--fix"]);
      expect(fixed.stderr).toContain("repaired: textconv-cache-notes");
      expect(sb.git(vault, "for-each-ref", "refs/notes/textconv")).toBe("");
      // The decrypted text is gone from .git too, not only the ref to it.
      expect(spawnSync("git", ["cat-file", "-e", noteBlob], { cwd: vault, env: sb.env }).status).not.toBe(0);
    } finally {
      chmodSync(identity, 0o600);
    }
    expect(sb.vault(host, ["doctor"]).status).toBe(0);
  });

  it("flags cachetextconv, an inactive hook and an insecure DOCKER_HOST", () => {
    const vault = join(host, "vault");
    sb.git(vault, "config", "diff.git-vault.cachetextconv", "true");
    chmodSync(join(sb.git(vault, "rev-parse", "--git-path", "hooks").trim().replace(/^(?!\/)/, `${vault}/`), "pre-commit"), 0o644);
    const r = sb.vault(host, ["doctor"], { env: { DOCKER_HOST: "tcp://10.0.0.5:2375" } });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("cachetextconv is on");
    expect(r.stdout).toContain("pre-commit guard will not run");
    expect(r.stdout).toContain("DOCKER_HOST=tcp://10.0.0.5:2375 without TLS verification");
    sb.vault(host, ["doctor", "--fix"]);
    expect(sb.git(vault, "config", "--list")).not.toContain("cachetextconv");
  });

  it("reports an env file left with an unresolved merge conflict, as the commands that refuse it do", () => {
    const vault = join(host, "vault");
    const dev = readFileSync(join(vault, ".env.dev"), "utf8");
    const token = /^API_TOKEN=.*$/m.exec(dev)?.[0] as string;
    const conflicted = join(vault, ".env.merging");
    // What git leaves when the merge driver reports a conflict on API_TOKEN.
    writeFileSync(conflicted, dev.replace(token, `<<<<<<< ours\n${token}\n=======\n${token}\n>>>>>>> theirs`));
    try {
      const line = readFileSync(conflicted, "utf8").split("\n").indexOf("<<<<<<< ours") + 1;
      const status = sb.vault(host, ["status"]);
      expect(status.stdout).toMatch(new RegExp(`vault/\\.env\\.merging .*unresolved merge conflict at line ${line}`));
      const json = JSON.parse(sb.vault(host, ["status", "--json"]).stdout) as { envFiles: { file: string; conflictLines: number[] }[] };
      expect(json.envFiles.find((f) => f.file === "vault/.env.merging")?.conflictLines).toEqual([line, line + 2, line + 4]);
      const doctor = sb.vault(host, ["doctor"]);
      expect(doctor.status).toBe(1);
      expect(doctor.stdout).toContain(`problem: vault/.env.merging:${line}: unresolved merge conflict (every command that reads the file refuses it)\n    fix: resolve it: git vault textconv vault/.env.merging shows both sides in plaintext`);
      expect(doctor.stdout).not.toContain(".env.merging: not in canonical style");
      const list = sb.vault(host, ["list", "--env", "merging"]);
      expect(list.status).toBe(1);
      expect(list.stderr).toContain(`hint: resolve it: \`git vault textconv vault/.env.merging\` shows both sides in plaintext`);
    } finally {
      rmSync(conflicted);
    }
  });

  it("repairs cachetextconv from a subfolder of a folder vault's repository (git names .git/config from the top)", () => {
    const plain = sb.repo("folder-host");
    sb.git(plain, "commit", "--allow-empty", "-qm", "root");
    expect(sb.vault(plain, ["init", "--no-submodule"]).status).toBe(0);
    sb.git(plain, "config", "diff.git-vault.cachetextconv", "true");
    const sub = join(plain, "src", "deep");
    mkdirSync(sub, { recursive: true });
    const shown = sb.vault(sub, ["doctor"]);
    expect(shown.stdout).toContain(`fix: git config --file ${join(plain, ".git", "config")} --unset-all diff.git-vault.cachetextconv`);
    const fixed = sb.vault(sub, ["doctor", "--fix"]);
    expect(fixed.stderr).toContain("repaired: textconv-cache-enabled");
    expect(sb.git(plain, "config", "--list")).not.toContain("cachetextconv");
  });

  it("names the global config file that turns cachetextconv on, and does not claim to repair what it leaves alone", () => {
    const vault = join(host, "vault");
    const globalFile = sb.env["GIT_CONFIG_GLOBAL"] as string;
    sb.git(vault, "config", "--global", "diff.git-vault.cachetextconv", "yes");
    try {
      const r = sb.vault(host, ["doctor"]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`diff.git-vault.cachetextconv is on (global ${globalFile})`);
      expect(r.stdout).toContain(`fix: git config --file ${globalFile} --unset-all diff.git-vault.cachetextconv`);
      const json = JSON.parse(sb.vault(host, ["doctor", "--json"]).stdout) as { problems: { id: string; repairable: boolean }[] };
      expect(json.problems.filter((p) => p.id === "textconv-cache-enabled").map((p) => p.repairable)).toEqual([false]);
      const fix = sb.vault(host, ["doctor", "--fix"]);
      expect(fix.status).toBe(1);
      expect(fix.stderr).not.toContain("repaired");
      expect(readFileSync(globalFile, "utf8")).toContain("cachetextconv");
      // The fix as printed works.
      expect(spawnSync("git", ["config", "--file", globalFile, "--unset-all", "diff.git-vault.cachetextconv"], { env: sb.env }).status).toBe(0);
      expect(sb.vault(host, ["doctor"]).stdout).not.toContain("cachetextconv");
    } finally {
      spawnSync("git", ["config", "--file", globalFile, "--unset-all", "diff.git-vault.cachetextconv"], { env: sb.env });
    }
  });

  it("flags a textconv client that is not on PATH (git diff would fail), and its fix makes git log -p work", () => {
    const vault = join(host, "vault");
    expect(sb.git(vault, "config", "diff.git-vault.textconv").trim()).toBe("git-vault-textconv");
    // PATH without the sandbox's bin folder: git and node are there, the client and git-vault are not.
    const bare = process.env.PATH ?? "/usr/bin:/bin";
    const logP = (path: string) => spawnSync("git", ["log", "-p", "-1", "--", ".env.dev"], { cwd: vault, env: { ...sb.env, PATH: path }, encoding: "utf8" });
    expect(logP(bare).status).not.toBe(0);

    const r = sb.vault(host, ["doctor", "--json"], { env: { PATH: bare } });
    expect(r.status).toBe(1);
    const problem = (JSON.parse(r.stdout) as { problems: { id: string; message: string; fix: string }[] }).problems.find((p) => p.id === "textconv-program-missing");
    expect(problem?.message).toBe("vault repo: diff.git-vault.textconv runs git-vault-textconv, which is not on PATH: git diff and git log -p of an env file fail");
    const shipped = join(repoRoot, "dist", "git-vault-textconv");
    expect(problem?.fix).toContain(`ln -s ${shipped} DIR-ON-PATH/git-vault-textconv`);
    expect(problem?.fix).toContain("config diff.git-vault.textconv 'git-vault textconv'");

    // The fix: the shipped client in a folder on PATH; without an agent it needs git-vault there too.
    const onPath = sb.dir("doctor-path");
    symlinkSync(shipped, join(onPath, "git-vault-textconv"));
    const fixed = `${onPath}:${bare}`;
    const noFallback = JSON.parse(sb.vault(host, ["doctor", "--json"], { env: { PATH: fixed } }).stdout) as { problems: { id: string; message: string }[] };
    expect(noFallback.problems.find((p) => p.id === "textconv-program-missing")?.message).toContain("git-vault-textconv falls back to git-vault when no agent answers, and git-vault is not on PATH");
    expect(logP(fixed).status).not.toBe(0);
    symlinkSync(join(sb.root, "bin", "git-vault"), join(onPath, "git-vault"));
    expect(sb.vault(host, ["doctor", "--json"], { env: { PATH: fixed } }).stdout).not.toContain("textconv-program-missing");
    expect(logP(fixed).stdout).toContain("+API_TOKEN=t0ken-value");
    expect(sb.vault(host, ["doctor", "--json"]).stdout).not.toContain("textconv-program-missing");
  });

  it("flags an identity that is not valid age, and a device that is no recipient of an env file", () => {
    const broken = join(sb.dir("doctor-keys"), "cut.key");
    const key = /^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(join(sb.env["XDG_CONFIG_HOME"] as string, "git-vault", "identity"), "utf8"))?.[0] as string;
    writeFileSync(broken, `${key.slice(0, 40)}\n`, { mode: 0o600 });
    const invalid = sb.vault(host, ["doctor", "--json", "--identity-file", broken]);
    expect(invalid.status).toBe(1);
    const ids = (JSON.parse(invalid.stdout) as { problems: { id: string; message: string }[] }).problems;
    expect(ids).toContainEqual(expect.objectContaining({ id: "identity-invalid", message: `--identity-file ${broken}: not a valid age identity` }));

    const stranger = sb.dir("doctor-stranger");
    expect(sb.vault(host, ["keygen"], { env: { XDG_CONFIG_HOME: stranger } }).status).toBe(0);
    const strangerRecipient = sb.vault(host, ["keys", "show"], { env: { XDG_CONFIG_HOME: stranger } }).stdout.trim();
    const notMine = sb.vault(host, ["doctor"], { env: { XDG_CONFIG_HOME: stranger } });
    expect(notMine.status).toBe(1);
    expect(notMine.stdout).toContain(`problem: vault/.env.dev: this device is not a recipient, so it cannot read the values (its recipient: ${strangerRecipient})`);
    expect(notMine.stdout).toContain(`fix: ask a recipient to run: git vault recipients add ${strangerRecipient} --reencrypt`);
    expect(sb.vault(host, ["doctor"]).stdout).not.toContain("not a recipient");
    expect(invalid.stdout + notMine.stdout + notMine.stderr).not.toContain(key.slice(16));
  });
});

describe("a clone whose vault submodule is not checked out", () => {
  // The empty vault/ of a clone made without --recurse-submodules lies in the
  // host's work tree: git run there answers for the host, never for the vault.
  let clone: string;
  beforeAll(() => {
    clone = join(sb.root, "clone-no-vault");
    sb.git(sb.root, "clone", "-q", host, clone);
  });

  it("status shows it as not checked out, with no vault commit, branch, upstream or dirt", () => {
    const r = sb.vault(clone, ["status", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({ mode: "submodule", submoduleState: "uninitialized", vaultRepo: false, checkedOut: null, originUrl: null, branch: null, upstream: null, unpushed: null, dirty: [] });
    expect(s["pinned"]).toBe(sb.git(clone, "rev-parse", "HEAD:vault").trim());
    const text = sb.vault(clone, ["status"]).stdout;
    expect(text).toMatch(/^pinned: +[0-9a-f]{12} +not checked out \(run `git vault init`\)$/m);
    expect(text).not.toMatch(/^(branch|unpushed|dirty):/m);
    expect(text).not.toContain("origin/main");
  });

  it("doctor reports it with the fix and checks nothing of the host in its place", () => {
    const r = sb.vault(clone, ["doctor", "--json"]);
    expect(r.status).toBe(1);
    const { problems } = JSON.parse(r.stdout) as { problems: { id: string; message: string; fix: string }[] };
    expect(problems.filter((p) => p.id !== "no-identity")).toEqual([
      { id: "vault-uninitialized", message: "the vault submodule is not checked out at vault", fix: "git vault init (or git submodule update --init -- vault)", repairable: false },
    ]);
    const text = sb.vault(clone, ["doctor"]).stdout;
    expect(text).toContain("problem: the vault submodule is not checked out at vault\n    fix: git vault init (or git submodule update --init -- vault)\n");
    expect(text).not.toContain("vault repo:");
  });
});
