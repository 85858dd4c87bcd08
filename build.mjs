// Bundles the CLI into dist/ so start-up loads a few files instead of hundreds.
// Heavy modules (age-encryption, yaml) are split into chunks that load only
// when a command needs them.
import { build } from "esbuild";
import { esbuildAgeShims } from "./src/crypto/primitives/age-shims.mjs";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync("package.json", "utf8"));

// Chunk names change with their content: start from an empty dist/.
rmSync("dist", { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: false,
  minify: false,
  legalComments: "none",
  define: { __GIT_VAULT_VERSION__: JSON.stringify(version) },
  logLevel: "warning",
};
// The program: ES modules with lazily loaded chunks.
await build({
  ...common,
  entryPoints: { main: "src/main.ts" },
  outdir: "dist",
  splitting: true,
  // age-encryption gets node:crypto primitives and in-memory streams (ADRs 0008, 0009).
  plugins: [esbuildAgeShims],
  format: "esm",
  banner: {
    // Bundled CommonJS dependencies call require(); give them one.
    js: ["import { createRequire as __gvCreateRequire } from 'node:module';", "const require = __gvCreateRequire(import.meta.url);"].join("\n"),
  },
});
// The launcher: CommonJS starts faster than an ES module entry, and it
// answers --version and --help without loading the program.
await build({
  ...common,
  entryPoints: ["src/bin.ts"],
  outfile: "dist/bin.cjs",
  format: "cjs",
  external: ["./main.js", "./textconv.cjs"],
  banner: { js: "#!/usr/bin/env node" },
});
chmodSync("dist/bin.cjs", 0o755);
// textconv on its own, as one CommonJS file: git runs it once per blob, and
// loading ES modules and chunks costs more than the work for a small file.
await build({
  ...common,
  entryPoints: ["src/app/textconv.ts"],
  outfile: "dist/textconv.cjs",
  format: "cjs",
  plugins: [esbuildAgeShims],
});

// Generated from the command definitions, so they never drift from the code:
// the man page (`git vault --help` opens `man git-vault`), and the top-level
// help that bin.ts prints without loading the CLI.
function render(args, env = {}) {
  const result = spawnSync(process.execPath, ["dist/bin.cjs", ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`git-vault ${args.join(" ")} failed during the build: ${result.stderr}`);
  return result.stdout;
}
mkdirSync("man", { recursive: true });
writeFileSync("man/git-vault.1", render(["__man"]));
writeFileSync("dist/help.txt", render(["help"], { NO_COLOR: "1", FORCE_COLOR: "" }));
writeFileSync("dist/help-color.txt", render(["help"], { NO_COLOR: "", FORCE_COLOR: "1" }));
