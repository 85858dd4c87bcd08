/**
 * The textconv driver: what `git diff` / `git log -p` show for an env file.
 * Values appear decrypted (`KEY=value`); without an identity, or for a value
 * that does not decrypt, a marker stands in. It never fails, never prompts
 * and never reads stdin, because a failing textconv breaks `git diff`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { encodeRawValue } from "../core/dotenv.js";
import { type Assignment, type EnvFile, assignments, encodeEnvFile, parseEnvFile, withRawValue } from "../core/envfile.js";
import { mapAssignments } from "../core/edit.js";
import { looksEncrypted } from "../core/value.js";
import { type Identity, resolveIdentity } from "../keys/identity.js";
import { decryptAssignment, failureReason } from "./cipher.js";
import type { Context } from "./context.js";

/** A stand-in that changes when the ciphertext changes but reveals nothing. */
function marker(reason: string, a: Assignment): string {
  const digest = createHash("sha256").update(a.value).digest("hex").slice(0, 8);
  return `[git-vault: ${reason} ${digest}]`;
}

/** Whether textconv's text for a value is a marker, not a value (a plaintext that looks like one counts too). */
export function isMarker(raw: string): boolean {
  return /^\[git-vault: [^\]\n]* [0-9a-f]{8}\]$/.test(raw);
}

async function showValue(a: Assignment, identity: Identity | null): Promise<string> {
  if (identity === null) return marker("encrypted, no identity", a);
  try {
    const plain = (await decryptAssignment("textconv", a, identity)).reveal();
    try {
      return encodeRawValue(plain);
    } catch {
      return JSON.stringify(plain);
    }
  } catch (error) {
    return marker(failureReason(error), a);
  }
}

/** The text git shows for an env file: values decrypted where possible. */
export async function textconvText(ctx: Context, path: string): Promise<string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "";
  }
  let identity: Identity | null = null;
  try {
    identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd });
  } catch {
    identity = null; // an unusable identity must not break `git diff`
  }
  return textconvOf(text, identity);
}

/**
 * What textconv shows for the text of a blob, decrypted with `identity`
 * (null: markers): the one implementation behind `git-vault textconv` and
 * the agent's answers (src/agent/), so both print the same bytes.
 */
export async function textconvOf(text: string, identity: Identity | null): Promise<string> {
  const file: EnvFile = parseEnvFile(text);
  try {
    const shown = new Map<Assignment, Assignment>();
    for (const a of assignments(file)) {
      if (!looksEncrypted(a.value)) continue; // plaintext and empty values show as stored
      const raw = await showValue(a, identity);
      shown.set(a, withRawValue(a, raw, raw));
    }
    return encodeEnvFile(mapAssignments(file, (a) => shown.get(a) ?? a));
  } catch {
    return text; // anything unforeseen: the file as stored (ciphertext), never a failed diff
  }
}
