// What each command loads (performance issue: "commands that need no crypto
// never load it; no module loaded that the command does not use"). A module
// loader hook records every ES module the built program loads; each dist/
// chunk is classified by what it bundles.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, binPath, makeSandbox, repoRoot } from "../support/sandbox.js";

const dist = join(repoRoot, "dist");

/** The dist files that bundle each heavy part. */
function chunksWith(marker: string): string[] {
  return readdirSync(dist).filter((name) => name.endsWith(".js") && readFileSync(join(dist, name), "utf8").includes(marker));
}

let sb: Sandbox;
let repo: string;
let preload: string;
let logFile: string;

/** Runs the built git-vault and returns the dist files it loaded as ES modules. */
function loaded(args: string[], cwd = repo): { status: number | null; files: string[] } {
  writeFileSync(logFile, "");
  const r = spawnSync(process.execPath, ["--import", preload, binPath, ...args], {
    cwd,
    env: { ...sb.env, LOAD_LOG: logFile },
    encoding: "utf8",
  });
  const files = readFileSync(logFile, "utf8")
    .split("\n")
    .filter((url) => url.startsWith(pathToFileURL(dist).href))
    .map((url) => url.slice(url.lastIndexOf("/") + 1))
    .filter((name) => name.endsWith(".js")); // the ES modules; bin.cjs (the launcher) always loads
  return { status: r.status, files };
}

beforeAll(() => {
  sb = makeSandbox();
  const hooks = join(sb.root, "hooks.mjs");
  writeFileSync(
    hooks,
    'import { appendFileSync } from "node:fs";\n' +
      "export async function load(url, context, next) {\n" +
      "  if (process.env.LOAD_LOG) appendFileSync(process.env.LOAD_LOG, url + '\\n');\n" +
      "  return next(url, context);\n" +
      "}\n",
  );
  preload = join(sb.root, "register.mjs");
  writeFileSync(preload, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  logFile = join(sb.root, "loaded.txt");
  repo = sb.repo("app");
  expect(sb.vault(repo, ["keygen"]).status).toBe(0);
  writeFileSync(join(repo, ".env.dev"), "API_KEY=value-1\nDB_URL=value-2\n");
  expect(sb.vault(repo, ["encrypt", "--file", ".env.dev"]).status).toBe(0);
});
afterAll(() => sb.cleanup());

describe("modules each command loads", () => {
  it("finds the age-encryption, crypto and yaml chunks in dist/", () => {
    expect(chunksWith("// node_modules/age-encryption/")).toHaveLength(1);
    expect(chunksWith("// src/crypto/x25519.ts")).toHaveLength(1);
    expect(chunksWith("// node_modules/yaml/")).toHaveLength(1);
  });

  it("commands that decrypt load age-encryption (the hook sees it)", () => {
    const age = chunksWith("// node_modules/age-encryption/");
    const r = loaded(["get", "API_KEY", "--reveal", "--file", ".env.dev"]);
    expect(r.status).toBe(0);
    expect(r.files).toEqual(expect.arrayContaining(age));
  });

  it("commands that need no crypto load neither the crypto layer nor age-encryption", () => {
    const crypto = [...chunksWith("// node_modules/age-encryption/"), ...chunksWith("// src/crypto/x25519.ts")];
    for (const args of [
      ["recipients", "list", "--file", ".env.dev"],
      ["fmt", "--check", "--file", ".env.dev"],
      ["check", "--file", ".env.dev"],
      ["keys", "where"],
      ["unset", "DB_URL", "--file", ".env.dev"],
      ["doctor", "--help"],
    ]) {
      const r = loaded(args);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.files.length, args.join(" ")).toBeGreaterThan(0);
      expect(r.files.filter((f) => crypto.includes(f)), args.join(" ")).toEqual([]);
    }
  });

  it("--version and --help load no ES module; YAML is parsed only when there is a YAML config", () => {
    for (const flag of ["--version", "--help"]) expect(loaded([flag]).files).toEqual([]);
    const yaml = chunksWith("// node_modules/yaml/");
    expect(loaded(["list", "--file", ".env.dev"]).files.filter((f) => yaml.includes(f))).toEqual([]);
    writeFileSync(join(repo, ".git-vaultrc.yaml"), "vaultDir: vault\n");
    const withYaml = loaded(["list", "--file", ".env.dev"]);
    expect(withYaml.status).toBe(0);
    expect(withYaml.files).toEqual(expect.arrayContaining(yaml));
  });
});
