// Bundles git-vault into a few CommonJS files in dist/. CommonJS, because
// Node 20 loads a CommonJS file in a fraction of what its ES module loader
// costs per module (~25 ms per command for the chunks the program used to
// load). The heavy parts are their own files, required only when a command
// needs them:
//   bin.cjs       the launcher: --version and --help from pre-rendered text
//   cli.cjs       the command line and every use case (modules of commands
//                 that do not run are bundled but never evaluated)
//   crypto.cjs    src/crypto and age-encryption, on first encrypt/decrypt/key use
//   yaml.cjs      the YAML parser, only for a YAML config file
//   textconv.cjs  `textconv FILE` on its own
//   git-vault-textconv  the textconv client (sh): the agent, else `git-vault textconv`
//   keyring.cjs   @napi-rs/keyring's loader, beside its native binary
//                 (keyring.PLATFORM.node), required by src/keys/keychain.ts
//                 only when an identity is looked up in the OS keychain
//   server.cjs    `git vault serve`: the HTTP API and fastify
// textconv.cjs, cli.cjs and crypto.cjs get V8 code caches (NAME.ccache, below).
import { build } from "esbuild";
import { esbuildAgeShims } from "./src/crypto/primitives/age-shims.mjs";
import { compileBundle, compiledBundles, runBundle } from "./src/launcher/code-cache.mjs";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";

const { version } = JSON.parse(readFileSync("package.json", "utf8"));

rmSync("dist", { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: false,
  minify: false,
  legalComments: "none",
  define: { __GIT_VAULT_VERSION__: JSON.stringify(version), __GIT_VAULT_BUNDLED__: "true" },
  logLevel: "warning",
};
// src/keys/keychain.ts requires ./keyring.cjs relative to the bundle it is in.
const moduleUrl = {
  define: { ...common.define, "import.meta.url": "__gvModuleUrl" },
  banner: { js: 'const __gvModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

// The crypto layer and YAML stay out of cli.cjs: their imports become
// require()s of the sibling bundles, made when the dynamic import runs.
const siblingBundles = {
  name: "sibling-bundles",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/crypto\/index\.js$/ }, () => ({ path: "./crypto.cjs", external: true }));
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: "./yaml.cjs", external: true }));
  },
};
// `git vault serve` (fastify and its schema compiler) is its own bundle:
// cli.cjs, which every command loads, stays as small as before.
const serverBundle = {
  name: "server-bundle",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/\.\.\/server\/index\.js$/ }, () => ({ path: "./server.cjs", external: true }));
  },
};
await build({
  ...common,
  entryPoints: ["src/main.ts"],
  outfile: "dist/cli.cjs",
  plugins: [siblingBundles, serverBundle],
  // require() the sibling bundles: a dynamic import() would go through the ES module loader.
  supported: { "dynamic-import": false },
  // install.ts finds the shipped hook relative to its own file.
  ...moduleUrl,
});
await build({
  ...common,
  entryPoints: ["src/server/index.ts"],
  outfile: "dist/server.cjs",
  plugins: [siblingBundles],
  supported: { "dynamic-import": false },
  ...moduleUrl,
});
await build({
  ...common,
  entryPoints: ["src/crypto/index.ts"],
  outfile: "dist/crypto.cjs",
  // age-encryption gets node:crypto primitives and in-memory streams (ADRs 0008, 0009).
  plugins: [esbuildAgeShims],
});
await build({
  ...common,
  stdin: { contents: 'export * from "yaml";', resolveDir: ".", sourcefile: "yaml-entry.js" },
  outfile: "dist/yaml.cjs",
});
await build({
  ...common,
  entryPoints: ["src/bin.ts"],
  outfile: "dist/bin.cjs",
  external: ["./cli.cjs"],
  banner: { js: "#!/usr/bin/env node" },
});
chmodSync("dist/bin.cjs", 0o755);
// The textconv client git runs per blob: POSIX sh asking the agent (src/agent/).
copyFileSync("src/agent/textconv-client.sh", "dist/git-vault-textconv");
chmodSync("dist/git-vault-textconv", 0o755);
// textconv on its own: git runs it once per blob, and loading the command
// line costs more than the work for a small file.
await build({
  ...common,
  entryPoints: ["src/app/textconv.ts"],
  outfile: "dist/textconv.cjs",
  // The policy hook and the audit log read the configuration: YAML only when it is YAML.
  plugins: [esbuildAgeShims, { name: "yaml-sibling", setup: (b) => b.onResolve({ filter: /^yaml$/ }, () => ({ path: "./yaml.cjs", external: true })) }],
  supported: { "dynamic-import": false },
  ...moduleUrl,
});
// The keychain: napi-rs's loader first requires ./keyring.PLATFORM.node beside
// itself, so the binary of this machine's platform package (installed by npm
// as an optional dependency) is copied next to it; dist/ stays self-contained.
await build({
  ...common,
  entryPoints: ["node_modules/@napi-rs/keyring/index.js"],
  outfile: "dist/keyring.cjs",
  external: ["@napi-rs/keyring-*", "./keyring.*.node"],
});
for (const name of readdirSync("node_modules/@napi-rs").filter((n) => n.startsWith("keyring-"))) {
  for (const file of readdirSync(join("node_modules/@napi-rs", name)).filter((f) => f.endsWith(".node"))) {
    copyFileSync(join("node_modules/@napi-rs", name, file), join("dist", file));
  }
}
if (!readdirSync("dist").some((f) => f.endsWith(".node")) && existsSync("node_modules/@napi-rs/keyring")) {
  console.warn("build: no @napi-rs/keyring binary for this platform; git-vault will keep identities in the file");
}

// Generated from the command definitions, so they never drift from the code:
// the man page (`git vault --help` opens `man git-vault`), and the top-level
// help that bin.ts prints without loading the CLI.
// A bundle with one character outside ASCII (a comment esbuild kept, say)
// is read as a two-byte string, twice the size, on every start: measured
// ~3-8 ms of a command's start-up for cli.cjs. Found and fixed; kept so.
for (const file of readdirSync("dist").filter((f) => f.endsWith(".cjs"))) {
  const lines = readFileSync(join("dist", file), "utf8").split("\n");
  const at = lines.findIndex((line) => /[^\x00-\x7f]/.test(line));
  if (at !== -1) throw new Error(`build: dist/${file}:${at + 1} has a character outside ASCII; write it as ASCII in the source (bundles load as one-byte strings)`);
}

function render(args, env = {}) {
  const result = spawnSync(process.execPath, ["dist/bin.cjs", ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`git-vault ${args.join(" ")} failed during the build: ${result.stderr}`);
  return result.stdout;
}
mkdirSync("man", { recursive: true });
writeFileSync("man/git-vault.1", render(["__man"]));
writeFileSync("dist/help.txt", render(["help"], { NO_COLOR: "1", FORCE_COLOR: "" }));
writeFileSync("dist/help-color.txt", render(["help"], { NO_COLOR: "", FORCE_COLOR: "1" }));

// V8 code caches (src/launcher/code-cache.mjs, ADR 0010) for the bundles
// that typical commands run: their bytecode after running those commands on
// a sample file, so each process skips compiling the functions it runs. The
// sample is encrypted to a throwaway identity that only this build process
// holds (it reaches git-vault through GIT_VAULT_IDENTITY and is never
// written); the folder holds ciphertext only and is removed.
/** Runs `use` with a sample vault file and the environment that decrypts it. */
async function withSample(use) {
  const { generateX25519Identity, identityToRecipient } = await import("age-encryption");
  const identity = await generateX25519Identity();
  const dir = mkdtempSync(join(tmpdir(), "git-vault-build-"));
  try {
    const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, "config"), GIT_VAULT_IDENTITY: identity, NO_COLOR: "1" };
    const sample = join(dir, ".env.dev");
    const lines = Array.from({ length: 20 }, (_, i) => `KEY_${i}=value-${i}`);
    writeFileSync(sample, ["# git-vault v1", `# recipient: ${await identityToRecipient(identity)}`, "", ...lines, ""].join("\n"));
    render(["encrypt", "--file", sample], env);
    await use({ dir, env, sample });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stream that keeps what is written to it. */
function sink() {
  const parts = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      parts.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => parts.join("") });
}

await withSample(async ({ dir, env, sample }) => {
  const textconvBundle = resolve("dist/textconv.cjs");
  const { textconvText } = runBundle(compileBundle(textconvBundle), textconvBundle);
  const shown = await textconvText({ cwd: dir, env, clock: () => new Date() }, sample);
  if (!shown.includes("KEY_19=value-19\n")) throw new Error("textconv did not decrypt the sample during the build");

  const cliBundle = resolve("dist/cli.cjs");
  const { main } = runBundle(compileBundle(cliBundle), cliBundle);
  for (const argv of [
    ["get", "KEY_3", "--reveal", "--file", sample],
    ["list", "--file", sample],
    ["set", "KEY_4", "new-value", "--file", sample],
    ["verify", "--file", sample],
  ]) {
    const stdout = sink();
    const stderr = sink();
    const code = await main(argv, { cwd: dir, env, stdin: process.stdin, stdout, stderr, clock: () => new Date() }, process);
    if (code !== 0) throw new Error(`git-vault ${argv[0]} failed while making the code cache: ${stderr.text()}`);
  }
  // textconv.cjs, cli.cjs and crypto.cjs, which cli.cjs required on the way.
  for (const [file, script] of compiledBundles()) writeFileSync(file.replace(/\.cjs$/, ".ccache"), script.createCachedData());
});
