import { defineConfig } from "vitest/config";
import { viteAgeShims } from "./src/crypto/primitives/age-shims.mjs";

export default defineConfig({
  // The tests run age-encryption with the same node:crypto primitives and
  // in-memory streams as the build (ADRs 0008, 0009); inlining age-encryption
  // lets the plugin see its modules.
  plugins: [viteAgeShims],
  test: {
    // clipanion too: its ES build imports a directory, which only bundlers resolve.
    server: { deps: { inline: ["age-encryption", "clipanion"] } },
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e tests spawn git and the CLI; two cores, so keep the pool small.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
