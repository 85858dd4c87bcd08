/** Identity use cases: keygen and `keys show|where|import|export|migrate`. */
import { existsSync, readFileSync } from "node:fs";
import { readHeader, recipientList } from "../core/recipients.js";
import { resolve } from "node:path";
import { Secret } from "../core/secret.js";
import { VaultError } from "../errors.js";
import { type IdentitySource, defaultIdentityPath, requireIdentity, resolveIdentity } from "../keys/identity.js";
import { type DeviceIdentity, type IdentityStore, deviceIdentityStore, encodeDeviceIdentity, identityStores, isoSeconds, parseDeviceIdentity } from "../keys/store.js";
import type { Context } from "./context.js";
import { identityRecipients } from "./recipient-of.js";
import { displayPath, listEnvFiles, resolveVaultDir } from "./target.js";
import { fileFlags } from "./trust.js";
import { loadEnvFile } from "./vaultfile.js";

export interface KeygenResult {
  readonly created: boolean;
  /** Where the identity is: the file's path, or the keychain's description. */
  readonly path: string;
  readonly recipient: string;
  /** The backend it is in. */
  readonly backend: "file" | "keychain";
  /** When it went to the file: why not to the keychain. */
  readonly keychainProblem: string | null;
  /**
   * Env files of the vault here that list recipients but not the new key (a
   * key made after the old one was lost or deleted): this device cannot read
   * them. Each with the options that name it.
   */
  readonly unreadable?: readonly { file: string; flags: string }[];
}

/** Env files of the vault around cwd that list recipients, none of them `recipient`. */
async function filesNotListing(ctx: Context, recipient: string): Promise<{ file: string; flags: string }[]> {
  let vault: { vaultDir: string; repoRoot: string | null };
  try {
    vault = await resolveVaultDir(ctx, {});
  } catch {
    return []; // no repository or vault here: nothing to say
  }
  if (!existsSync(vault.vaultDir)) return [];
  const out: { file: string; flags: string }[] = [];
  for (const path of listEnvFiles(vault.vaultDir)) {
    const listed = recipientList(readHeader(loadEnvFile(path, displayPath(ctx, path)).file));
    if (listed.length > 0 && !listed.includes(recipient)) out.push({ file: displayPath(ctx, path), flags: fileFlags(ctx, path, vault.vaultDir, vault.repoRoot) });
  }
  return out;
}

/** True when both identities hold the same keys in the same states. */
/** Whether `read` (what a store returned) holds every key of `written` in its state; other keys a keychain kept beside them are no loss. */
function holdsIdentity(written: DeviceIdentity, read: DeviceIdentity | null): boolean {
  if (read === null) return false;
  const there = new Set(read.keys.map((k) => `${k.state} ${k.key.reveal()}`));
  return written.keys.every((k) => there.has(`${k.state} ${k.key.reveal()}`));
}

/**
 * Stores a new identity in the device's store: the keychain when it is usable
 * and the write reads back, else the 0600 file, saying why the keychain was not
 * used. Never the kernel keyring (keychain.ts pins the Secret Service).
 */
function storeNewIdentity(ctx: Context, identity: DeviceIdentity): { store: IdentityStore; keychainProblem: string | null } {
  const stores = identityStores(ctx.env);
  if (stores.device.kind === "keychain") {
    try {
      stores.device.write(identity, { exclusive: true });
      if (holdsIdentity(identity, stores.device.read())) return { store: stores.device, keychainProblem: null };
      stores.device.remove();
      return storeInFile(stores.file, identity, "the keychain did not return what was stored");
    } catch (error) {
      if (!(error instanceof VaultError) || error.code === "identity-exists") throw error;
      // Entries a write cut short left behind would make the keychain look in use.
      try {
        stores.device.remove();
      } catch {
        // Reported below: the keychain is failing anyway.
      }
      return storeInFile(stores.file, identity, error.message);
    }
  }
  return storeInFile(stores.device, identity, stores.keychainProblem);
}

function storeInFile(file: IdentityStore, identity: DeviceIdentity, keychainProblem: string | null): { store: IdentityStore; keychainProblem: string | null } {
  file.write(identity, { exclusive: true });
  return { store: file, keychainProblem };
}

/** Creates this device's identity once; later calls report the existing one. */
export async function keygen(ctx: Context): Promise<KeygenResult> {
  const existing = resolveIdentity({ env: { ...ctx.env, GIT_VAULT_IDENTITY: "", GIT_VAULT_IDENTITY_FILE: "" }, cwd: ctx.cwd });
  if (existing !== null) {
    const backend = existing.source.kind === "keychain" ? "keychain" : "file";
    return { created: false, path: existing.source.description, recipient: (await identityRecipients(existing))[0] as string, backend, keychainProblem: null };
  }
  const { generateIdentity, identityToRecipient } = await import("../crypto/index.js");
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const stored = storeNewIdentity(ctx, { keys: [{ key: new Secret(identity), state: "current", recipient, since: isoSeconds(ctx.clock()) }] });
  return { created: true, path: stored.store.description, recipient, backend: stored.store.kind, keychainProblem: stored.keychainProblem, unreadable: await filesNotListing(ctx, recipient) };
}

/** The recipients (public keys) of the identity in use, current one first. */
export async function showRecipients(ctx: Context, identityFile: string | undefined): Promise<{ source: IdentitySource; recipients: string[] }> {
  const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  return { source: identity.source, recipients: await identityRecipients(identity) };
}

/** Where the identity comes from (null source when there is none), where keygen would put it, and whether the keychain can be used. */
export function whereIdentity(
  ctx: Context,
  identityFile: string | undefined,
): { source: IdentitySource | null; defaultPath: string; device: string; keychainProblem: string | null } {
  const identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  const stores = identityStores(ctx.env);
  return { source: identity?.source ?? null, defaultPath: defaultIdentityPath(ctx.env), device: stores.device.description, keychainProblem: stores.keychainProblem };
}

/** The device's identity store, whether it persists, and why the keychain is not used. */
export interface IdentityBackend {
  readonly backend: "file" | "keychain";
  readonly where: string;
  readonly persists: boolean;
  readonly keychainProblem: string | null;
}

/** The device's identity store, for doctor and status (a keychain that fails to answer is reported, not thrown). */
export function identityBackend(ctx: Context): IdentityBackend {
  try {
    const stores = identityStores(ctx.env);
    // Both persist: keychain.ts never uses keyring-rs's kernel-keyring fallback.
    return { backend: stores.device.kind, where: stores.device.description, persists: true, keychainProblem: stores.keychainProblem };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    return { backend: "keychain", where: "keychain", persists: true, keychainProblem: error.message };
  }
}

/**
 * Moves this device's identity, retired and pending keys included, to the
 * keychain or the file. The source is removed only once the copy was read
 * back and holds the same keys in the same states.
 */
export function migrateIdentity(ctx: Context, to: "keychain" | "file"): { from: string; to: string; keys: number } {
  const stores = identityStores(ctx.env);
  if (stores.keychain === null) {
    throw new VaultError("keychain-unavailable", `the keychain cannot be used: ${stores.keychainProblem ?? "unknown reason"}`, {
      hint: "run it in your desktop session (where the keychain is unlocked); the identity stays where it is",
    });
  }
  const [source, target] = to === "file" ? [stores.keychain, stores.file] : [stores.file, stores.keychain];
  const identity = source.read();
  if (identity === null) {
    const there = target.read() !== null;
    throw new VaultError(there ? "identity-exists" : "no-identity", there ? `the identity is already in the ${target.description}` : `there is no identity in the ${source.description} to move`);
  }
  target.write(identity, { exclusive: true });
  if (!holdsIdentity(identity, target.read())) {
    throw new VaultError("keychain-failed", `${target.description} did not return the identity written to it; ${source.description} is left as it was`, {
      hint: "check the keychain (locked? full?) and run the command again",
    });
  }
  source.remove({ copied: true });
  return { from: source.description, to: target.description, keys: identity.keys.length };
}

async function readStdin(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Imports an age identity file (e.g. from `age-keygen`, or a backup), or `-`
 * for stdin, as this device's identity. A device that has one already is
 * refused, unless `replace`: then the imported keys become current and the
 * keys stored so far are kept, retired, to read history.
 */
export async function importIdentity(ctx: Context, file: string, options: { replace?: boolean } = {}): Promise<KeygenResult> {
  const source = file === "-" ? "stdin" : resolve(ctx.cwd, file);
  let text: string;
  try {
    text = file === "-" ? await readStdin(ctx) : readFileSync(source, "utf8");
  } catch (error) {
    throw new VaultError("identity-unreadable", `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const keys = parseDeviceIdentity(text, source).keys;
  const { identityToRecipient } = await import("../crypto/index.js");
  let recipients: string[];
  try {
    recipients = await Promise.all(keys.map((k) => identityToRecipient(k.key.reveal())));
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    throw new VaultError("identity-invalid", `${source}: not a valid age identity`, { hint: "check the key was copied whole (AGE-SECRET-KEY-1…)" });
  }
  const since = isoSeconds(ctx.clock());
  const imported = keys.map((k, i) => ({ ...k, recipient: recipients[i], since: k.since ?? since }));
  const store = deviceIdentityStore(ctx.env);
  const existing = store.read();
  if (existing !== null) {
    if (!options.replace) {
      throw new VaultError("identity-exists", `an identity already exists at ${store.description}`, {
        hint: `to make the imported key this device's identity, run \`git vault keys import --replace ${file}\` (the current key is kept, retired, so history stays readable); to keep the current key, use the file per command with --identity-file`,
      });
    }
    const importedKeys = new Set(imported.map((k) => k.key.reveal()));
    const retired = existing.keys
      .filter((k) => !importedKeys.has(k.key.reveal()))
      .map((k) => (k.state === "retired" ? k : { ...k, state: "retired" as const, since }));
    store.write({ keys: [...imported, ...retired] });
    return { created: true, path: store.description, recipient: recipients[0] as string, backend: store.kind, keychainProblem: null };
  }
  const stored = storeNewIdentity(ctx, { keys: imported });
  return { created: true, path: stored.store.description, recipient: recipients[0] as string, backend: stored.store.kind, keychainProblem: stored.keychainProblem };
}

/**
 * The identity in use as age identity-file text, for an explicit backup. The
 * device's own store is exported whole, retired keys marked as such, so a
 * restored backup still reads history.
 */
export async function exportIdentity(ctx: Context, identityFile: string | undefined): Promise<string> {
  const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  const recipients = await identityRecipients(identity);
  const store = deviceIdentityStore(ctx.env);
  const stored = identity.source.kind === store.kind ? store.read() : null;
  const keys = stored?.keys ?? identity.keys.map((key) => ({ key, state: "current" as const }));
  // Both lists are in decryption order, so recipients line up with keys.
  return encodeDeviceIdentity({ keys: keys.map((k, i) => ({ ...k, recipient: recipients[i], since: k.state === "current" ? undefined : k.since })) });
}
