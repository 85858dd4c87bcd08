/**
 * Where this device's age identity comes from, in order of precedence:
 * `--identity-file`, `GIT_VAULT_IDENTITY` (key text), `GIT_VAULT_IDENTITY_FILE`,
 * the OS keychain (a later provider slots in here), then the identity file
 * `$XDG_CONFIG_HOME/git-vault/identity`. Identity text is held in `Secret`s and
 * never reaches argv, logs or child processes.
 */
import { resolve } from "node:path";
import type { Secret } from "../core/secret.js";
import { VaultError } from "../errors.js";
import { deviceIdentityStore, parseDeviceIdentity, readIdentityFileText } from "./store.js";

export { checkIdentityFileMode, defaultIdentityPath } from "./store.js";

/** How the identity in use was found. */
export type IdentitySourceKind = "flag" | "env" | "env-file" | "keychain" | "file";

export interface IdentitySource {
  readonly kind: IdentitySourceKind;
  /** For people: "--identity-file ./ci.key", "GIT_VAULT_IDENTITY", a path… */
  readonly description: string;
  /** The file it was read from, when it is a file. */
  readonly path: string | null;
}

/** One or more age identities; the first is this device's current one. */
export interface Identity {
  readonly keys: readonly Secret[];
  readonly source: IdentitySource;
}

/** Inputs to identity resolution. */
export interface IdentityRequest {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly identityFile?: string | undefined;
}

/**
 * Reads identities from age-keygen style text: `#` comments, blank lines and
 * `AGE-SECRET-KEY-1…` lines, the device's current key first. Errors name the
 * line, never its content.
 */
export function parseIdentityText(text: string, sourceName: string): Secret[] {
  return parseDeviceIdentity(text, sourceName).keys.map((k) => k.key);
}

/** The error for an identity whose keys parse as text but not as age keys (e.g. cut short when copied). */
export function invalidIdentityError(identity: Identity): VaultError {
  return new VaultError("identity-invalid", `${identity.source.description}: not a valid age identity`, {
    hint: "check the key was copied whole (AGE-SECRET-KEY-1…); `git vault keys where` shows which identity is used",
  });
}

function readIdentityFile(path: string, source: IdentitySource): Identity {
  return { keys: parseIdentityText(readIdentityFileText(path), path), source };
}

/** Finds the identity to use, or null when this device has none. */
export function resolveIdentity(request: IdentityRequest): Identity | null {
  const { env, cwd } = request;
  if (request.identityFile !== undefined) {
    const path = resolve(cwd, request.identityFile);
    return readIdentityFile(path, { kind: "flag", description: `--identity-file ${path}`, path });
  }
  const text = env["GIT_VAULT_IDENTITY"];
  if (text !== undefined && text.trim() !== "") {
    return { keys: parseIdentityText(text, "GIT_VAULT_IDENTITY"), source: { kind: "env", description: "GIT_VAULT_IDENTITY", path: null } };
  }
  const envFile = env["GIT_VAULT_IDENTITY_FILE"];
  if (envFile !== undefined && envFile !== "") {
    const path = resolve(cwd, envFile);
    return readIdentityFile(path, { kind: "env-file", description: `GIT_VAULT_IDENTITY_FILE=${path}`, path });
  }
  const store = deviceIdentityStore(env);
  const stored = store.read();
  if (stored === null) return null;
  return { keys: stored.keys.map((k) => k.key), source: { kind: store.kind, description: store.description, path: store.path } };
}

/** Like {@link resolveIdentity}, but a missing identity is an error with the fix. */
export function requireIdentity(request: IdentityRequest): Identity {
  const identity = resolveIdentity(request);
  if (identity === null) {
    throw new VaultError("no-identity", "no age identity found on this device", {
      hint: "create one with `git vault keygen` or `git vault keys import FILE`; an identity kept elsewhere is named on each command with --identity-file (-i) or GIT_VAULT_IDENTITY_FILE (GIT_VAULT_IDENTITY for the key itself)",
    });
  }
  return identity;
}
