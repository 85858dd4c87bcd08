// Loading dist/'s CommonJS bundles with V8 code caches made at build time
// (build.mjs, docs/performance.md). A git-vault process is short: most of
// the functions it runs, run once, so compiling them costs about as much as
// running them. A bundle's cache (NAME.ccache beside NAME.cjs) holds their
// bytecode, made by running typical commands during the build. Plain
// JavaScript, so build.mjs can import it.
//
// V8 checks a cache against the source, its own version and the flags, and
// rejects one that does not match: the bundle then compiles as usual. A
// missing or unreadable cache file is the same as no cache.
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

/** Every bundle this process compiled, by file: its script and module (like require.cache). */
const bundles = new Map();

/** Compiles a CommonJS file as Node's loader would, with cached bytecode when given. */
export function compileBundle(file, cachedData) {
  return new Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
}

/**
 * Runs a compiled CommonJS file once and returns its exports. Its require()
 * loads sibling bundles (`./NAME.cjs`) the same way, with their caches.
 */
export function runBundle(script, file) {
  const module = { exports: {} };
  bundles.set(file, { script, module });
  script.runInThisContext().call(module.exports, module.exports, bundleRequire(file), module, file, dirname(file));
  return module.exports;
}

/** `require(file)`, with the bytecode in `cacheFile` when it exists and matches. */
export function requireWithCodeCache(file, cacheFile) {
  const known = bundles.get(file);
  if (known !== undefined) return known.module.exports;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  return runBundle(compileBundle(file, cachedData), file);
}

/** The bundles compiled so far, as [file, script]: the build makes their caches. */
export function compiledBundles() {
  return [...bundles].map(([file, { script }]) => [file, script]);
}

const SIBLING_BUNDLE = /^\.\/[\w-]+\.cjs$/;

function bundleRequire(file) {
  const nodeRequire = createRequire(file);
  const require = (id) => {
    if (!SIBLING_BUNDLE.test(id)) return nodeRequire(id);
    const sibling = join(dirname(file), id);
    return requireWithCodeCache(sibling, sibling.replace(/\.cjs$/, ".ccache"));
  };
  return Object.assign(require, { resolve: nodeRequire.resolve, cache: nodeRequire.cache });
}
