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
let builtins: string;

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
  builtins = join(sb.root, "builtins.cjs");
  writeFileSync(
    builtins,
    'process.on("exit", () => require("node:fs").writeFileSync(process.env.BUILTIN_LOG, process.moduleLoadList.join("\\n")));\n',
  );
  repo = sb.repo("app");
  expect(sb.vault(repo, ["keygen"]).status).toBe(0);
  writeFileSync(join(repo, ".env.dev"), "API_KEY=value-1\nDB_URL=value-2\n");
  expect(sb.vault(repo, ["encrypt", "--file", ".env.dev"]).status).toBe(0);
});
afterAll(() => sb.cleanup());

/** The Node built-in modules a process loaded, as process.moduleLoadList names them. */
function builtinsLoaded(args: string[], cwd = repo): { status: number | null; modules: string[] } {
  writeFileSync(logFile, "");
  const r = spawnSync(process.execPath, ["--require", builtins, ...args], { cwd, env: { ...sb.env, BUILTIN_LOG: logFile }, encoding: "utf8" });
  return { status: r.status, modules: readFileSync(logFile, "utf8").split("\n") };
}

const WEB_STREAMS_OR_UNDICI = /internal\/webstreams\/(readablestream|writablestream|transformstream)|internal\/deps\/undici/;

describe("modules each command loads", () => {
  it("encrypting and decrypting load neither Node's web streams nor undici (age-encryption gets in-memory streams)", () => {
    // Positive control: the probe sees a process that does use them.
    const control = builtinsLoaded(["-e", "new Response(new ReadableStream()).text()"]);
    expect(control.modules.filter((m) => WEB_STREAMS_OR_UNDICI.test(m)).length).toBeGreaterThanOrEqual(2);
    for (const args of [
      ["get", "API_KEY", "--reveal", "--file", ".env.dev"],
      ["list", "--file", ".env.dev"],
      ["set", "NEW_KEY", "new-value", "--file", ".env.dev"],
      ["textconv", ".env.dev"],
      ["run", "--file", ".env.dev", "--", process.execPath, "-e", "0"],
    ]) {
      const r = builtinsLoaded([binPath, ...args]);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.modules.length, args.join(" ")).toBeGreaterThan(50);
      expect(r.modules.filter((m) => WEB_STREAMS_OR_UNDICI.test(m)), args.join(" ")).toEqual([]);
    }
  });

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
