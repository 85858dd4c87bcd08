/**
 * The secrets manifest of the configuration (`secrets`, `groups`): which keys
 * an env needs, and which keys an action gets (`--only`, `--group`). One
 * selection function for every command that hands secrets to a program
 * (`run`, `export`, `docker exec`).
 */
import type { Config, ManifestEntry } from "../config/index.js";
import { UsageError, VaultError } from "../errors.js";

/** How a command names the keys it wants: `--only K1,K2`, `--group NAME`, or neither (all keys). */
export interface KeySelection {
  readonly only?: readonly string[] | undefined;
  readonly group?: string | undefined;
}

/** The keys a selection names, in its order; undefined when it names none (every key). */
function selectedKeys(config: Config, selection: KeySelection): string[] | undefined {
  if (selection.only !== undefined && selection.group !== undefined) throw new UsageError("--only and --group cannot be combined", "name the keys with one of them");
  if (selection.group === undefined) return selection.only === undefined ? undefined : [...new Set(selection.only)];
  const groups = config.groups ?? {};
  const keys = Object.hasOwn(groups, selection.group) ? groups[selection.group] : undefined;
  if (keys === undefined) {
    const known = Object.keys(groups);
    const where = config.source ?? "the configuration";
    throw new UsageError(
      `no group "${selection.group}" in ${where}`,
      known.length > 0 ? `groups: ${known.join(", ")}` : "define one under `groups:` in the configuration (see docs/deploy.md)",
    );
  }
  return [...keys];
}

/** The manifest entries that apply to an env (`envName` null for a bare --file: entries without `envs`). */
export function manifestFor(config: Config, envName: string | null): [string, ManifestEntry][] {
  return Object.entries(config.secrets ?? {}).filter(([, e]) => e.envs === undefined || (envName !== null && e.envs.includes(envName)));
}

/**
 * The keys an action gets from a file holding `present` keys: the selection,
 * less the keys the manifest marks optional that are not set. Refuses, naming
 * them, the selected keys that are missing and the required keys of the env
 * (of the selection, when there is one) that are not set.
 */
export function resolveSelection(config: Config, envName: string | null, display: string, present: ReadonlySet<string>, selection: KeySelection): string[] | undefined {
  const wanted = selectedKeys(config, selection);
  const entries = new Map(manifestFor(config, envName));
  // A key the manifest marks optional, or limits to other envs, may be absent.
  const optional = (k: string): boolean => {
    const entry = config.secrets !== undefined && Object.hasOwn(config.secrets, k) ? config.secrets[k] : undefined;
    return entry !== undefined && (!entry.required || !entries.has(k));
  };
  const required = [...entries].filter(([, e]) => e.required).map(([k]) => k);
  const needed = wanted === undefined ? required : wanted.filter((k) => !optional(k));
  const missing = needed.filter((k) => !present.has(k));
  if (missing.length > 0) {
    const byManifest = missing.filter((k) => entries.get(k)?.required === true);
    throw new VaultError("key-missing", `${display}: no key ${missing.join(", ")}${byManifest.length > 0 ? ` (required by ${config.source ?? "the manifest"})` : ""}`, {
      hint: `set ${missing.length === 1 ? "it" : "them"} with \`git vault set KEY\`, or see what is missing with \`git vault validate\``,
    });
  }
  return wanted?.filter((k) => present.has(k));
}
