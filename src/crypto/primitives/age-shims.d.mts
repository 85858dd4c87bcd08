// Types for age-shims.mjs (plain JavaScript, so build.mjs can import it).
import type { Plugin as EsbuildPlugin } from "esbuild";
import type { Plugin as VitePlugin } from "vite";

export declare const nobleShims: Readonly<Record<string, string>>;
export declare const streamShim: string;
export declare const streamGlobals: readonly string[];
export declare function isAgeEncryptionFile(importer: unknown): boolean;
export declare function nobleShim(specifier: string): string;
export declare function withStreamShim(code: string, path: string): string;
export declare const esbuildAgeShims: EsbuildPlugin;
export declare const viteAgeShims: VitePlugin;
export declare const streamBufferShim: string;
export declare function withStreamBufferPatch(code: string, path: string): string;
export declare function transformAgeModule(code: string, path: string): string;
