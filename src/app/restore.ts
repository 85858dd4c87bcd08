/**
 * `restore`: undoes `decrypt --in-place` from the last committed encrypted
 * state. A plaintext value equal to its committed value gets the committed
 * ciphertext back (so the diff against HEAD is empty); a changed or new
 * value is encrypted afresh.
 */
import { dirname } from "node:path";
import { type Assignment, assignments, findAssignment, parseEnvFile, withRawValue } from "../core/envfile.js";
import { mapAssignments } from "../core/edit.js";
import { readHeader, recipientList, shortFingerprint } from "../core/recipients.js";
import { Secret } from "../core/secret.js";
import { classifyValue } from "../core/value.js";
import { VaultError } from "../errors.js";
import { pathInRepo, tryRepoRoot, tryShowBlob } from "../git/index.js";
import { requireIdentity } from "../keys/identity.js";
import { audited } from "./audit.js";
import { decryptAssignment, encryptValue } from "./cipher.js";
import type { Context } from "./context.js";
import { updateEnvFile } from "./store.js";
import { requireTrustFor } from "./trust.js";
import { type Target, type TargetOptions, resolveTarget } from "./target.js";
import { requireRecipients } from "./vaultfile.js";

export interface RestoreResult {
  readonly target: Target;
  readonly restored: number;
  readonly reencrypted: number;
}

/** Re-encrypts a decrypted file, reusing committed ciphertexts for unchanged values. */
export async function restoreFile(ctx: Context, request: TargetOptions & { identityFile?: string | undefined }): Promise<RestoreResult> {
  return audited(ctx, "restore", async (note) => {
    note.target = await resolveTarget(ctx, request);
    return restoreTarget(ctx, note.target, request);
  });
}

async function restoreTarget(ctx: Context, target: Target, request: { identityFile?: string | undefined }): Promise<RestoreResult> {
  const root = tryRepoRoot({ cwd: dirname(target.path), env: ctx.env });
  if (root === null) throw new VaultError("not-committed", `${target.display}: not in a git repository, so there is no committed state to restore`);
  const rel = pathInRepo(root, target.path);
  const blob = tryShowBlob({ cwd: root, env: ctx.env }, `HEAD:${rel}`);
  if (blob === null) throw new VaultError("not-committed", `${target.display}: has no committed version`, { hint: "use `git vault encrypt` instead" });
  const committed = parseEnvFile(blob.toString("utf8"));
  const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile });
  let restored = 0;
  let reencrypted = 0;
  await updateEnvFile(ctx, target.path, target.display, async (loaded) => {
    const recipients = requireRecipients(loaded);
    await requireTrustFor(ctx, target, loaded.file);
    const current = shortFingerprint(recipients);
    const sameSet = shortFingerprint(recipientList(readHeader(committed))) === current;
    const replaced = new Map<Assignment, Assignment>();
    for (const a of assignments(loaded.file)) {
      const kind = classifyValue(a.value).kind;
      // An empty value stays empty unless it was committed encrypted (set --stdin of nothing), then it gets that ciphertext back.
      if (kind !== "plaintext" && kind !== "empty") continue;
      const old = findAssignment(committed, a.key);
      if (sameSet && old !== undefined && classifyValue(old.value).kind === "encrypted") {
        try {
          const oldValue = await decryptAssignment(`HEAD:${rel}`, old, identity);
          if (oldValue.reveal() === a.value) {
            replaced.set(a, withRawValue(a, old.rawValue, old.value));
            restored++;
            continue;
          }
        } catch {
          // not readable any more: encrypt afresh below
        }
      }
      if (kind === "empty") continue;
      const raw = await encryptValue(a.key, new Secret(a.value), recipients);
      replaced.set(a, withRawValue(a, raw, raw));
      reencrypted++;
    }
    return mapAssignments(loaded.file, (a) => replaced.get(a) ?? a);
  });
  return { target, restored, reencrypted };
}
