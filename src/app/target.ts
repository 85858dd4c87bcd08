/**
 * Which env file a command works on. `--file` wins; else `--vault-dir` (or the
 * configured or discovered vault dir) plus `--env` (default `dev`) names
 * `DIR/.env.NAME`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { ENV_NAME_PATTERN } from "../core/dotenv.js";
import { type Config, loadConfig } from "../config/index.js";
import { NotInRepoError, UsageError, VaultError, containsPrivateKey } from "../errors.js";
import { submoduleUrl, tryRepoRoot } from "../git/index.js";
import type { Context } from "./context.js";

/** Options every file-targeting command accepts. */
export interface TargetOptions {
  readonly file?: string | undefined;
  readonly vaultDir?: string | undefined;
  readonly env?: string | undefined;
  /**
   * A target resolved earlier, used as it is: a long-running front (the
   * HTTP API) resolves each env once instead of running git and reading the
   * configuration on every request.
   */
  readonly resolved?: Target | undefined;
}

/** The resolved target of a command. */
export interface Target {
  /** Absolute path of the env file. */
  readonly path: string;
  /** The path as shown to the user (relative to the working directory when inside it). */
  readonly display: string;
  /** The vault dir, when the target is inside one (null for a bare `--file`). */
  readonly vaultDir: string | null;
  /** The env name, when the file is `.env.NAME` in a vault dir. */
  readonly envName: string | null;
  /** The host repository root, when there is one. */
  readonly repoRoot: string | null;
  readonly config: Config;
}

/** The default vault dir name below the host repo root. */
export const DEFAULT_VAULT_DIR = "vault";
/**
 * Names the vault's `.gitattributes` (`.env`, `.env.*`) gives to git-vault's
 * drivers, whatever follows the dot: the guard, `check --all` and `verify`
 * look at all of them, so an editor backup (`.env.dev~`) or a copy with an
 * odd name cannot carry plaintext past them. `--env NAME` names only the
 * `.env.NAME` files an env name can spell.
 */
export const ENV_FILE_RE = /^\.env(\..+)?$/s;

/** A path for messages: relative to cwd when below it. */
export function displayPath(ctx: Context, path: string): string {
  const rel = relative(ctx.cwd, path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep) ? rel : path;
}

function isVaultRoot(dir: string): boolean {
  try {
    return /(^|\s)diff=git-vault(\s|$)/m.test(readFileSync(join(dir, ".gitattributes"), "utf8"));
  } catch {
    return false;
  }
}

/** Finds the vault dir from flags, environment, configuration or the repo layout. */
export async function resolveVaultDir(ctx: Context, options: TargetOptions): Promise<{ vaultDir: string; repoRoot: string | null; config: Config }> {
  const repoRoot = tryRepoRoot({ cwd: ctx.cwd, env: ctx.env });
  const config = await loadConfig(ctx.cwd, repoRoot);
  const explicit = options.vaultDir ?? (ctx.env["GIT_VAULT_DIR"] || undefined);
  if (explicit !== undefined) return { vaultDir: resolve(ctx.cwd, explicit), repoRoot, config };
  if (config.vaultDir !== undefined) return { vaultDir: config.vaultDir, repoRoot, config };
  if (repoRoot === null) throw new NotInRepoError(ctx.cwd);
  // Inside the vault repo itself (cd vault/), the repo root is the vault dir.
  const nested = join(repoRoot, DEFAULT_VAULT_DIR);
  const vaultDir = !existsSync(nested) && isVaultRoot(repoRoot) ? repoRoot : nested;
  return { vaultDir, repoRoot, config };
}

/** The env name in effect: flag, then GIT_VAULT_ENV, then configuration, then `dev`. */
export function envNameFor(ctx: Context, options: TargetOptions, config: Config): string {
  const name = options.env ?? (ctx.env["GIT_VAULT_ENV"] || undefined) ?? config.defaultEnv ?? "dev";
  const from = options.env !== undefined ? "--env" : ctx.env["GIT_VAULT_ENV"] ? "GIT_VAULT_ENV" : "the configuration's defaultEnv";
  if (!ENV_NAME_PATTERN.test(name) || containsPrivateKey(name)) {
    // Not quoted back, and never a file name: it may be a secret typed in the wrong place.
    throw new UsageError(`invalid env name (from ${from})`, "env names are letters, digits, '.', '_' and '-' (at most 64), like dev or prod");
  }
  if (/\.lock$/i.test(name)) {
    // .env.NAME.lock is the lock file of .env.NAME (files/lock.ts).
    throw new UsageError(`invalid env name (from ${from}): it ends in .lock, the name of an env file's lock`, "choose another name");
  }
  return name;
}

/** The env name of an env file of the target's vault dir (`.env.NAME` → NAME), null for other names. */
export function envNameOfPath(target: Target, path: string): string | null {
  if (target.vaultDir === null) return target.envName;
  return /^\.env\.([A-Za-z0-9][A-Za-z0-9_.-]*)$/.exec(basename(path))?.[1] ?? null;
}

/** Resolves the env file a command works on. */
export async function resolveTarget(ctx: Context, options: TargetOptions): Promise<Target> {
  if (options.resolved !== undefined) return options.resolved;
  for (const [flag, value] of [["--file", options.file], ["--vault-dir", options.vaultDir], ["--env", options.env]] as const) {
    if (value === "") throw new UsageError(`${flag} needs a value (it was given an empty one)`);
  }
  if (options.file !== undefined) {
    if (options.vaultDir !== undefined || options.env !== undefined) {
      throw new UsageError("--file cannot be combined with --vault-dir or --env");
    }
    const path = resolve(ctx.cwd, options.file);
    const repoRoot = tryRepoRoot({ cwd: ctx.cwd, env: ctx.env });
    const config = await loadConfig(ctx.cwd, repoRoot);
    return { path, display: displayPath(ctx, path), vaultDir: null, envName: null, repoRoot, config };
  }
  const { vaultDir, repoRoot, config } = await resolveVaultDir(ctx, options);
  if (!existsSync(vaultDir)) {
    throw new VaultError("vault-missing", `vault dir not found: ${displayPath(ctx, vaultDir)}`, {
      hint: "run `git vault init` (or `git submodule update --init` after cloning), or name a file with --file",
    });
  }
  if (readdirSync(vaultDir).length === 0 && repoRoot !== null && submoduleUrl({ cwd: repoRoot, env: ctx.env }, relative(repoRoot, vaultDir)) !== null) {
    throw new VaultError("vault-missing", `vault dir ${displayPath(ctx, vaultDir)} is empty (the submodule is not checked out)`, { hint: "run `git vault init`" });
  }
  const envName = envNameFor(ctx, options, config);
  const path = join(vaultDir, `.env.${envName}`);
  return { path, display: displayPath(ctx, path), vaultDir, envName, repoRoot, config };
}

/**
 * Every env file in a vault dir and its subfolders, sorted: the files the
 * vault's `.gitattributes` patterns (`.env`, `.env.*`, any depth) give to the
 * pre-commit guard, so `verify` and `--all` check what the guard checks.
 * `.git` is skipped and folder links are not followed.
 */
export function listEnvFiles(vaultDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== ".git") walk(path);
      } else if (ENV_FILE_RE.test(entry.name) && !isLockFile(path, entry.name)) {
        found.push(path);
      }
    }
  };
  walk(vaultDir);
  return found.sort();
}

/**
 * A writer's lock beside an env file, or the file it briefly makes to take it
 * (`.env.dev.lock`, `.env.dev.lock.PID.HEX`, `.env.dev.lock.stale.PID.HEX`;
 * files/lock.ts), which holds only a process id: not an env file. A file
 * with such a name and anything else in it is checked like any other.
 */
function isLockFile(path: string, name: string): boolean {
  if (!/\.lock(\.(stale\.)?\d+\.[0-9a-f]{8})?$/.test(name)) return false;
  try {
    return /^\d*\n?$/.test(readFileSync(path, "latin1").slice(0, 32));
  } catch {
    return true; // gone already: it was a lock being released
  }
}

/** The files `--all` covers: the vault dir's env files, or just the target when it is a bare file. */
export function allTargets(target: Target): string[] {
  return target.vaultDir === null ? [target.path] : listEnvFiles(target.vaultDir);
}
