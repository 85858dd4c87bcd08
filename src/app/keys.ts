/** Identity use cases: keygen and `keys show|where|import|export`. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Secret } from "../core/secret.js";
import { VaultError } from "../errors.js";
import { type IdentitySource, defaultIdentityPath, requireIdentity, resolveIdentity } from "../keys/identity.js";
import { deviceIdentityStore, encodeDeviceIdentity, isoSeconds, parseDeviceIdentity } from "../keys/store.js";
import type { Context } from "./context.js";
import { identityRecipients } from "./recipient-of.js";

export interface KeygenResult {
  readonly created: boolean;
  readonly path: string;
  readonly recipient: string;
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
  return { created: true, path: store.description, recipient };
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

/** Imports an age identity file (e.g. from `age-keygen`) as this device's identity. */
export async function importIdentity(ctx: Context, file: string): Promise<KeygenResult> {
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
  store.write({ keys: keys.map((k, i) => ({ ...k, recipient: recipients[i], since: k.since ?? since })) }, { exclusive: true });
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
