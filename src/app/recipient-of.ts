/** The public recipient of the identity in use, for new files and headers. */
import type { Recipient } from "../core/recipients.js";
import { VaultError } from "../errors.js";
import { type Identity, invalidIdentityError, resolveIdentity } from "../keys/identity.js";
import { hostname, userInfo } from "node:os";
import type { Context } from "./context.js";

/**
 * The recipients (public keys) of an identity's keys, current one first.
 * A key that is not valid age is an `identity-invalid` error naming where
 * the identity came from.
 */
export async function identityRecipients(identity: Identity): Promise<string[]> {
  const { identityToRecipient } = await import("../crypto/index.js");
  try {
    return await Promise.all(identity.keys.map((k) => identityToRecipient(k.reveal())));
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    throw invalidIdentityError(identity);
  }
}

/** This device's recipient (from its identity), labelled with the user and host when known. */
export async function ownRecipient(ctx: Context, identityFile: string | undefined): Promise<Recipient> {
  const identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  if (identity === null || identity.keys.length === 0) {
    throw new VaultError("no-recipients", "a new env file needs a recipient, and this device has no identity", {
      hint: "create one with `git vault keygen` (it is reused across repos)",
    });
  }
  return { recipient: (await identityRecipients(identity))[0] as string, label: deviceLabel(ctx) };
}

/** `user@host`, from the environment; null when unknown. */
export function deviceLabel(ctx: Context): string | null {
  const user = ctx.env["USER"] || ctx.env["LOGNAME"] || loginName();
  const host = hostname();
  if (user && host) return `${user}@${host}`;
  return user || null;
}

function loginName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
