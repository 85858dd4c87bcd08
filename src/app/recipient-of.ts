/** The public recipient of the identity in use, for new files and headers. */
import type { Recipient } from "../core/recipients.js";
import { VaultError } from "../errors.js";
import { type Identity, invalidIdentityError, resolveIdentity } from "../keys/identity.js";
import { hostname, userInfo } from "node:os";
import type { Context } from "./context.js";

/** This device's recipient (from its identity), labelled with the user and host when known. */
export async function ownRecipient(ctx: Context, identityFile: string | undefined): Promise<Recipient> {
  const identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  const first = identity?.keys[0];
  if (first === undefined) {
    throw new VaultError("no-recipients", "a new env file needs a recipient, and this device has no identity", {
      hint: "create one with `git vault keygen` (it is reused across repos)",
    });
  }
  const { identityToRecipient } = await import("../crypto/index.js");
  try {
    return { recipient: await identityToRecipient(first.reveal()), label: deviceLabel(ctx) };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    throw invalidIdentityError(identity as Identity);
  }
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
