/**
 * Project configuration: `.git-vaultrc[.json|.yaml|.yml]`, `git-vault.config.json|yaml`
 * or the `gitVault` key of package.json, searched from the working directory up
 * to the repository root. Data formats only: no executable configuration.
 */
import { dirname, resolve } from "node:path";
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

/** Loads the nearest configuration between `cwd` and `stopDir` (inclusive); `{}` when there is none. */
export async function loadConfig(cwd: string, stopDir: string | null): Promise<Config> {
  // cosmiconfig is CommonJS: bundled, its exports arrive as the default export.
  const mod: typeof import("cosmiconfig") & { default?: typeof import("cosmiconfig") } = await import("cosmiconfig");
  const { cosmiconfig } = mod.default ?? mod;
  const explorer = cosmiconfig(MODULE, {
    searchPlaces: SEARCH_PLACES,
    packageProp: "gitVault",
    searchStrategy: stopDir === null ? "none" : "global",
    ...(stopDir === null ? {} : { stopDir }),
    cache: false,
  });
  let result;
  try {
    result = await explorer.search(cwd);
  } catch (error) {
    const file = (error as { filepath?: string }).filepath ?? "configuration file";
    throw new VaultError("config-invalid", `${file}: cannot be read as JSON or YAML`, { hint: "fix its syntax" });
  }
  if (result === null || result.isEmpty) return {};
  return validate(result.config, result.filepath);
}
