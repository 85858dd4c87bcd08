/**
 * Project configuration: `.git-vaultrc[.json|.yaml|.yml]`, `git-vault.config.json|yaml|yml`
 * or the `gitVault` key of package.json, searched from the working directory up
 * to the repository root, with cosmiconfig's file names and precedence. Data
 * formats only: cosmiconfig itself is not used because it always reads a
 * meta-configuration (`.config/config.js`, `$import`) that can run JavaScript
 * from an untrusted clone (see docs/adr/0007-config-data-only.md).
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { VaultError } from "../errors.js";

/** Validated configuration. Relative paths are already resolved against the config file's folder. */
export interface Config {
  readonly vaultDir?: string;
  readonly defaultEnv?: string;
  readonly auditLog?: string;
  readonly policyHook?: Readonly<Record<string, string>>;
  readonly docker?: { readonly allowInsecureHost?: boolean };
  /** The file the configuration came from, when there was one. */
  readonly source?: string;
}

const MODULE = "git-vault";
const PACKAGE_PROP = "gitVault";
const SEARCH_PLACES = [
  "package.json",
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `${MODULE}.config.json`,
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
];

function fail(source: string, message: string): never {
  throw new VaultError("config-invalid", `${source}: ${message}`, { hint: "see docs/configuration.md" });
}

function validate(raw: unknown, source: string): Config {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(source, "configuration must be an object");
  const base = dirname(source);
  const out: { -readonly [K in keyof Config]: Config[K] } = { source };
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case "vaultDir":
      case "auditLog":
        if (typeof value !== "string" || value === "") fail(source, `${key} must be a non-empty string`);
        out[key] = resolve(base, value);
        break;
      case "defaultEnv":
        if (typeof value !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value)) fail(source, "defaultEnv must be an env name like dev");
        out.defaultEnv = value;
        break;
      case "policyHook": {
        const hooks: unknown = typeof value === "string" ? { "*": value } : value;
        if (typeof hooks !== "object" || hooks === null || Object.values(hooks).some((v: unknown) => typeof v !== "string")) {
          fail(source, "policyHook must be a path or an object of env name to path");
        }
        out.policyHook = Object.fromEntries(Object.entries(hooks as Record<string, string>).map(([env, p]) => [env, resolve(base, p)]));
        break;
      }
      case "docker": {
        const allow = (value as { allowInsecureHost?: unknown } | null)?.allowInsecureHost;
        if (typeof value !== "object" || value === null || (allow !== undefined && typeof allow !== "boolean")) {
          fail(source, "docker must be an object like { \"allowInsecureHost\": false }");
        }
        out.docker = allow === undefined ? {} : { allowInsecureHost: allow };
        break;
      }
      default:
        fail(source, `unknown setting "${key}"`);
    }
  }
  return out;
}

/** Parses one candidate file; null when package.json has no `gitVault` key. */
async function parseFile(path: string, text: string): Promise<unknown> {
  const name = basename(path);
  if (name === "package.json") {
    const pkg = JSON.parse(text) as Record<string, unknown> | null;
    return pkg !== null && typeof pkg === "object" && PACKAGE_PROP in pkg ? pkg[PACKAGE_PROP] : null;
  }
  if (name.endsWith(".json")) return JSON.parse(text) as unknown;
  // YAML (JSON is a subset of it) for .yaml, .yml and the extension-less rc file.
  // Bundled, a CommonJS-built package's exports arrive as the default export.
  const mod: typeof import("yaml") & { default?: typeof import("yaml") } = await import("yaml");
  return (mod.default ?? mod).parse(text) as unknown;
}

/**
 * Loads the nearest configuration between `cwd` and `stopDir` (inclusive, or
 * `cwd` alone when null); `{}` when there is none. Only data is read: no
 * JavaScript, no meta-configuration, no imports of other files.
 */
export async function loadConfig(cwd: string, stopDir: string | null): Promise<Config> {
  const stop = stopDir === null ? resolve(cwd) : resolve(stopDir);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const place of SEARCH_PLACES) {
      const path = join(dir, place);
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        continue;
      }
      let raw: unknown;
      try {
        raw = await parseFile(path, text);
      } catch {
        throw new VaultError("config-invalid", `${path}: cannot be read as ${place.endsWith(".json") ? "JSON" : "YAML"}`, { hint: "fix its syntax" });
      }
      if (raw === null || raw === undefined) continue;
      return validate(raw, path);
    }
    if (dir === stop || dirname(dir) === dir || !`${dir}${sep}`.startsWith(`${stop}${sep}`)) return {};
  }
}
