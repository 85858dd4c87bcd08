/** `recipients list|add|remove`: editing the header, optionally re-encrypting every value. */
import { readHeader, recipientList, setRecipients, type Recipient } from "../core/recipients.js";
import { UsageError, VaultError, containsPrivateKey } from "../errors.js";
import { requireIdentity } from "../keys/identity.js";
import { type AuditNote, audited } from "./audit.js";
import { encryptValues } from "./bulk.js";
import { askPolicy } from "./policy.js";
import type { Context } from "./context.js";
import { updateEnvFile } from "./store.js";
import { type TargetOptions, allTargets, displayPath, envNameOfPath, resolveTarget } from "./target.js";
import { type TrustPlaces, recordOwnChange, requireTrustFor } from "./trust.js";
import { loadEnvFile, validateEnvFile } from "./vaultfile.js";

export interface RecipientRow extends Recipient {
  readonly file: string;
  readonly line: number;
}

/** The recipients of the target (or of every env file with `all`). */
export async function listRecipients(ctx: Context, request: TargetOptions & { all?: boolean }): Promise<RecipientRow[]> {
  const target = await resolveTarget(ctx, request);
  const rows: RecipientRow[] = [];
  for (const path of request.all ? allTargets(target) : [target.path]) {
    const loaded = loadEnvFile(path, displayPath(ctx, path));
    validateEnvFile(ctx, loaded);
    for (const r of readHeader(loaded.file).recipients) rows.push({ file: loaded.display, line: r.line, recipient: r.recipient, label: r.label });
  }
  return rows;
}

/** A planned or applied change of one file's recipients. */
export interface RecipientChange {
  readonly file: string;
  readonly added: readonly Recipient[];
  /** Recipients already listed that get a new label. */
  readonly relabelled: readonly Recipient[];
  readonly removed: readonly Recipient[];
  readonly reencrypted: number;
}

export interface ChangeRequest extends TargetOptions {
  readonly add?: readonly Recipient[];
  readonly remove?: readonly string[];
  readonly reencrypt?: boolean;
  readonly all?: boolean;
  readonly identityFile?: string | undefined;
  /** Called with the planned changes before anything is written; false cancels. */
  readonly confirm?: (changes: readonly RecipientChange[]) => Promise<boolean>;
}

const RECIPIENT_HINT = "recipients are public keys, age1… (`git vault keys show`, or `age-keygen -y KEYFILE`)";

/**
 * A recipient argument as an error may show it: an `age1…` string is public,
 * but anything else is not quoted, above all a private key pasted by mistake.
 */
function describeRecipientArgument(text: string): string {
  if (/^AGE-SECRET-KEY-/i.test(text.trim())) return "the argument is a private key (AGE-SECRET-KEY-…, not shown); it";
  return /^age1[0-9a-z]{0,100}$/.test(text) ? text : "the argument (not shown)";
}

/** Adds and/or removes recipients in the target (or every env file), re-encrypting on request. */
export async function changeRecipients(ctx: Context, request: ChangeRequest): Promise<RecipientChange[]> {
  const verb = (request.remove ?? []).length > 0 && (request.add ?? []).length === 0 ? "remove" : "add";
  return audited(ctx, `recipients ${verb}${request.all ? " --all" : ""}${request.reencrypt ? " --reencrypt" : ""}`, (note) => planAndApply(ctx, request, note));
}

async function planAndApply(ctx: Context, request: ChangeRequest, note: AuditNote): Promise<RecipientChange[]> {
  const { isValidRecipient } = await import("../crypto/index.js");
  // An argument that is no recipient at all is a usage error, for add and remove alike, whatever the file lists.
  for (const argument of [...(request.add ?? []).map((r) => r.recipient), ...(request.remove ?? [])]) {
    if (!isValidRecipient(argument)) throw new UsageError(`${describeRecipientArgument(argument)} is not an age X25519 recipient`, RECIPIENT_HINT);
  }
  // A label is written to the header in plain text, for every reader of the vault.
  if ((request.add ?? []).some((r) => r.label !== null && containsPrivateKey(r.label))) {
    throw new UsageError("--label holds a private key (AGE-SECRET-KEY-…, not shown)", "a label says who or what the recipient is, like bob-laptop or ci");
  }
  const target = await resolveTarget(ctx, request);
  note.target = target;
  const paths = request.all ? allTargets(target) : [target.path];
  const identity = request.reencrypt ? requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile }) : null;

  const plan: { path: string; change: RecipientChange; next: Recipient[] }[] = [];
  const places: TrustPlaces = new Map();
  for (const path of paths) {
    const loaded = loadEnvFile(path, displayPath(ctx, path));
    validateEnvFile(ctx, loaded);
    // Changing a set this device never accepted would make someone else's change its own.
    await requireTrustFor(ctx, { ...target, path }, loaded.file, places);
    const current = readHeader(loaded.file).recipients.map((r) => ({ recipient: r.recipient, label: r.label }));
    const removeSet = new Set(request.remove ?? []);
    for (const gone of removeSet) {
      if (current.some((r) => r.recipient === gone)) continue;
      // With --all (offboarding), a file that never listed the recipient has nothing to remove.
      if (request.all) {
        removeSet.delete(gone);
        continue;
      }
      throw new VaultError("recipient-missing", `${loaded.display}: ${describeRecipientArgument(gone)} is not a recipient`, { hint: "see `git vault recipients list`" });
    }
    // Adding a recipient that is already listed with a new label relabels it.
    const relabel = new Map((request.add ?? []).filter((r) => r.label !== null).map((r) => [r.recipient, r.label]));
    const kept = current.filter((r) => !removeSet.has(r.recipient)).map((r) => ({ ...r, label: relabel.get(r.recipient) ?? r.label }));
    const relabelled = kept.filter((r) => current.find((c) => c.recipient === r.recipient)?.label !== r.label);
    const added = (request.add ?? []).filter((r) => !current.some((k) => k.recipient === r.recipient));
    const next = [...kept, ...added];
    if (next.length === 0) throw new VaultError("last-recipient", `${loaded.display}: cannot remove the last recipient`, { hint: "add the new recipient first" });
    plan.push({ path, next, change: { file: loaded.display, added, relabelled, removed: current.filter((r) => removeSet.has(r.recipient)), reencrypted: 0 } });
  }
  // With --all a file that does not list a removed recipient is skipped; none listing it is an error.
  const removedSomewhere = (gone: string): boolean => plan.some((p) => p.change.removed.some((r) => r.recipient === gone));
  const nowhere = request.all ? (request.remove ?? []).find((gone) => !removedSomewhere(gone)) : undefined;
  if (nowhere !== undefined) {
    throw new VaultError("recipient-missing", `${describeRecipientArgument(nowhere)} is not a recipient of any env file`, { hint: "see `git vault recipients list --all`" });
  }
  if (request.confirm && !(await request.confirm(plan.map((p) => p.change)))) return [];
  if (identity !== null) {
    // Re-encryption decrypts every value of every file: the policy hook of each file's env is asked first.
    for (const { path } of plan) await askPolicy(ctx, { ...note, target: { ...target, path, display: displayPath(ctx, path), envName: envNameOfPath(target, path) } });
  }

  const applied: RecipientChange[] = [];
  for (const { path, next, change } of plan) {
    let reencrypted = 0;
    await updateEnvFile(ctx, path, change.file, async (loaded) => {
      const file = setRecipients(loaded.file, next);
      // Only a file whose recipient set changed is re-encrypted (a relabel or a file that never listed the recipient is not).
      const result = identity === null || change.added.length + change.removed.length === 0 ? null : await encryptValues(change.file, file, recipientList(readHeader(file)), identity);
      reencrypted = result?.reencrypted ?? 0;
      // This device's own change: the new set is the trusted one (once nothing can stop the file from being written).
      await recordOwnChange(ctx, { ...target, path }, file, places);
      return result?.file ?? file;
    });
    applied.push({ ...change, reencrypted });
  }
  return applied;
}
