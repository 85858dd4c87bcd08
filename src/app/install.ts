// `install` / `uninstall`: the textconv and merge drivers in git config (the
// pre-commit guard is hook.ts). Writes only what git-vault owns, is
// idempotent, and uninstall puts the config file back byte for byte.
import { VaultError } from "../errors.js";
import { configGet, configGetRegexp, configRemoveSection, configSet, configUnset, repoRoot, type ConfigEntry, type GitContext } from "../git/index.js";

/** The config git-vault owns, exactly as `install` writes it. `cachetextconv` is never set (D3). */
export const DRIVER_CONFIG: readonly (readonly [key: string, value: string])[] = [
  // The sh client (src/agent/textconv-client.sh): the agent when it runs, else `git-vault textconv`.
  ["diff.git-vault.textconv", "git-vault-textconv"],
  ["merge.git-vault.name", "git-vault env merge"],
  ["merge.git-vault.driver", "git-vault merge-driver %O %A %B %P"],
  // In a criss-cross merge git first merges the merge bases with the same
  // driver; its conflict markers would make that virtual base unreadable by key.
  // `binary` makes git take one base as it is, and the driver then merges by key.
  ["merge.git-vault.recursive", "binary"],
];
/** Values earlier versions wrote: still git-vault's own, replaced by install and removed by uninstall without --force. */
const EARLIER_VALUES: ReadonlyMap<string, readonly string[]> = new Map([["diff.git-vault.textconv", ["git-vault textconv"]]]);

/** Whether `value` of `key` is one git-vault writes or wrote. */
function isOurs(key: string, value: string | null): boolean {
  return DRIVER_CONFIG.some(([k, v]) => k === key && v === value) || (value !== null && (EARLIER_VALUES.get(key) ?? []).includes(value));
}

/** The config sections DRIVER_CONFIG lives in. */
export const DRIVER_SECTIONS = ["diff.git-vault", "merge.git-vault"] as const;
const CACHE_KEY = "diff.git-vault.cachetextconv";

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

/** Registers the textconv diff driver and the merge driver in the local or global config. */
export function installDrivers(ctx: GitContext, options: DriverOptions): DriversResult {
  const target = scopeTarget(ctx, options.scope);
  const present = sectionEntries(ctx, target);
  const conflicts = DRIVER_CONFIG.filter(([key]) => valuesOf(present, key).some((v) => !isOurs(key, v))).map(([key]) => key);
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
  for (const section of DRIVER_SECTIONS) {
    const entries = sectionEntries(ctx, target).filter((entry) => entry.key.startsWith(`${section}.`));
    const ours = (entry: ConfigEntry) => isOurs(entry.key, entry.value);
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
