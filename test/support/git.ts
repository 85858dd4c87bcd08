// Helpers for the e2e files that drive git itself: git runs whose failure is
// the point, `git vault …` through the shim on PATH, and the usual host set-ups.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";
import type { RunResult, Sandbox } from "./sandbox.js";

/** git without throwing, for commands whose failure is the point. */
export function gitRun(sb: Sandbox, cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync("git", args, { cwd, env: { ...sb.env, ...env }, input: "", encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * git with a time limit, for runs that must not hang (a hook that chains to
 * itself): `timedOut` is true when git had to be killed.
 */
export function gitRunWithin(sb: Sandbox, cwd: string, args: string[], seconds: number): RunResult & { readonly timedOut: boolean } {
  const r = spawnSync("git", args, { cwd, env: sb.env, input: "", encoding: "utf8", timeout: seconds * 1000, killSignal: "SIGKILL" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.signal === "SIGKILL" };
}

/** `git vault ARGS` through git (the shim on PATH), failing with git-vault's stderr. */
export function gitVault(sb: Sandbox, cwd: string, ...args: string[]): RunResult {
  const r = gitRun(sb, cwd, ["vault", ...args]);
  expect(r.status, `git vault ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
}

/** A repository `name` with one empty commit ("initial"). */
export function hostWithCommit(sb: Sandbox, name: string): string {
  const host = sb.repo(name);
  sb.git(host, "commit", "-q", "--allow-empty", "-m", "initial");
  return host;
}

/**
 * A host repo ("host" unless named) whose vault is a submodule on a bare
 * remote ("secrets.git" unless named), made by `git vault init`; throws if init fails.
 */
export function makeVaultHost(sb: Sandbox, names: { host?: string; remote?: string } = {}): { remote: string; host: string; vault: string } {
  const remote = sb.repo(names.remote ?? "secrets.git", { bare: true });
  const host = hostWithCommit(sb, names.host ?? "host");
  const init = sb.vault(host, ["init", "--submodule-url", remote]);
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  return { remote, host, vault: join(host, "vault") };
}
