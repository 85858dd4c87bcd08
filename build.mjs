// Bundles the CLI into dist/ so start-up loads a few files instead of hundreds.
// Heavy modules (age-encryption, cosmiconfig, diff) are split into chunks that
// load only when a command needs them.
import { build } from "esbuild";
import { chmodSync, readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync("package.json", "utf8"));

await build({
  entryPoints: { bin: "src/bin.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: false,
  minify: false,
  legalComments: "none",
  banner: {
    js: [
      "#!/usr/bin/env node",
      // Bundled CommonJS dependencies call require(); give them one.
      "import { createRequire as __gvCreateRequire } from 'node:module';",
      "const require = __gvCreateRequire(import.meta.url);",
    ].join("\n"),
  },
  define: { __GIT_VAULT_VERSION__: JSON.stringify(version) },
  logLevel: "warning",
});
chmodSync("dist/bin.js", 0o755);
