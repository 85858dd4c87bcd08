// Types for code-cache.mjs (plain JavaScript, so build.mjs can import it).
import type { Script } from "node:vm";

export declare function compileBundle(file: string, cachedData?: Buffer): Script;
export declare function runBundle(script: Script, file: string): unknown;
export declare function requireWithCodeCache(file: string, cacheFile: string): unknown;
export declare function compiledBundles(): Array<[string, Script]>;
