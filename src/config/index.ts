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
  /** The secrets manifest: the keys the app needs, by name. */
  readonly secrets?: Readonly<Record<string, ManifestEntry>>;
  /** Named sets of keys (`run --group NAME`). */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** The file the configuration came from, when there was one. */
  readonly source?: string;
}

/** One key of the secrets manifest. Data only: never a value. */
export interface ManifestEntry {
  readonly description?: string;
  /** Required unless `required: false` (default true). */
  readonly required: boolean;
  /** The env names the entry applies to (all envs when absent). */
  readonly envs?: readonly string[];
  /** Where `run --as-files` writes the value: a relative path and an octal mode. */
  readonly file?: { readonly path: string; readonly mode: number };
}

const MODULE = "git-vault";
// The names core/dotenv.ts defines (KEY_PATTERN, ENV_NAME_PATTERN): config/ sits below core/ and cannot import them.
const KEY_RE = /^[\w.-]+$/;
const ENV_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const FILE_MODE_RE = /^0?[0-7]{3}$/;
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
      case "secrets":
        out.secrets = validateSecrets(value, source);
        break;
      case "groups":
        out.groups = validateGroups(value, source);
        break;
      default:
        fail(source, `unknown setting "${key}"`);
    }
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A relative path below the files folder: no `..`, no absolute path, no empty part. */
function isPlainRelativePath(path: string): boolean {
  return path !== "" && !path.startsWith("/") && path.split("/").every((part) => part !== "" && part !== "." && part !== "..") && !path.includes("\0");
}

function validateSecrets(value: unknown, source: string): Record<string, ManifestEntry> {
  if (!isObject(value)) fail(source, "secrets must be an object of key name to { required, description, envs, file }");
  const out: Record<string, ManifestEntry> = {};
  const paths = new Map<string, string>();
  for (const [key, raw] of Object.entries(value)) {
    const at = `secrets.${key}`;
    if (!KEY_RE.test(key)) fail(source, `${at}: not a key name (letters, digits, '_', '.', '-')`);
    const spec: unknown = raw ?? {};
    if (!isObject(spec)) fail(source, `${at} must be an object like { required: false }`);
    const entry: { -readonly [K in keyof ManifestEntry]: ManifestEntry[K] } = { required: true };
    for (const [field, v] of Object.entries(spec)) {
      switch (field) {
        case "description":
          if (typeof v !== "string") fail(source, `${at}.description must be a string`);
          entry.description = v;
          break;
        case "required":
          if (typeof v !== "boolean") fail(source, `${at}.required must be true or false`);
          entry.required = v;
          break;
        case "envs":
          if (!Array.isArray(v) || v.length === 0 || v.some((e: unknown) => typeof e !== "string" || !ENV_RE.test(e))) {
            fail(source, `${at}.envs must be a non-empty list of env names like [prod]`);
          }
          entry.envs = v as string[];
          break;
        case "file": {
          const f: unknown = typeof v === "string" ? { path: v } : v;
          if (!isObject(f) || Object.keys(f).some((k) => k !== "path" && k !== "mode")) fail(source, `${at}.file must be { path: NAME, mode: "0400" }`);
          if (f["path"] === undefined || f["path"] === "") fail(source, `${at}.file needs a path: the file's name in the run folder, like { path: db/password }`);
          if (typeof f["path"] !== "string" || !isPlainRelativePath(f["path"])) fail(source, `${at}.file.path must be a relative path without '..'`);
          const mode = f["mode"] ?? "0400";
          if (typeof mode !== "string" || !FILE_MODE_RE.test(mode)) fail(source, `${at}.file.mode must be an octal string like "0400"`);
          const parsed = Number.parseInt(mode, 8);
          if ((parsed & 0o400) === 0 || (parsed & 0o111) !== 0) fail(source, `${at}.file.mode must let the owner read and no one execute (like "0400" or "0440")`);
          const other = paths.get(f["path"]);
          if (other !== undefined) fail(source, `${at}.file.path is also the file of secrets.${other}`);
          paths.set(f["path"], key);
          entry.file = { path: f["path"], mode: parsed };
          break;
        }
        default:
          fail(source, `${at}: unknown field "${field}" (description, required, envs, file)`);
      }
    }
    out[key] = entry;
  }
  return out;
}

function validateGroups(value: unknown, source: string): Record<string, string[]> {
  if (!isObject(value)) fail(source, "groups must be an object of group name to a list of keys");
  const out: Record<string, string[]> = {};
  for (const [name, keys] of Object.entries(value)) {
    if (!/^[\w.-]+$/.test(name)) fail(source, `groups.${name}: not a group name (letters, digits, '_', '.', '-')`);
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((k: unknown) => typeof k !== "string" || !KEY_RE.test(k))) {
      fail(source, `groups.${name} must be a non-empty list of key names`);
    }
    out[name] = [...new Set(keys as string[])];
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
