/** The package version, inlined by the build (see build.mjs). */
declare const __GIT_VAULT_VERSION__: string | undefined;
export const VERSION: string = typeof __GIT_VAULT_VERSION__ === "string" ? __GIT_VAULT_VERSION__ : "0.0.0-dev";
