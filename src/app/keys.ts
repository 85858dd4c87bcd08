/** Identity use cases: keygen and `keys show|where|import|export`. */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { VaultError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import {
  type IdentitySource,
  defaultIdentityPath,
  parseIdentityText,
  requireIdentity,
  resolveIdentity,
} from "../keys/identity.js";
import type { Context } from "./context.js";
import { identityRecipients } from "./recipient-of.js";

/** The identity file text in the format `age-keygen` writes. */
function identityFileText(identity: string, recipient: string, created: Date): string {
  const stamp = created.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `# created: ${stamp}\n# public key: ${recipient}\n${identity}\n`;
}

function storeIdentityFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileAtomic(path, text, { mode: 0o600, exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new VaultError("identity-exists", `an identity already exists at ${path}`, {
        hint: "git-vault keeps one identity per device; see it with `git vault keys show`",
      });
    }
    throw error;
  }
}

export interface KeygenResult {
  readonly created: boolean;
  readonly path: string;
  readonly recipient: string;
}

/** Creates this device's identity once; later calls report the existing one. */
export async function keygen(ctx: Context): Promise<KeygenResult> {
  const path = defaultIdentityPath(ctx.env);
  const existing = resolveIdentity({ env: { ...ctx.env, GIT_VAULT_IDENTITY: "", GIT_VAULT_IDENTITY_FILE: "" }, cwd: ctx.cwd });
  if (existing !== null) return { created: false, path, recipient: (await identityRecipients(existing))[0] as string };
  const { generateIdentity, identityToRecipient } = await import("../crypto/index.js");
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  storeIdentityFile(path, identityFileText(identity, recipient, ctx.clock()));
  return { created: true, path, recipient };
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
  const keys = parseIdentityText(text, source);
  const path = defaultIdentityPath(ctx.env);
  const { identityToRecipient } = await import("../crypto/index.js");
  let recipients: string[];
  try {
    recipients = await Promise.all(keys.map((k) => identityToRecipient(k.reveal())));
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    throw new VaultError("identity-invalid", `${source}: not a valid age identity`, { hint: "check the key was copied whole (AGE-SECRET-KEY-1…)" });
  }
  const body = keys.map((k, i) => `# public key: ${recipients[i] as string}\n${k.reveal()}\n`).join("");
  storeIdentityFile(path, `# imported: ${ctx.clock().toISOString().replace(/\.\d{3}Z$/, "Z")}\n${body}`);
  return { created: true, path, recipient: recipients[0] as string };
}

/** The identity in use as age identity-file text, for an explicit backup. */
export async function exportIdentity(ctx: Context, identityFile: string | undefined): Promise<string> {
  const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  const recipients = await identityRecipients(identity);
  return identity.keys.map((k, i) => `# public key: ${recipients[i] as string}\n${k.reveal()}\n`).join("");
}
