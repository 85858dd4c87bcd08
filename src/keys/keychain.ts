/**
 * The OS keychain as an {@link IdentityStore}: the macOS login Keychain, or a
 * Secret Service (gnome-keyring, KWallet, KeePassXC…) on Linux, through
 * `@napi-rs/keyring` (DECISIONS D5).
 *
 * Layout, service `git-vault`:
 * - account `identity`: the device's current key;
 * - account `key:<id>`: every other key (pending, retired, further current
 *   ones), `<id>` the first 12 hex digits of the SHA-256 of the key text.
 * Each entry's secret is age identity text for one key, with git-vault's state
 * marker (store.ts), so `secret-tool lookup service git-vault username identity`
 * prints a file that `age -d -i` reads.
 *
 * The native module is loaded on first use only (commands that need no
 * identity never load it). On Linux every entry is pinned to the Secret
 * Service: keyring-rs would otherwise fall back to the kernel keyring, which
 * is lost at reboot, and SPEC §6 forbids using it silently. When no session bus
 * can be found the module is not even loaded.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { VaultError } from "../errors.js";
import { type DeviceIdentity, type IdentityStore, type StoredKey, encodeDeviceIdentity, orderKeys, parseDeviceIdentity } from "./store.js";

/** The keychain service every git-vault entry is filed under. */
export const KEYCHAIN_SERVICE = "git-vault";
/** The account of the device's current key. */
export const DEVICE_ACCOUNT = "identity";
const OTHER_KEY_PREFIX = "key:";

type Native = typeof import("@napi-rs/keyring");
type NativeEntry = InstanceType<Native["Entry"]>;

/** Set by build.mjs: the bundles load the native module from dist/keyring.cjs. */
declare const __GIT_VAULT_BUNDLED__: boolean | undefined;

/** The keychain of this platform, or why there is none usable. */
export type KeychainProbe = { readonly store: IdentityStore; readonly problem: null } | { readonly store: null; readonly problem: string };

/** The keychain's name for people, per platform. */
function keychainName(platform: NodeJS.Platform): string {
  return platform === "darwin" ? "macOS login Keychain" : "Secret Service";
}

/**
 * Why a Linux process would find no session bus, or null when one may exist:
 * libdbus uses DBUS_SESSION_BUS_ADDRESS, else `$XDG_RUNTIME_DIR/bus`.
 */
export function missingSessionBus(env: NodeJS.ProcessEnv): string | null {
  if ((env["DBUS_SESSION_BUS_ADDRESS"] ?? "") !== "") return null;
  const runtime = env["XDG_RUNTIME_DIR"];
  if (runtime && existsSync(join(runtime, "bus"))) return null;
  return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)";
}

function loadNative(): Native {
  const load = createRequire(import.meta.url);
  return load(typeof __GIT_VAULT_BUNDLED__ === "boolean" ? "./keyring.cjs" : "@napi-rs/keyring") as Native;
}

/** A native error's message, cut to its first line, without anything shaped like a key. */
function nativeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? "").replace(/AGE-SECRET-KEY-1\S*/gi, "[redacted]").slice(0, 200);
}

/** The error for a keychain call that failed; names the keychain and entry, never a key. */
function keychainError(what: string, name: string, error: unknown): VaultError {
  return new VaultError("keychain-failed", `${name}: cannot ${what} (${nativeMessage(error)})`, {
    hint: "unlock the keychain, or keep the identity in the file: `git vault keys migrate --to file`",
  });
}

/** A key's account name: `identity` for the device's current key, else `key:` and a digest of the key. */
function accountOf(key: StoredKey, first: boolean): string {
  if (first) return DEVICE_ACCOUNT;
  return `${OTHER_KEY_PREFIX}${createHash("sha256").update(key.key.reveal()).digest("hex").slice(0, 12)}`;
}

/** Sort order putting the device entry last, the others in their order. */
function deviceLast(a: string, b: string): number {
  return Number(a === DEVICE_ACCOUNT) - Number(b === DEVICE_ACCOUNT);
}

function isOurs(account: string): boolean {
  return account === DEVICE_ACCOUNT || account.startsWith(OTHER_KEY_PREFIX);
}

/**
 * Opens this platform's keychain, or says why it cannot be used: no session bus,
 * the native module missing or failing to load, no Secret Service on the bus,
 * or a keychain that refuses reads (locked, no unlock prompt possible).
 */
export function probeKeychain(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, load: () => Native = loadNative): KeychainProbe {
  if (platform !== "linux" && platform !== "darwin") return { store: null, problem: `no keychain support on ${platform}` };
  if (platform === "linux") {
    const noBus = missingSessionBus(env);
    if (noBus !== null) return { store: null, problem: noBus };
  }
  let native: Native;
  try {
    native = load();
  } catch (error) {
    return { store: null, problem: `the keychain module (@napi-rs/keyring) did not load: ${nativeMessage(error)}` };
  }
  const name = keychainName(platform);
  // The Secret Service only: never keyring-rs's fallback to the kernel keyring.
  const options = { linux: { store: "secret-service" as const } };
  const entry = (account: string): NativeEntry => new native.Entry(KEYCHAIN_SERVICE, account, options);
  let device: string | null;
  try {
    device = entry(DEVICE_ACCOUNT).getPassword();
  } catch (error) {
    return { store: null, problem: `${name} unavailable: ${nativeMessage(error)}` };
  }
  return { store: keychainStore(native, name, entry, device), problem: null };
}

/** The entries git-vault keeps under its service: account → secret. `device`: the device entry, when just read. */
function listEntries(native: Native, name: string, entry: (account: string) => NativeEntry, device?: string | null): Map<string, string> {
  const found = new Map<string, string>();
  let credentials: { account: string; password: string }[];
  try {
    // findCredentials has no store option; it runs only once the pinned device
    // entry was read, so the Secret Service answers it.
    credentials = native.findCredentials(KEYCHAIN_SERVICE);
  } catch (error) {
    throw keychainError("list its git-vault entries", name, error);
  }
  for (const c of credentials) if (isOurs(c.account)) found.set(c.account, c.password);
  // The device entry read directly too: a listing may skip it on some keychains.
  if (!found.has(DEVICE_ACCOUNT)) {
    try {
      const read = device === undefined ? entry(DEVICE_ACCOUNT).getPassword() : device;
      if (read !== null) found.set(DEVICE_ACCOUNT, read);
    } catch (error) {
      throw keychainError("read the device identity", name, error);
    }
  }
  return found;
}

/**
 * The keychain store. A store lives for one lookup or change (store.ts makes
 * one per call): `read` asks the keychain once and answers again from
 * memory until this store writes or removes, so picking the store and
 * reading the identity cost one listing, not three to five D-Bus round trips.
 * `device`: the device entry the probe just read.
 */
function keychainStore(native: Native, name: string, entry: (account: string) => NativeEntry, device: string | null): IdentityStore {
  const description = `keychain (${name}, service ${KEYCHAIN_SERVICE})`;
  let probed: string | null | undefined = device;
  let known: { readonly identity: DeviceIdentity | null } | null = null;
  const read = (): DeviceIdentity | null => {
    known ??= { identity: readAll() };
    return known.identity;
  };
  const readAll = (): DeviceIdentity | null => {
    const entries = listEntries(native, name, entry, probed);
    probed = undefined;
    // The device entry is written last and removed first (below): without it, what is there is what a
    // cut-short write or removal left, and the identity is where it came from or went to (the file).
    if (!entries.has(DEVICE_ACCOUNT)) return null;
    const keys: StoredKey[] = [];
    const seen = new Set<string>();
    // The device entry first, then the others in a stable order.
    const accounts = [...entries.keys()].sort((a, b) => deviceLast(b, a) || a.localeCompare(b));
    for (const account of accounts) {
      for (const key of parseDeviceIdentity(entries.get(account) as string, `${description} account ${account}`).keys) {
        // An entry left behind by a write cut short may repeat a key.
        if (seen.has(key.key.reveal())) continue;
        seen.add(key.key.reveal());
        keys.push(key);
      }
    }
    return { keys: orderKeys(keys) };
  };
  return {
    kind: "keychain",
    description,
    path: null,
    read,
    write(identity, options = {}) {
      known = null;
      const before = listEntries(native, name, entry);
      if (options.exclusive && before.has(DEVICE_ACCOUNT)) {
        throw new VaultError("identity-exists", `an identity already exists in the ${description}`, {
          hint: "git-vault keeps one identity per device; see it with `git vault keys show`",
        });
      }
      const ordered = orderKeys(identity.keys);
      const wanted = new Map(ordered.map((k, i) => [accountOf(k, i === 0), encodeDeviceIdentity({ keys: [k] })] as const));
      // New entries first, the device entry last, stale entries deleted after:
      // a crash in between leaves extra keys (which only decrypt) and never
      // loses one. See docs/identities.md.
      const order = [...wanted.keys()].sort(deviceLast);
      for (const account of order) {
        if (before.get(account) === wanted.get(account)) continue;
        try {
          entry(account).setPassword(wanted.get(account) as string);
        } catch (error) {
          throw keychainError(`store account ${account}`, name, error);
        }
      }
      // Without the device entry before, what was there is what a cut-short write left, or keys put there by
      // hand: entries of other keys are kept (they only decrypt), never deleted with no copy elsewhere.
      const replacing = before.has(DEVICE_ACCOUNT);
      for (const account of before.keys()) {
        if (wanted.has(account) || !replacing) continue;
        try {
          entry(account).deletePassword();
        } catch (error) {
          throw keychainError(`delete account ${account}`, name, error);
        }
      }
    },
    remove(options = {}) {
      known = null;
      // The device entry last, so that until then the identity stays readable; first when a whole copy
      // exists elsewhere (a migration to the file), so that from then on that copy is the one used.
      const accounts = [...listEntries(native, name, entry).keys()].sort(options.copied === true ? (a, b) => deviceLast(b, a) : deviceLast);
      for (const account of accounts) {
        try {
          entry(account).deletePassword();
        } catch (error) {
          throw keychainError(`delete account ${account}`, name, error);
        }
      }
    },
  };
}
