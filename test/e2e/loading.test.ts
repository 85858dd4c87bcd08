// What each command loads (performance issue: "commands that need no crypto
// never load it; no module loaded that the command does not use"). dist/ is
// a few CommonJS bundles (build.mjs); a preload records every one the built
// program reads, and process.moduleLoadList shows Node's own modules.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, binPath, makeSandbox, repoRoot } from "../support/sandbox.js";
import { writeLoadTracer } from "../support/load-trace.js";

const dist = join(repoRoot, "dist");

/**
 * The dist bundles that contain a module (esbuild marks each with a `// path` line).
 * The path is relative to the checkout, with `../` steps before `node_modules/`
 * when node_modules is a link to another checkout's (a git worktree).
 */
function bundlesWith(marker: string): string[] {
  const path = marker.replace(/^\/\/ /, "");
  const line = new RegExp(`^// (?:\\S*/)?${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m");
  return readdirSync(dist).filter((name) => name.endsWith(".cjs") && line.test(readFileSync(join(dist, name), "utf8")));
}

let sb: Sandbox;
let repo: string;
let preload: string;
let logFile: string;

/** Runs node with the preload and returns what it recorded: dist bundles and Node's built-in modules. */
function traced(args: string[], cwd = repo, output: "pipe" | "ignore" = "pipe"): { status: number | null; bundles: string[]; builtins: string[] } {
  writeFileSync(logFile, "");
  const r = spawnSync(process.execPath, ["--require", preload, ...args], { cwd, env: { ...sb.env, LOAD_LOG: logFile }, encoding: "utf8", stdio: ["ignore", output, output] });
  const lines = readFileSync(logFile, "utf8").split("\n");
  const bundles = lines.filter((l) => l.startsWith(`compiled ${dist}/`)).map((l) => l.slice(l.lastIndexOf("/") + 1));
  const builtins = lines.filter((l) => l.startsWith("builtin ")).map((l) => l.slice("builtin ".length));
  return { status: r.status, bundles, builtins };
}

/** The bundles the built git-vault compiles besides the launcher itself. */
function loaded(args: string[], cwd = repo): { status: number | null; bundles: string[] } {
  const r = traced([binPath, ...args], cwd);
  return { status: r.status, bundles: r.bundles.filter((name) => name !== "bin.cjs") };
}

beforeAll(() => {
  sb = makeSandbox();
  preload = join(sb.root, "trace.cjs");
  writeLoadTracer(preload, ['process.on("exit", () => appendFileSync(process.env.LOAD_LOG, process.moduleLoadList.map((m) => `builtin ${m}\\n`).join("")));']);
  logFile = join(sb.root, "loaded.txt");
  repo = sb.repo("app");
  expect(sb.vault(repo, ["keygen"]).status).toBe(0);
  writeFileSync(join(repo, ".env.dev"), "API_KEY=value-1\nDB_URL=value-2\n");
  expect(sb.vault(repo, ["encrypt", "--file", ".env.dev"]).status).toBe(0);
});
afterAll(() => sb.cleanup());

const WEB_STREAMS_OR_UNDICI = /internal\/webstreams\/(readablestream|writablestream|transformstream)|internal\/deps\/undici/;

describe("modules each command loads", () => {
  it("dist/ keeps age-encryption and the crypto layer in crypto.cjs and YAML in yaml.cjs, and nowhere else", () => {
    expect(bundlesWith("node_modules/age-encryption/").sort()).toEqual(["crypto.cjs", "textconv.cjs"]);
    expect(bundlesWith("src/crypto/x25519.ts").sort()).toEqual(["crypto.cjs", "textconv.cjs"]);
    expect(bundlesWith("node_modules/yaml/")).toEqual(["yaml.cjs"]);
    expect(bundlesWith("node_modules/clipanion/")).toEqual(["cli.cjs"]);
    // The keychain's native loader (test/e2e/keychain.test.ts: loaded only when an identity is looked up).
    expect(bundlesWith("node_modules/@napi-rs/keyring/")).toEqual(["keyring.cjs"]);
  });

  it("commands that decrypt load the crypto bundle (the preload sees it)", () => {
    const r = loaded(["get", "API_KEY", "--reveal", "--file", ".env.dev"]);
    expect(r.status).toBe(0);
    expect(r.bundles).toEqual(["cli.cjs", "crypto.cjs"]);
  });

  it("commands that need no crypto load neither the crypto layer nor age-encryption", () => {
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
      expect(r.bundles, args.join(" ")).toEqual(["cli.cjs"]);
    }
  });

  it("encrypting and decrypting load neither Node's web streams nor undici (age-encryption gets in-memory streams)", () => {
    // Positive control: the probe sees a process that does use them.
    const control = traced(["-e", "new Response(new ReadableStream()).text()"]);
    expect(control.builtins.filter((m) => WEB_STREAMS_OR_UNDICI.test(m)).length).toBeGreaterThanOrEqual(2);
    for (const args of [
      ["get", "API_KEY", "--reveal", "--file", ".env.dev"],
      ["list", "--file", ".env.dev"],
      ["set", "NEW_KEY", "new-value", "--file", ".env.dev"],
      ["textconv", ".env.dev"],
      ["run", "--file", ".env.dev", "--", process.execPath, "-e", "0"],
    ]) {
      const r = traced([binPath, ...args]);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.builtins.length, args.join(" ")).toBeGreaterThan(50);
      expect(r.builtins.filter((m) => WEB_STREAMS_OR_UNDICI.test(m)), args.join(" ")).toEqual([]);
    }
  });

  it("--version and --help load only the launcher; YAML is parsed only when there is a YAML config", () => {
    for (const flag of ["--version", "--help"]) expect(loaded([flag])).toEqual({ status: 0, bundles: [] });
    // Nor any of Node's own modules beyond what a script that prints a line loads (an import of node:tty,
    // say). Output to /dev/null, as the benchmark has it: a pipe would load Node's net streams anyway.
    const floor = new Set(traced(["-e", 'process.stdout.write("x\\n")'], repo, "ignore").builtins);
    for (const flag of ["--version", "--help"]) {
      const extra = traced([binPath, flag], repo, "ignore").builtins.filter((m) => !floor.has(m) && /^NativeModule (?!internal\/modules\/)/.test(m));
      expect(extra, flag).toEqual([]);
    }
    expect(loaded(["list", "--file", ".env.dev"]).bundles).not.toContain("yaml.cjs");
    writeFileSync(join(repo, ".git-vaultrc.yaml"), "vaultDir: vault\n");
    const withYaml = loaded(["list", "--file", ".env.dev"]);
    expect(withYaml.status).toBe(0);
    expect(withYaml.bundles).toContain("yaml.cjs");
  });
});
