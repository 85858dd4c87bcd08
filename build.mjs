// Bundles the CLI into dist/ so start-up loads a few files instead of hundreds.
// Heavy modules (age-encryption, yaml) are split into chunks that load only
// when a command needs them.
import { build } from "esbuild";
import { esbuildAgeShims } from "./src/crypto/primitives/age-shims.mjs";
import { compileBundle, runBundle } from "./src/launcher/code-cache.mjs";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

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
  external: ["./main.js"],
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

// The V8 code cache for textconv.cjs (src/launcher/code-cache.mjs): its
// bytecode after decrypting a sample file, so each `textconv FILE` skips
// compiling the functions it runs. The sample is encrypted to a throwaway
// identity that only this build process holds (it reaches git-vault through
// GIT_VAULT_IDENTITY and is never written); the folder holds ciphertext only.
async function writeTextconvCodeCache() {
  const { generateX25519Identity, identityToRecipient } = await import("age-encryption");
  const identity = await generateX25519Identity();
  const dir = mkdtempSync(join(tmpdir(), "git-vault-build-"));
  try {
    const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, "config"), GIT_VAULT_IDENTITY: identity };
    const sample = join(dir, ".env.dev");
    const lines = Array.from({ length: 20 }, (_, i) => `KEY_${i}=value-${i}`);
    writeFileSync(sample, ["# git-vault v1", `# recipient: ${await identityToRecipient(identity)}`, "", ...lines, ""].join("\n"));
    render(["encrypt", "--file", sample], env);
    const bundle = resolve("dist/textconv.cjs");
    const script = compileBundle(bundle);
    const { textconvText } = runBundle(script, bundle);
    const shown = await textconvText({ cwd: dir, env }, sample);
    if (!shown.includes("KEY_19=value-19\n")) throw new Error("textconv did not decrypt the sample during the build");
    writeFileSync("dist/textconv.ccache", script.createCachedData());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
await writeTextconvCodeCache();
