/**
 * Where this device keeps its own identity, and the shape of what it keeps.
 *
 * A device identity is a list of age keys, each in a state:
 * - `current`: the key whose recipient this device puts in env files;
 * - `pending`: a key `rotate` has made and stored but not yet switched to
 *   (kept so that a rotation cut short still reads every file it rewrote);
 * - `retired`: an earlier key, kept only to read history.
 * Every key decrypts; only the current one is this device's recipient.
 *
 * Backends implement {@link IdentityStore}; {@link deviceIdentityStore} picks the
 * one in use: the OS keychain (keychain.ts) or the identity file. The
 * file backend writes age-keygen style text, so `age -d -i FILE` reads it:
 *
 * ```
 * # created: 2026-12-06T22:00:00Z
 * # public key: age1…
 * AGE-SECRET-KEY-1…
 * # git-vault: retired 2026-12-06T22:30:00Z
 * # public key: age1…
 * AGE-SECRET-KEY-1…
 * ```
 */
import { existsSync, readFileSync, rmSync, statSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { Secret } from "../core/secret.js";
import { VaultError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { probeKeychain } from "./keychain.js";

/** What a stored key is for; see the module comment. */
export type KeyState = "current" | "pending" | "retired";

/** One key of a device identity. */
export interface StoredKey {
  readonly key: Secret;
  readonly state: KeyState;
  /** Its public recipient, when known (written as a comment; never trusted for crypto). */
  readonly recipient?: string | undefined;
  /** When it was created, retired or made pending (ISO 8601, seconds), when known. */
  readonly since?: string | undefined;
}

/** A device's identity: its keys, the current one first. */
export interface DeviceIdentity {
  readonly keys: readonly StoredKey[];
}

/** A place this device's identity is kept. */
export interface IdentityStore {
  readonly kind: "file" | "keychain";
  /** For people: the file's path, or the keychain and its service name. */
  readonly description: string;
  /** The file, for the file backend; null for a keychain. */
  readonly path: string | null;
  /** What is stored, or null when nothing is. Errors name the store, never a key. */
  read(): DeviceIdentity | null;
  /**
   * Replaces what is stored, all or nothing. With `exclusive`, refuses
   * (`identity-exists`) when something is stored already.
   */
  write(identity: DeviceIdentity, options?: { readonly exclusive?: boolean }): void;
  /**
   * Deletes what is stored; nothing stored is not an error. `copied`: a
   * whole copy of it was just written to the other store (a migration).
   */
  remove(options?: { readonly copied?: boolean }): void;
  /** For the file chosen by {@link deviceIdentityStore}: why the keychain is not used (no session bus, locked…). */
  readonly keychainProblem?: string | undefined;
}

const KEY_RE = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]+$/;
const MARKER_RE = /^#\s*git-vault:\s*(pending|retired)(?:\s+(\S+))?\s*$/;
const RECIPIENT_RE = /^#\s*public key:\s*(age1\S+)\s*$/;
const CREATED_RE = /^#\s*(?:created|imported):\s*(\S+)\s*$/;

/** ISO 8601 to the second, as age-keygen writes its `# created:` line. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Reads identity text: age-keygen style `AGE-SECRET-KEY-1…` lines and `#`
 * comments, with git-vault's state markers. Keys without a marker are
 * `current` (a plain age identity file is all current keys; the first is the
 * device's recipient). Errors name the line, never its content.
 */
export function parseDeviceIdentity(text: string, sourceName: string): DeviceIdentity {
  const keys: StoredKey[] = [];
  let state: KeyState = "current";
  let recipient: string | undefined;
  let since: string | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    if (line.startsWith("#")) {
      const marker = MARKER_RE.exec(line);
      if (marker) [state, since] = [marker[1] as KeyState, marker[2] ?? since];
      recipient = RECIPIENT_RE.exec(line)?.[1] ?? recipient;
      since = CREATED_RE.exec(line)?.[1] ?? since;
      return;
    }
    if (!KEY_RE.test(line)) {
      throw new VaultError("identity-invalid", `${sourceName}:${index + 1}: not an age X25519 identity (AGE-SECRET-KEY-1…)`, {
        hint: "identity files hold lines written by `age-keygen` or `git vault keygen`",
      });
    }
    keys.push({ key: new Secret(line), state, recipient, since });
    [state, recipient, since] = ["current", undefined, undefined];
  });
  if (keys.length === 0) {
    throw new VaultError("identity-invalid", `${sourceName}: contains no age identity`);
  }
  return { keys: orderKeys(keys) };
}

/** Identity text for {@link parseDeviceIdentity}, current keys first. */
export function encodeDeviceIdentity(identity: DeviceIdentity): string {
  return orderKeys(identity.keys)
    .map((k) => {
      const lines: string[] = [];
      if (k.state === "current") {
        if (k.since !== undefined) lines.push(`# created: ${k.since}`);
      } else {
        lines.push(`# git-vault: ${k.state}${k.since === undefined ? "" : ` ${k.since}`}`);
      }
      if (k.recipient !== undefined) lines.push(`# public key: ${k.recipient}`);
      lines.push(k.key.reveal());
      return `${lines.join("\n")}\n`;
    })
    .join("");
}

const STATE_ORDER: Readonly<Record<KeyState, number>> = { current: 0, pending: 1, retired: 2 };

/** Current keys, then pending, then retired, each group in its stored order: the order decryption tries them. */
export function orderKeys(keys: readonly StoredKey[]): StoredKey[] {
  return [...keys].sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state]);
}

/** The identity file of this device: `$XDG_CONFIG_HOME/git-vault/identity`. */
export function defaultIdentityPath(env: NodeJS.ProcessEnv): string {
  // The XDG spec: a relative value is invalid and ignored. Honoured, it would put
  // the private key in whatever folder the command runs in, a repo's included.
  const configured = env["XDG_CONFIG_HOME"];
  const base = configured && isAbsolute(configured) ? configured : join(env["HOME"] || homedir(), ".config");
  return join(base, "git-vault", "identity");
}

/** Refuses a private key file that group or others can read or write, and a path that is no file. */
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

/** Reads an identity file's text after checking its mode; errors name the path and the reason. */
export function readIdentityFileText(path: string): string {
  try {
    checkIdentityFileMode(path);
    return readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof VaultError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new VaultError("identity-unreadable", `cannot read identity file ${path} (${code ?? "error"})`, {
      hint: "check the path, or create an identity with `git vault keygen`",
    });
  }
}

/** The identity file as a store: mode 0600 in a 0700 folder, replaced atomically. */
export function fileIdentityStore(path: string): IdentityStore {
  return {
    kind: "file",
    description: path,
    path,
    read() {
      try {
        statSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      }
      return parseDeviceIdentity(readIdentityFileText(path), path);
    },
    write(identity, options = {}) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      try {
        writeFileAtomic(path, encodeDeviceIdentity(identity), { mode: 0o600, ...(options.exclusive ? { exclusive: true } : {}) });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") {
          throw new VaultError("identity-exists", `an identity already exists at ${path}`, {
            hint: "git-vault keeps one identity per device; see it with `git vault keys show`",
          });
        }
        throw error;
      }
    },
    remove() {
      rmSync(path, { force: true });
    },
  };
}

/**
 * The store this device's identity lives in (SPEC §6: the keychain before the
 * file): the keychain when it holds an identity, else the file when it holds
 * one, else (nothing stored yet) the keychain when it is usable. A keychain
 * that cannot be used (no session bus, no native module, locked) leaves the
 * file, which then says why in `keychainProblem`.
 */
export function deviceIdentityStore(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): IdentityStore {
  return identityStores(env, platform).device;
}

/** Both backends of this device, and the one {@link deviceIdentityStore} picks. */
export function identityStores(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): { readonly device: IdentityStore; readonly keychain: IdentityStore | null; readonly file: IdentityStore; readonly keychainProblem: string | null } {
  const path = defaultIdentityPath(env);
  const file = fileIdentityStore(path);
  const probe = probeKeychain(env, platform);
  const withProblem = (problem: string | null) => ({ ...file, keychainProblem: problem ?? undefined });
  if (probe.store === null) return { device: withProblem(probe.problem), keychain: null, file, keychainProblem: probe.problem };
  const keychain = probe.store;
  const device = keychain.read() !== null || !existsSync(path) ? keychain : file;
  return { device, keychain, file, keychainProblem: null };
}
