// Loading a CommonJS bundle with a V8 code cache made at build time
// (docs/performance.md). `textconv FILE` runs once per blob in `git log -p`;
// most of its functions run once, so compiling them costs as much as running
// them. The cache holds their bytecode, made by running textconv during the
// build. Plain JavaScript, so build.mjs can import it.
//
// V8 checks the cache against the source, its own version and the flags, and
// rejects one that does not match: the bundle then compiles as usual. A
// missing or unreadable cache file is the same as no cache.
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";

/** Compiles a CommonJS file as Node's loader would, with cached bytecode when given. */
export function compileBundle(file, cachedData) {
  return new Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
}

/** Runs a compiled CommonJS file once and returns its exports. */
export function runBundle(script, file) {
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** `require(file)`, with the bytecode in `cacheFile` when it exists and matches. */
export function requireWithCodeCache(file, cacheFile) {
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  return runBundle(compileBundle(file, cachedData), file);
}
