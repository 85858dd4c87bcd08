// Lint: typescript-eslint strict type-checked, plus import boundaries that keep
// the layers of STYLE.md: cli → app → {core, crypto, git, keys, runtime, audit,
// config, files} → errors. core imports none of its siblings; only crypto/
// imports age-encryption, only config/ imports yaml, only git/ and
// runtime/ start processes, and nothing imports cli/ but bin.ts.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layers = ["agent", "app", "cli", "core", "crypto", "git", "keys", "runtime", "audit", "config", "files", "server", "remote"];
const siblings = (self, allowed) =>
  layers.filter((l) => l !== self && !allowed.includes(l)).map((l) => ({ group: [`../${l}/*`, `../../${l}/*`], message: `${self}/ must not import ${l}/ (see STYLE.md layers)` }));
const only = (name, owner) => ({ name, message: `only ${owner}/ imports ${name}` });

const restrict = (self, allowed, extra = []) => ({
  files: [`src/${self}/**/*.ts`],
  rules: {
    "no-restricted-imports": ["error", { patterns: siblings(self, allowed), paths: extra }],
  },
});

const spawners = ["git", "runtime", "audit"];
const base = (self) => [
  ...(self === "crypto" ? [] : [only("age-encryption", "crypto")]),
  ...(self === "config" ? [] : [only("yaml", "config")]),
  ...(spawners.includes(self) ? [] : [only("node:child_process", "git/, runtime/ and audit")]),
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/**", "coverage/**", "**/*.mjs", "*.js"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Template literals with numbers are how messages name lines.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // Clipanion commands are classes with static members only used by the framework.
      "@typescript-eslint/no-extraneous-class": "off",
    },
  },
  restrict("core", [], [only("age-encryption", "crypto"), only("yaml", "config"), only("node:child_process", "git/ and runtime"), { name: "node:fs", message: "core/ does no I/O" }]),
  restrict("crypto", [], base("crypto")),
  restrict("git", [], base("git")),
  restrict("files", [], base("files")),
  restrict("keys", ["core", "files", "crypto"], base("keys")),
  restrict("config", [], base("config")),
  restrict("audit", ["core", "files"], base("audit")),
  restrict("runtime", ["core"], base("runtime")),
  restrict("app", ["core", "crypto", "git", "keys", "runtime", "audit", "config", "files", "remote"], base("app")),
  // The agent is a front beside cli/ (STYLE.md "As it grows"): its socket server calls app/.
  restrict("agent", ["app", "core", "keys", "runtime"], base("agent")),
  // The HTTP client of `git vault remote`: knows HTTP, nothing of tokens' files or use cases.
  restrict("remote", [], base("remote")),
  // The HTTP API (`git vault serve`), a front beside cli/: parses requests and calls app/.
  restrict("server", ["app", "core", "config", "audit"], base("server")),
  restrict("cli", ["app", "core", "agent", "server"], base("cli")),
  {
    files: ["src/**/*.test.ts", "test/**/*.ts"],
    rules: {
      "no-restricted-imports": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      // afterEach(() => sb.cleanup()) reads better than a braced body.
      "@typescript-eslint/no-confusing-void-expression": "off",
    },
  },
);
