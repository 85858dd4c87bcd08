// The pre-commit guard: install, uninstall and status of git-vault's hook in
// the hooks directory git uses (core.hooksPath honoured). A user's hook is
// never lost silently: a foreign hook is moved next to the guard as
// pre-commit.git-vault-chained and run first; uninstall moves it back.
// installHook and hookStatus read the same HookSite, so the command status
// suggests is the one install accepts.
import { type Stats, accessSync, chmodSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { quoteShellIfNeeded } from "../core/shell.js";
import { InternalError, VaultError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { configGet, configGetOrigin, hooksDir, lsFiles, repoRoot, type GitContext, type ScopedConfigEntry } from "../git/index.js";

/** The line that marks a pre-commit hook as git-vault's own. */
export const HOOK_MARKER = "# git-vault-managed-hook:";
/** Where a pre-existing pre-commit hook is kept while git-vault's runs it. */
export const CHAINED_HOOK = "pre-commit.git-vault-chained";
/** The command that installs the guard, as status, doctor and init print it. */
const INSTALL = "git vault hooks install";

/**
 * What installHook did to a pre-commit.git-vault-chained left from before:
 * `identical` it had the same bytes as the foreign hook moved over it;
 * `guard-copy` it was a copy of git-vault's own guard (which would chain to
 * itself), so no user's hook was in it; `forced` it differed and --force
 * replaced it.
 */
export type ChainedReplacement = "identical" | "guard-copy" | "forced";

const REPLACEMENT = { "same-as-hook": "identical", "guard-copy": "guard-copy", other: "forced" } as const satisfies Record<string, ChainedReplacement>;

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
  /** A chained hook left from before that this call replaced or removed, and why; null when none. */
  readonly replacedChained: ChainedReplacement | null;
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
  /** The command that installs or repairs the guard (`git vault hooks install`, with `--force` when it needs it), or null when it would not help. */
  readonly fix: string | null;
  readonly problems: readonly string[];
}

/** A reason installHook stops unless forced, with what --force would do. */
interface ForceReason {
  readonly code: string;
  readonly message: string;
  /** What `--force` does in this case, or what to do instead. */
  readonly hint: string;
}

/** The hooks directory and what is in it, as install, uninstall and status see it. */
interface HookSite {
  readonly root: string;
  readonly dir: string;
  readonly hookPath: string;
  readonly chainedPath: string;
  readonly existing: Stats | null;
  readonly ours: boolean;
  /**
   * pre-commit.git-vault-chained: absent; a copy of git-vault's guard (left
   * by hand-run steps; never a user's hook); the same bytes as the foreign
   * pre-commit; or some other hook.
   */
  readonly chained: "none" | "guard-copy" | "same-as-hook" | "other";
  readonly hooksPath: ScopedConfigEntry | null;
}

/**
 * Installs the pre-commit guard in the hooks directory git uses for this
 * repository (core.hooksPath honoured). An existing foreign hook is moved to
 * pre-commit.git-vault-chained and run first by git-vault's hook.
 */
export function installHook(ctx: GitContext, options: { force?: boolean; script?: Buffer } = {}): HookInstallResult {
  const site = inspectHookSite(ctx);
  const { dir, hookPath, chainedPath, existing } = site;
  const script = options.script ?? readFileSync(shippedHookPath());
  const createdHooksDir = !existsSync(dir);
  if (!createdHooksDir && !statSync(dir).isDirectory()) {
    throw new VaultError("hooks-dir-invalid", `hooks directory ${dir} is not a directory (hooks are disabled)`);
  }
  const blocker = forceReasons(ctx, site)[0];
  if (blocker && !options.force) throw new VaultError(blocker.code, blocker.message, { hint: blocker.hint });
  mkdirSync(dir, { recursive: true });
  let replacedChained: ChainedReplacement | null = null;
  let action: HookInstallResult["action"] = "installed";
  let movedForeignHook = false;
  if (site.chained === "guard-copy" && (site.ours || !existing)) {
    unlinkSync(chainedPath);
    replacedChained = "guard-copy";
  }
  if (site.ours) {
    if (readFileSync(hookPath).equals(script) && ((existing as Stats).mode & 0o100) !== 0) {
      return { hooksDir: dir, hookPath, action: "unchanged", movedForeignHook, chained: tryLstat(chainedPath) !== null, createdHooksDir, replacedChained };
    }
    action = "updated";
  } else if (existing) {
    // Past forceReasons, a chained copy here may go: the same bytes, a copy of
    // the guard, or --force (the CLI says which). The rename replaces it.
    if (site.chained !== "none") replacedChained = REPLACEMENT[site.chained];
    renameSync(hookPath, chainedPath);
    movedForeignHook = true;
  }
  writeExecutable(hookPath, script);
  return { hooksDir: dir, hookPath, action, movedForeignHook, chained: tryLstat(chainedPath) !== null, createdHooksDir, replacedChained };
}

/** Removes git-vault's hook and moves a chained hook back, byte-identical with its mode. */
export function uninstallHook(ctx: GitContext): HookUninstallResult {
  const { root, dir, hookPath, chainedPath, existing, ours, chained } = inspectHookSite(ctx);
  if (existing && !ours) {
    // Something replaced our hook (e.g. husky regenerated it): restoring the
    // chained copy would clobber it, so both stay for the user to sort out.
    return { hooksDir: dir, action: "foreign", restoredChained: false };
  }
  if (existing) unlinkSync(hookPath);
  // A copy of the guard is nobody's hook: putting it back would leave a guard
  // that chains to nothing, so it goes.
  if (chained === "guard-copy") unlinkSync(chainedPath);
  const restoredChained = chained !== "none" && chained !== "guard-copy";
  if (restoredChained) renameSync(chainedPath, hookPath);
  // A core.hooksPath folder that install created (git does not track empty
  // folders, so an empty one holds nothing of the user's) goes too.
  if (existing && configGet(ctx, "core.hooksPath") !== null) removeEmptyFolders(dir, root);
  return { hooksDir: dir, action: existing ? "removed" : "not-installed", restoredChained };
}

/** What `hooks status` reports: where hooks live, whose pre-commit is there, and whether it would run. */
export function hookStatus(ctx: GitContext, options: { script?: Buffer } = {}): HookStatus {
  const site = inspectHookSite(ctx);
  const { dir, hookPath, existing, ours, hooksPath } = site;
  const script = options.script ?? readFileSync(shippedHookPath());
  const state = !existing ? "not-installed" : !ours ? "foreign" : readFileSync(hookPath).equals(script) ? "installed" : "outdated";
  const executable = existing !== null && canExecute(hookPath);
  const gitVaultOnPath = onPath(ctx.env, "git-vault");
  const dirUsable = existsSync(dir) && statSync(dir).isDirectory();
  const reasons = forceReasons(ctx, site);
  const install = !dirUsable && existsSync(dir) ? null : reasons.length > 0 ? `${INSTALL} --force` : INSTALL;
  const problems: string[] = [];
  if (!dirUsable && existsSync(dir)) problems.push(`hooks are disabled: core.hooksPath is ${dir}, not a directory`);
  if (state === "not-installed") problems.push(`the pre-commit guard is not installed: run \`${install}\``);
  if (state === "foreign") problems.push(`a pre-commit hook that is not git-vault's is installed: \`${install}\` chains it`);
  if (state === "outdated") problems.push(`the pre-commit guard is an older version: run \`${INSTALL}\``);
  if (site.chained === "guard-copy") problems.push(`${site.chainedPath} is a copy of git-vault's guard, not your hook (the guard skips it): \`${INSTALL}\` removes it`);
  for (const reason of reasons) problems.push(`${reason.message}: ${reason.hint}`);
  if (ours && !executable) problems.push(`${hookPath} is not executable, so git skips it: chmod +x it or reinstall`);
  if (ours && !gitVaultOnPath) problems.push("git-vault is not on PATH: the hook refuses every commit until it is");
  if (ours && isShared(hooksPath)) {
    problems.push(`core.hooksPath comes from ${hooksPath.scope} config (${hooksPath.origin}): the hooks directory is shared with other repositories`);
  }
  const willRun = ours && executable && dirUsable && gitVaultOnPath;
  // Installing again changes nothing for an up-to-date, executable guard (git-vault missing from PATH is not its to fix).
  const fix = state === "installed" && executable && site.chained !== "guard-copy" ? null : install;
  return { hooksDir: dir, hooksPath, state, chained: site.chained !== "none", executable, gitVaultOnPath, willRun, fix, problems };
}

/** Path of the hook script shipped in the package (`hooks/pre-commit`), from source or from dist/. */
export function shippedHookPath(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, "hooks", "pre-commit");
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new InternalError("the packaged hooks/pre-commit script is missing");
  }
}

function inspectHookSite(ctx: GitContext): HookSite {
  const root = repoRoot(ctx);
  const dir = hooksDir(ctx);
  const hookPath = join(dir, "pre-commit");
  const chainedPath = join(dir, CHAINED_HOOK);
  const existing = tryLstat(hookPath);
  const ours = existing !== null && isOurHook(hookPath, existing);
  const chainedStats = tryLstat(chainedPath);
  let chained: HookSite["chained"] = "none";
  if (chainedStats) {
    if (isOurHook(chainedPath, chainedStats)) chained = "guard-copy";
    else if (existing && !ours && sameFile(hookPath, existing, chainedPath, chainedStats)) chained = "same-as-hook";
    else chained = "other";
  }
  return { root, dir, hookPath, chainedPath, existing, ours, chained, hooksPath: configGetOrigin(ctx, "core.hooksPath") };
}

/**
 * Why installing the guard here needs --force: a hooks directory shared with
 * other repositories, a tracked hook, or a chained hook that would be lost.
 * Empty when a plain install goes through (or the guard is already there).
 */
function forceReasons(ctx: GitContext, site: HookSite): ForceReason[] {
  if (site.ours) return [];
  const reasons: ForceReason[] = [];
  const forced = `\`${INSTALL} --force\``;
  if (isShared(site.hooksPath)) {
    reasons.push({
      code: "hooks-path-shared",
      message: `core.hooksPath is set in ${site.hooksPath.scope} config (${site.hooksPath.origin}): a hook in ${site.dir} runs for every repository using it`,
      hint: `${forced} installs it there anyway (check --staged passes in repositories without a vault), or call \`git-vault check --staged\` from your shared pre-commit hook`,
    });
  }
  if (site.existing && isTracked(ctx, site.root, site.hookPath)) {
    reasons.push({
      code: "hook-tracked",
      message: `${site.hookPath} is tracked by git; moving it would change the working tree for everyone`,
      hint: `add \`git-vault check --staged\` to that hook instead, or run ${forced}`,
    });
  }
  if (site.existing && site.chained === "other") {
    const hook = quoteShellIfNeeded(site.hookPath);
    const chained = quoteShellIfNeeded(site.chainedPath);
    reasons.push({
      code: "hook-conflict",
      message: `${site.hookPath} is not git-vault's hook (something replaced the guard, e.g. husky regenerating its hooks), and ${site.chainedPath}, the hook chained by an earlier install, differs from it`,
      hint: `compare them with \`diff ${chained} ${hook}\`; ${forced} chains the new pre-commit and deletes the old ${CHAINED_HOOK}; to keep both, merge them into pre-commit by hand, delete ${CHAINED_HOOK}, then run \`${INSTALL}\``,
    });
  }
  return reasons;
}

function isShared(hooksPath: ScopedConfigEntry | null): hooksPath is ScopedConfigEntry {
  return hooksPath !== null && hooksPath.scope !== "local" && hooksPath.scope !== "worktree";
}

// Ours = a regular file carrying the marker line; a symlink is always someone else's.
function isOurHook(path: string, stats: Stats): boolean {
  return stats.isFile() && readFileSync(path, "utf8").split("\n").some((line) => line.startsWith(HOOK_MARKER));
}

// Two regular files with the same bytes (a symlink is compared by its target path).
function sameFile(a: string, aStats: Stats, b: string, bStats: Stats): boolean {
  if (aStats.isSymbolicLink() || bStats.isSymbolicLink()) return false;
  if (!aStats.isFile() || !bStats.isFile() || aStats.size !== bStats.size) return false;
  return readFileSync(a).equals(readFileSync(b));
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
