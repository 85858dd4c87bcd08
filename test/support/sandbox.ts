// One helper makes every test sandbox: a private HOME/XDG tree, a fixed git
// identity and branch, and no system or user git config leaking in.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const binPath = join(repoRoot, "dist", "bin.cjs");

export interface Sandbox {
  /** Root of the sandbox; everything the test creates lives below it. */
  readonly root: string;
  /** HOME of the sandbox user. */
  readonly home: string;
  /** Environment for spawned git / git-vault processes. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs git with argv in cwd; throws on a non-zero exit. Returns stdout. */
  git(cwd: string, ...args: string[]): string;
  /** Runs git-vault (the built dist/bin.cjs) and returns everything about the run. */
  vault(cwd: string, args: string[], options?: RunOptions): RunResult;
  /** Makes a directory below the sandbox root and returns its absolute path. */
  dir(name: string): string;
  /** Creates a git repository (branch main, fixed user) and returns its path. */
  repo(name: string, options?: { bare?: boolean }): string;
  cleanup(): void;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SandboxOptions {
  /**
   * Sets `protocol.file.allow = always` in the sandbox user's global git
   * config, as a user whose vault remotes are local paths would: git then
   * clones a local submodule URL read from `.gitmodules` (which it refuses by
   * default since CVE-2022-39253).
   */
  readonly allowFileTransport?: boolean;
}

/** Makes a fresh sandbox. Call `cleanup()` in afterEach/afterAll. */
export function makeSandbox({ allowFileTransport = false }: SandboxOptions = {}): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "git-vault-test-")));
  const home = join(root, "home");
  mkdirSync(home, { recursive: true });
  const binDir = join(root, "bin");
  mkdirSync(binDir);
  // `git vault …` resolves git-vault on PATH, like an installed copy would.
  writeFileSync(join(binDir, "git-vault"), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`, { mode: 0o755 });
  // The textconv client `git vault install` configures (dist/git-vault-textconv), as an install puts it on PATH.
  symlinkSync(join(repoRoot, "dist", "git-vault-textconv"), join(binDir, "git-vault-textconv"));
  const env: NodeJS.ProcessEnv = {
    PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
    GIT_AUTHOR_NAME: "Test User",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test User",
    GIT_COMMITTER_EMAIL: "test@example.com",
    GIT_TERMINAL_PROMPT: "0",
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    TZ: "UTC",
  };
  const fileTransport = allowFileTransport ? "[protocol \"file\"]\n\tallow = always\n" : "";
  writeFileSync(env.GIT_CONFIG_GLOBAL as string, `[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n${fileTransport}`);

  const run = (cmd: string, args: string[], cwd: string, options: RunOptions = {}): SpawnSyncReturns<string> =>
    spawnSync(cmd, args, {
      cwd,
      env: { ...env, ...options.env },
      input: options.input ?? "",
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });

  return {
    root,
    home,
    env,
    git(cwd, ...args) {
      const r = run("git", args, cwd);
      if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
      return r.stdout;
    },
    vault(cwd, args, options) {
      const r = run(process.execPath, [binPath, ...args], cwd, options);
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    dir(name) {
      const p = join(root, name);
      mkdirSync(p, { recursive: true });
      return p;
    },
    repo(name, options = {}) {
      const p = join(root, name);
      mkdirSync(p, { recursive: true });
      const r = run("git", options.bare ? ["init", "--bare", "-q", "-b", "main"] : ["init", "-q", "-b", "main"], p);
      if (r.status !== 0) throw new Error(r.stderr);
      return p;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
