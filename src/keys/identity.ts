/**
 * Where this device's age identity comes from, in order of precedence:
 * `--identity-file`, `GIT_VAULT_IDENTITY` (key text), `GIT_VAULT_IDENTITY_FILE`,
 * the OS keychain (a later provider slots in here), then the identity file
 * `$XDG_CONFIG_HOME/git-vault/identity`. Identity text is held in `Secret`s and
 * never reaches argv, logs or child processes.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { Secret } from "../core/secret.js";
import { VaultError } from "../errors.js";

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

const KEY_RE = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]+$/;

/** The identity file of this device: `$XDG_CONFIG_HOME/git-vault/identity`. */
export function defaultIdentityPath(env: NodeJS.ProcessEnv): string {
  // The XDG spec: a relative value is invalid and ignored. Honoured, it would put
  // the private key in whatever folder the command runs in, a repo's included.
  const configured = env["XDG_CONFIG_HOME"];
  const base = configured && isAbsolute(configured) ? configured : join(env["HOME"] || homedir(), ".config");
  return join(base, "git-vault", "identity");
}

/**
 * Reads identities from age-keygen style text: `#` comments, blank lines and
 * `AGE-SECRET-KEY-1…` lines. Errors name the line, never its content.
 */
export function parseIdentityText(text: string, sourceName: string): Secret[] {
  const keys: Secret[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (!KEY_RE.test(line)) {
      throw new VaultError("identity-invalid", `${sourceName}:${index + 1}: not an age X25519 identity (AGE-SECRET-KEY-1…)`, {
        hint: "identity files hold lines written by `age-keygen` or `git vault keygen`",
      });
    }
    keys.push(new Secret(line));
  });
  if (keys.length === 0) {
    throw new VaultError("identity-invalid", `${sourceName}: contains no age identity`);
  }
  return keys;
}

/** The error for an identity whose keys parse as text but not as age keys (e.g. cut short when copied). */
export function invalidIdentityError(identity: Identity): VaultError {
  return new VaultError("identity-invalid", `${identity.source.description}: not a valid age identity`, {
    hint: "check the key was copied whole (AGE-SECRET-KEY-1…); `git vault keys where` shows which identity is used",
  });
}

/** Refuses a private key file that group or others can read or write. */
export function checkIdentityFileMode(path: string): void {
  const stat = statSync(path);
  // A pipe is fine (`-i <(pass show age-key)`); a folder or a device is no key
  // file, and a chmod hint there would be harmful (`chmod 600 /dev/null`).
  if (stat.isDirectory() || stat.isCharacterDevice() || stat.isBlockDevice()) {
    throw new VaultError("identity-not-a-file", `${path} is not a regular file (${stat.isDirectory() ? "a folder" : "a device"})`, {
      hint: "name an age identity file (AGE-SECRET-KEY-1… lines), such as the one `git vault keygen` writes",
    });
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new VaultError("identity-permissions", `${path} is accessible by group or others (mode ${mode.toString(8).padStart(4, "0")})`, {
      hint: `restrict it: chmod 600 ${path}`,
    });
  }
}

function readIdentityFile(path: string, source: IdentitySource): Identity {
  let text: string;
  try {
    checkIdentityFileMode(path);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof VaultError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new VaultError("identity-unreadable", `cannot read identity file ${path} (${code ?? "error"})`, {
      hint: "check the path, or create an identity with `git vault keygen`",
    });
  }
  return { keys: parseIdentityText(text, path), source };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether GIT_VAULT_REMOTE marks a worker environment (any value but empty or `0`). */
export function isRemoteWorker(env: NodeJS.ProcessEnv): boolean {
  const v = env["GIT_VAULT_REMOTE"];
  return v !== undefined && v !== "" && v !== "0";
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
  const path = defaultIdentityPath(env);
  if (!exists(path)) return null;
  return readIdentityFile(path, { kind: "file", description: path, path });
}

/** Like {@link resolveIdentity}, but a missing identity is an error with the fix. */
export function requireIdentity(request: IdentityRequest): Identity {
  // A worker environment reads secrets through `git vault remote` only: no local decryption, even with a key at hand.
  if (isRemoteWorker(request.env)) {
    throw new VaultError("remote-worker", "GIT_VAULT_REMOTE marks this as a worker environment: secrets are not decrypted here", {
      hint: "read them through the API: `git vault remote get KEY --reveal --server URL --token-dir DIR` or `git vault remote run --server URL --token-dir DIR -- CMD`",
    });
  }
  const identity = resolveIdentity(request);
  if (identity === null) {
    throw new VaultError("no-identity", "no age identity found on this device", {
      hint: "create one with `git vault keygen` or `git vault keys import FILE`; an identity kept elsewhere is named on each command with --identity-file (-i) or GIT_VAULT_IDENTITY_FILE (GIT_VAULT_IDENTITY for the key itself)",
    });
  }
  return identity;
}
