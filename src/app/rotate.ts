/**
 * `rotate`: a new identity for this device. The new key is stored as
 * `pending` first (then every key decrypts), each env file listing the old
 * recipient gets the new one in its place (same label) and its values
 * re-encrypted, one atomic write per file; only at the end does the new key
 * become `current` and the old one `retired` (kept to read history). Cut
 * short anywhere, every file is readable with the stored keys, and running
 * `rotate` again finishes the job with the same pending key.
 */
import { readHeader, recipientList, replaceRecipient } from "../core/recipients.js";
import { Secret } from "../core/secret.js";
import { UsageError, VaultError } from "../errors.js";
import { type DeviceIdentity, type StoredKey, deviceIdentityStore, isoSeconds } from "../keys/store.js";
import { resolveIdentity } from "../keys/identity.js";
import { type AuditNote, audited } from "./audit.js";
import { encryptValues } from "./bulk.js";
import type { Context } from "./context.js";
import { updateEnvFile } from "./store.js";
import { askPolicy } from "./policy.js";
import { allTargets, displayPath, envNameOfPath, resolveTarget } from "./target.js";
import { type TrustPlaces, recordOwnChange, requireTrustFor } from "./trust.js";
import { loadEnvFile, validateEnvFile } from "./vaultfile.js";

export interface RotateResult {
  readonly oldRecipient: string;
  readonly newRecipient: string;
  /** Files rewritten, with the number of values re-encrypted in each. */
  readonly files: readonly { file: string; reencrypted: number }[];
  /** Whether this run finished a rotation an earlier run left pending. */
  readonly resumed: boolean;
  readonly store: string;
  /** The vault dir's path for commit advice, when there is one. */
  readonly vaultDir: string | null;
}

async function recipientOf(key: Secret): Promise<string> {
  const { identityToRecipient } = await import("../crypto/index.js");
  return identityToRecipient(key.reveal());
}

const ROTATE_OTHER_KEY = "rotate a CI or shared key by making a new one (age-keygen), adding it with `git vault recipients add` and removing the old one";

/** What `rotate` is given: the vault, and an identity file only to refuse it. */
export interface RotateRequest {
  readonly vaultDir?: string | undefined;
  readonly identityFile?: string | undefined;
}

/** Runs `rotate` over every env file of the vault dir; audited, and each file's policy hook is asked before its values are re-encrypted. */
export function rotateIdentity(ctx: Context, request: RotateRequest): Promise<RotateResult> {
  return audited(ctx, "rotate", (note) => rotate(ctx, request, note));
}

async function rotate(ctx: Context, request: RotateRequest, note: AuditNote): Promise<RotateResult> {
  if (request.identityFile !== undefined) {
    // Refused before the file is even read: rotate changes what the device stores.
    throw new UsageError(`rotate replaces this device's stored identity, but --identity-file ${request.identityFile} is in use`, ROTATE_OTHER_KEY);
  }
  const store = deviceIdentityStore(ctx.env);
  // Rotation changes what the device stores; an identity given per command (CI) is not this device's to rotate.
  const inUse = resolveIdentity({ env: ctx.env, cwd: ctx.cwd });
  if (inUse !== null && inUse.source.kind !== store.kind) {
    throw new UsageError(`rotate replaces this device's stored identity, but ${inUse.source.description} is in use`, ROTATE_OTHER_KEY);
  }
  const stored = store.read();
  const current = stored?.keys.find((k) => k.state === "current");
  if (stored === null || current === undefined) {
    throw new VaultError("no-identity", "this device has no identity to rotate", { hint: "create one with `git vault keygen`" });
  }
  const oldRecipient = current.recipient ?? (await recipientOf(current.key));
  const target = await resolveTarget(ctx, { vaultDir: request.vaultDir });
  note.target = target;
  const paths = allTargets(target);

  // Before anything is written: every file to rewrite must list the old recipient in a trusted set.
  const planned: string[] = [];
  const places: TrustPlaces = new Map();
  for (const path of paths) {
    const loaded = loadEnvFile(path, displayPath(ctx, path));
    validateEnvFile(ctx, loaded);
    if (!recipientList(readHeader(loaded.file)).includes(oldRecipient)) continue;
    await requireTrustFor(ctx, { ...target, path }, loaded.file, places);
    planned.push(path);
  }
  for (const path of planned) await askPolicy(ctx, { ...note, target: { ...target, path, display: displayPath(ctx, path), envName: envNameOfPath(target, path) } });

  // 1. The new key, stored as pending (a pending key from a rotation cut short is reused).
  let pending = stored.keys.find((k) => k.state === "pending");
  const resumed = pending !== undefined;
  if (pending === undefined) {
    const { generateIdentity } = await import("../crypto/index.js");
    const key = new Secret(await generateIdentity());
    pending = { key, state: "pending", recipient: await recipientOf(key), since: isoSeconds(ctx.clock()) };
    store.write({ keys: [...stored.keys, pending] });
  }
  const newRecipient = pending.recipient ?? (await recipientOf(pending.key));
  const allKeys = { keys: [...stored.keys, ...(resumed ? [] : [pending])].map((k) => k.key), source: { kind: store.kind, description: store.description, path: store.path } };

  // 2. Each file: the new recipient in the old one's place, values re-encrypted, written atomically.
  const files: { file: string; reencrypted: number }[] = [];
  for (const path of planned) {
    const display = displayPath(ctx, path);
    let reencrypted = 0;
    await updateEnvFile(ctx, path, display, async (loaded) => {
      const header = readHeader(loaded.file).recipients;
      const old = header.find((r) => r.recipient === oldRecipient);
      // No longer listed (a teammate removed this device meanwhile): left alone, never re-added.
      if (old === undefined) return null;
      const file = replaceRecipient(loaded.file, oldRecipient, { recipient: newRecipient, label: old.label });
      const result = await encryptValues(display, file, recipientList(readHeader(file)), allKeys);
      reencrypted = result.reencrypted;
      note.keys = [...(note.keys ?? []), ...result.keys];
      // Recorded once the values are re-encrypted: a value that stops it leaves the trust store as it was.
      await recordOwnChange(ctx, { ...target, path }, file, places);
      return result.file;
    });
    files.push({ file: display, reencrypted });
  }

  // 3. Only now: the new key is current, the old one retired (still read for history).
  const since = isoSeconds(ctx.clock());
  const finished: DeviceIdentity = {
    keys: stored.keys
      .filter((k) => k.state !== "pending")
      .map((k): StoredKey => (k === current ? { ...k, state: "retired", recipient: oldRecipient, since } : k))
      .concat([{ ...pending, state: "current" }]),
  };
  store.write(finished);
  return { oldRecipient, newRecipient, files, resumed, store: store.description, vaultDir: target.vaultDir === null ? null : displayPath(ctx, target.vaultDir) };
}
