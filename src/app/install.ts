// `install` / `uninstall` / `hooks …`: the git config drivers and the
// pre-commit guard. Writes only what git-vault owns, is idempotent, and
// uninstall puts back exactly what was there (config and hook files byte for byte).
import { type Stats, accessSync, chmodSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { InternalError, VaultError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import {
  configGet,
  configGetOrigin,
  configGetRegexp,
  configRemoveSection,
  configSet,
  configUnset,
  hooksDir,
  lsFiles,
  repoRoot,
  type ConfigEntry,
  type GitContext,
  type ScopedConfigEntry,
} from "../git/index.js";

/** The config git-vault owns, exactly as `install` writes it. `cachetextconv` is never set (D3). */
export const DRIVER_CONFIG: readonly (readonly [key: string, value: string])[] = [
  ["diff.git-vault.textconv", "git-vault textconv"],
  ["merge.git-vault.name", "git-vault env merge"],
  ["merge.git-vault.driver", "git-vault merge-driver %O %A %B %P"],
];
const SECTIONS = ["diff.git-vault", "merge.git-vault"] as const;
const CACHE_KEY = "diff.git-vault.cachetextconv";

/** The line that marks a pre-commit hook as git-vault's own. */
export const HOOK_MARKER = "# git-vault-managed-hook:";
/** Where a pre-existing pre-commit hook is kept while git-vault's runs it. */
export const CHAINED_HOOK = "pre-commit.git-vault-chained";

/** Options of installDrivers / uninstallDrivers. */
export interface DriverOptions {
  readonly scope: "local" | "global";
  /** Replace conflicting values (and remove `cachetextconv`) instead of failing. */
  readonly force?: boolean;
}

/** One config key and what install/uninstall did to it. */
export interface DriverChange {
  readonly key: string;
  readonly action: "set" | "unchanged" | "replaced" | "removed" | "kept";
  /** The value(s) found before, for `replaced` and `kept`. */
  readonly previous?: readonly (string | null)[];
}

/** What installDrivers / uninstallDrivers changed, for the CLI to render. */
export interface DriversResult {
  readonly scope: "local" | "global";
  /** False when nothing was written. */
  readonly changed: boolean;
  readonly changes: readonly DriverChange[];
  readonly warnings: readonly string[];
}

/** What installHook did. */
export interface HookInstallResult {
  readonly hooksDir: string;
  readonly hookPath: string;
  readonly action: "installed" | "updated" | "unchanged";
  /** A foreign hook was moved to pre-commit.git-vault-chained by this call. */
  readonly movedForeignHook: boolean;
  /** A chained hook exists (moved now or by an earlier install) and runs first. */
  readonly chained: boolean;
  readonly createdHooksDir: boolean;
}

/** What uninstallHook did. */
export interface HookUninstallResult {
  readonly hooksDir: string;
  /** `foreign`: the pre-commit hook is not git-vault's and was left alone. */
  readonly action: "removed" | "not-installed" | "foreign";
  /** The chained hook was moved back to pre-commit. */
  readonly restoredChained: boolean;
}

/** What `hooks status` reports. */
export interface HookStatus {
  readonly hooksDir: string;
  /** core.hooksPath with the scope and file that set it (husky sets `.husky/_` locally), or null. */
  readonly hooksPath: ScopedConfigEntry | null;
  /** `outdated`: git-vault's hook, but not the version this git-vault ships. */
  readonly state: "installed" | "outdated" | "not-installed" | "foreign";
  readonly chained: boolean;
  readonly executable: boolean;
  /** Whether git-vault is on the PATH the hook gets; without it the hook refuses every commit. */
  readonly gitVaultOnPath: boolean;
  /** Installed, executable, in a hooks directory git uses, and able to find git-vault. */
  readonly willRun: boolean;
  readonly problems: readonly string[];
}

/** Registers the textconv diff driver and the merge driver in the local or global config. */
export function installDrivers(ctx: GitContext, options: DriverOptions): DriversResult {
  const target = scopeTarget(ctx, options.scope);
  const present = sectionEntries(ctx, target);
  const conflicts = DRIVER_CONFIG.filter(([key, value]) => valuesOf(present, key).some((v) => v !== value)).map(([key]) => key);
  // An explicit `cachetextconv = false` is harmless; any true value would cache plaintext.
  const cache = valuesOf(present, CACHE_KEY);
  if (cache.some((value) => value === null || !/^(false|no|off|0|)$/i.test(value))) conflicts.push(CACHE_KEY);
  if (conflicts.length > 0 && !options.force) {
    throw new VaultError("install-conflict", `git config (${options.scope}) already has ${conflicts.join(", ")} with a value git-vault did not write`, {
      hint: `inspect with \`git config --${options.scope} --get-regexp 'git-vault'\`; rerun with --force to replace (cachetextconv is removed: it would store decrypted values in the object database)`,
    });
  }
  const changes: DriverChange[] = [];
  if (conflicts.includes(CACHE_KEY)) {
    configUnset(ctx, CACHE_KEY, target);
    changes.push({ key: CACHE_KEY, action: "removed", previous: cache });
  }
  for (const [key, value] of DRIVER_CONFIG) {
    const previous = valuesOf(present, key);
    if (previous.length === 1 && previous[0] === value) {
      changes.push({ key, action: "unchanged" });
      continue;
    }
    configSet(ctx, key, value, { ...target, replaceAll: true });
    changes.push(previous.length === 0 ? { key, action: "set" } : { key, action: "replaced", previous });
  }
  const warnings: string[] = [];
  // Another scope (e.g. a global cachetextconv) still applies to this repository.
  if (configGet(ctx, CACHE_KEY, { type: "bool" }) === "true") {
    warnings.push(`${CACHE_KEY} is enabled in another config scope: textconv output (decrypted values) would be cached in the object database; remove it`);
  }
  for (const entry of present) {
    if (!DRIVER_CONFIG.some(([key]) => key === entry.key) && entry.key !== CACHE_KEY) warnings.push(`kept ${entry.key}, which git-vault does not own`);
  }
  return { scope: options.scope, changed: changes.some((c) => c.action !== "unchanged"), changes, warnings };
}

/**
 * Removes what installDrivers wrote. A section holding only git-vault's values
 * goes with its header (`--remove-section`), leaving the file as it was before
 * install; values git-vault does not own are kept and reported.
 */
export function uninstallDrivers(ctx: GitContext, options: Pick<DriverOptions, "scope">): DriversResult {
  const target = scopeTarget(ctx, options.scope);
  const changes: DriverChange[] = [];
  for (const section of SECTIONS) {
    const entries = sectionEntries(ctx, target).filter((entry) => entry.key.startsWith(`${section}.`));
    const ours = (entry: ConfigEntry) => DRIVER_CONFIG.some(([key, value]) => key === entry.key && value === entry.value);
    if (entries.length > 0 && entries.every(ours)) {
      configRemoveSection(ctx, section, target);
      for (const entry of entries) changes.push({ key: entry.key, action: "removed" });
      continue;
    }
    for (const entry of entries) {
      if (ours(entry)) {
        configUnset(ctx, entry.key, target);
        changes.push({ key: entry.key, action: "removed" });
      } else {
        changes.push({ key: entry.key, action: "kept", previous: [entry.value] });
      }
    }
  }
  return { scope: options.scope, changed: changes.some((c) => c.action === "removed"), changes, warnings: [] };
}

/**
 * Installs the pre-commit guard in the hooks directory git uses for this
 * repository (core.hooksPath honoured). An existing foreign hook is moved to
 * pre-commit.git-vault-chained and run first by git-vault's hook.
 */
export function installHook(ctx: GitContext, options: { force?: boolean; script?: Buffer } = {}): HookInstallResult {
  const root = repoRoot(ctx);
  const dir = hooksDir(ctx);
  const origin = configGetOrigin(ctx, "core.hooksPath");
  if (origin && origin.scope !== "local" && origin.scope !== "worktree" && !options.force) {
    throw new VaultError("hooks-path-shared", `core.hooksPath is set in ${origin.scope} config (${origin.origin}): a hook in ${dir} runs for every repository using it`, {
      hint: "rerun with --force to install there anyway (check --staged passes in repositories without a vault), or call `git-vault check --staged` from your shared pre-commit hook",
    });
  }
  const script = options.script ?? readFileSync(shippedHookPath());
  const createdHooksDir = !existsSync(dir);
  if (!createdHooksDir && !statSync(dir).isDirectory()) {
    throw new VaultError("hooks-dir-invalid", `hooks directory ${dir} is not a directory (hooks are disabled)`);
  }
  mkdirSync(dir, { recursive: true });
  const hookPath = join(dir, "pre-commit");
  const chainedPath = join(dir, CHAINED_HOOK);
  const existing = tryLstat(hookPath);
  let action: HookInstallResult["action"] = "installed";
  let movedForeignHook = false;
  if (existing && isOurHook(hookPath, existing)) {
    const current = readFileSync(hookPath);
    if (current.equals(script) && (existing.mode & 0o100) !== 0) {
      return { hooksDir: dir, hookPath, action: "unchanged", movedForeignHook, chained: tryLstat(chainedPath) !== null, createdHooksDir };
    }
    action = "updated";
  } else if (existing) {
    if (tryLstat(chainedPath)) {
      throw new VaultError("hook-conflict", `${hookPath} is not git-vault's hook and ${CHAINED_HOOK} already exists next to it`, {
        hint: `merge or remove one of them by hand, then rerun`,
      });
    }
    if (isTracked(ctx, root, hookPath) && !options.force) {
      throw new VaultError("hook-tracked", `${hookPath} is tracked by git; moving it would change the working tree for everyone`, {
        hint: "add `git-vault check --staged` to that hook instead, or rerun with --force",
      });
    }
    renameSync(hookPath, chainedPath);
    movedForeignHook = true;
  }
  writeExecutable(hookPath, script);
  return { hooksDir: dir, hookPath, action, movedForeignHook, chained: tryLstat(chainedPath) !== null, createdHooksDir };
}

/** Removes git-vault's hook and moves a chained hook back, byte-identical with its mode. */
export function uninstallHook(ctx: GitContext): HookUninstallResult {
  repoRoot(ctx);
  const dir = hooksDir(ctx);
  const hookPath = join(dir, "pre-commit");
  const chainedPath = join(dir, CHAINED_HOOK);
  const existing = tryLstat(hookPath);
  if (existing && !isOurHook(hookPath, existing)) {
    // Something replaced our hook (e.g. husky regenerated it): restoring the
    // chained copy would clobber it, so both stay for the user to sort out.
    return { hooksDir: dir, action: "foreign", restoredChained: false };
  }
  if (existing) unlinkSync(hookPath);
  const restoredChained = tryLstat(chainedPath) !== null;
  if (restoredChained) renameSync(chainedPath, hookPath);
  // A core.hooksPath folder that install created (git does not track empty
  // folders, so an empty one holds nothing of the user's) goes too.
  if (existing && configGet(ctx, "core.hooksPath") !== null) removeEmptyFolders(dir, repoRoot(ctx));
  return { hooksDir: dir, action: existing ? "removed" : "not-installed", restoredChained };
}

/** What `hooks status` reports: where hooks live, whose pre-commit is there, and whether it would run. */
export function hookStatus(ctx: GitContext, options: { script?: Buffer } = {}): HookStatus {
  repoRoot(ctx);
  const dir = hooksDir(ctx);
  const hooksPath = configGetOrigin(ctx, "core.hooksPath");
  const hookPath = join(dir, "pre-commit");
  const existing = tryLstat(hookPath);
  const ours = existing !== null && isOurHook(hookPath, existing);
  const script = options.script ?? readFileSync(shippedHookPath());
  const state = !existing ? "not-installed" : !ours ? "foreign" : readFileSync(hookPath).equals(script) ? "installed" : "outdated";
  const executable = existing !== null && canExecute(hookPath);
  const gitVaultOnPath = onPath(ctx.env, "git-vault");
  const problems: string[] = [];
  const dirUsable = existsSync(dir) && statSync(dir).isDirectory();
  if (!dirUsable && existsSync(dir)) problems.push(`hooks are disabled: core.hooksPath is ${dir}, not a directory`);
  if (state === "not-installed") problems.push("the pre-commit guard is not installed: run `git vault hooks install`");
  if (state === "foreign") problems.push("a pre-commit hook that is not git-vault's is installed: `git vault hooks install` chains it");
  if (state === "outdated") problems.push("the pre-commit guard is an older version: run `git vault hooks install`");
  if (ours && !executable) problems.push(`${hookPath} is not executable, so git skips it: chmod +x it or reinstall`);
  if (ours && !gitVaultOnPath) problems.push("git-vault is not on PATH: the hook refuses every commit until it is");
  if (hooksPath && hooksPath.scope !== "local" && hooksPath.scope !== "worktree") {
    problems.push(`core.hooksPath comes from ${hooksPath.scope} config (${hooksPath.origin}): the hooks directory is shared with other repositories`);
  }
  const willRun = ours && executable && dirUsable && gitVaultOnPath;
  return { hooksDir: dir, hooksPath, state, chained: tryLstat(join(dir, CHAINED_HOOK)) !== null, executable, gitVaultOnPath, willRun, problems };
}

/** What `install --manual` prints: the exact config lines and hook steps, to run by hand. */
export function manualInstructions(scriptPath: string = shippedHookPath()): string {
  const config = DRIVER_CONFIG.map(([key, value]) => `git config ${key} ${shellQuote(value)}`);
  return [
    "# 1. Drivers. Run in every repository where env files are diffed or merged",
    "#    (the vault repo; the host repo too when the vault is a plain folder),",
    "#    or add --global after `git config` once for all repositories:",
    ...config,
    "#    Never set diff.git-vault.cachetextconv: its cache stores decrypted values",
    "#    in the object database. The vault's .gitattributes selects the drivers:",
    "#    .env.* diff=git-vault merge=git-vault",
    "",
    "# 2. Pre-commit guard, in the same repositories:",
    'hooks="$(git rev-parse --git-path hooks)"   # honours core.hooksPath (husky)',
    'mkdir -p "$hooks"',
    `[ -e "$hooks/pre-commit" ] && mv "$hooks/pre-commit" "$hooks/${CHAINED_HOOK}"`,
    `cp ${shellQuote(scriptPath)} "$hooks/pre-commit"`,
    'chmod 755 "$hooks/pre-commit"',
    "#    With the pre-commit framework instead, in .pre-commit-config.yaml:",
    "#      - repo: local",
    "#        hooks:",
    "#          - id: git-vault-check",
    "#            name: git-vault check --staged",
    "#            entry: git-vault check --staged",
    "#            language: system",
    "#            pass_filenames: false",
    "",
    "# Undo:",
    'hooks="$(git rev-parse --git-path hooks)"',
    ...SECTIONS.map((section) => `git config --remove-section ${section}`),
    `rm "$hooks/pre-commit" && { [ ! -e "$hooks/${CHAINED_HOOK}" ] || mv "$hooks/${CHAINED_HOOK}" "$hooks/pre-commit"; }`,
    "",
  ].join("\n");
}

/** Path of the hook script shipped in the package (`hooks/pre-commit`), from source or from dist/. */
export function shippedHookPath(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, "hooks", "pre-commit");
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new InternalError("the packaged hooks/pre-commit script is missing");
  }
}

function scopeTarget(ctx: GitContext, scope: "local" | "global"): { scope: "local" | "global" } {
  if (scope === "local") repoRoot(ctx); // NotInRepoError rather than git's message
  return { scope };
}

function sectionEntries(ctx: GitContext, target: { scope: "local" | "global" }): ConfigEntry[] {
  return configGetRegexp(ctx, "^(diff|merge)\\.git-vault\\.", target);
}

function valuesOf(entries: readonly ConfigEntry[], key: string): (string | null)[] {
  return entries.filter((entry) => entry.key === key).map((entry) => entry.value);
}

// Ours = a regular file carrying the marker line; a symlink is always someone else's.
function isOurHook(path: string, stats: Stats): boolean {
  return stats.isFile() && readFileSync(path, "utf8").split("\n").some((line) => line.startsWith(HOOK_MARKER));
}

function isTracked(ctx: GitContext, root: string, path: string): boolean {
  const rel = relative(root, path);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return false;
  return lsFiles({ cwd: root, env: ctx.env }, [rel]).length > 0;
}

// Atomic (temp file + rename), so git never runs a half-written hook; the
// chmod also repairs a hook of ours that lost its executable bit.
function writeExecutable(path: string, content: Buffer): void {
  writeFileAtomic(path, content, { mode: 0o755 });
  chmodSync(path, 0o755);
}

// Removes `dir` and then its parents while they are empty, stopping at `stop`.
function removeEmptyFolders(dir: string, stop: string): void {
  for (let d = dir; d !== stop && d.startsWith(`${stop}${sep}`) && readdirSync(d).length === 0; d = dirname(d)) rmdirSync(d);
}

function tryLstat(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function canExecute(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(env: NodeJS.ProcessEnv, name: string): boolean {
  return (env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && canExecute(join(dir, name)) && statSync(join(dir, name)).isFile());
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
