/** Identity use cases: keygen and `keys show|where|import|export`. */
import { existsSync, readFileSync } from "node:fs";
import { readHeader, recipientList } from "../core/recipients.js";
import { resolve } from "node:path";
import { Secret } from "../core/secret.js";
import { VaultError } from "../errors.js";
import { type IdentitySource, defaultIdentityPath, requireIdentity, resolveIdentity } from "../keys/identity.js";
import { deviceIdentityStore, encodeDeviceIdentity, isoSeconds, parseDeviceIdentity } from "../keys/store.js";
import type { Context } from "./context.js";
import { identityRecipients } from "./recipient-of.js";
import { displayPath, listEnvFiles, resolveVaultDir } from "./target.js";
import { fileFlags } from "./trust.js";
import { loadEnvFile } from "./vaultfile.js";

export interface KeygenResult {
  readonly created: boolean;
  readonly path: string;
  readonly recipient: string;
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

/** Creates this device's identity once; later calls report the existing one. */
export async function keygen(ctx: Context): Promise<KeygenResult> {
  const store = deviceIdentityStore(ctx.env);
  const existing = resolveIdentity({ env: { ...ctx.env, GIT_VAULT_IDENTITY: "", GIT_VAULT_IDENTITY_FILE: "" }, cwd: ctx.cwd });
  if (existing !== null) return { created: false, path: existing.source.description, recipient: (await identityRecipients(existing))[0] as string };
  const { generateIdentity, identityToRecipient } = await import("../crypto/index.js");
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  store.write({ keys: [{ key: new Secret(identity), state: "current", recipient, since: isoSeconds(ctx.clock()) }] }, { exclusive: true });
  return { created: true, path: store.description, recipient, unreadable: await filesNotListing(ctx, recipient) };
}

/** The recipients (public keys) of the identity in use, current one first. */
export async function showRecipients(ctx: Context, identityFile: string | undefined): Promise<{ source: IdentitySource; recipients: string[] }> {
  const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  return { source: identity.source, recipients: await identityRecipients(identity) };
}

/** Where the identity comes from (null source when there is none) and where keygen would put it. */
export function whereIdentity(ctx: Context, identityFile: string | undefined): { source: IdentitySource | null; defaultPath: string } {
  const identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  return { source: identity?.source ?? null, defaultPath: defaultIdentityPath(ctx.env) };
}

/**
 * Imports an age identity file (e.g. from `age-keygen`, or a backup) as this
 * device's identity. A device that has one already is refused, unless
 * `replace`: then the imported keys become current and the keys stored so
 * far are kept, retired, to read history.
 */
export async function importIdentity(ctx: Context, file: string, options: { replace?: boolean } = {}): Promise<KeygenResult> {
  const source = resolve(ctx.cwd, file);
  let text: string;
  try {
    text = readFileSync(source, "utf8");
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
  const store = deviceIdentityStore(ctx.env);
  const since = isoSeconds(ctx.clock());
  const imported = keys.map((k, i) => ({ ...k, recipient: recipients[i], since: k.since ?? since }));
  const existing = store.read();
  if (existing !== null && !options.replace) {
    throw new VaultError("identity-exists", `an identity already exists at ${store.description}`, {
      hint: `to make the imported key this device's identity, run \`git vault keys import --replace ${file}\` (the current key is kept, retired, so history stays readable); to keep the current key, use the file per command with --identity-file`,
    });
  }
  const importedKeys = new Set(imported.map((k) => k.key.reveal()));
  const retired = (existing?.keys ?? [])
    .filter((k) => !importedKeys.has(k.key.reveal()))
    .map((k) => (k.state === "retired" ? k : { ...k, state: "retired" as const, since }));
  store.write({ keys: [...imported, ...retired] });
  return { created: true, path: store.description, recipient: recipients[0] as string };
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
