/** Whole-file use cases: list, encrypt, decrypt, fmt, check. */
import { dirname } from "node:path";
import { encodeRawValue } from "../core/dotenv.js";
import { type Assignment, type EnvFile, assignments, encodeEnvFile, invalidEntries, isConflictMarker, withRawValue } from "../core/envfile.js";
import { mapAssignments } from "../core/edit.js";
import { formatEnvFile } from "../core/format.js";
import { ensureHeader, readHeader, recipientList, shortFingerprint } from "../core/recipients.js";
import { Secret } from "../core/secret.js";
import { type StaticState, classifyValue, staticState } from "../core/value.js";
import { VaultError } from "../errors.js";
import { lineCommitTimes } from "../git/index.js";
import { type Identity, isRemoteWorker, requireIdentity, resolveIdentity } from "../keys/identity.js";
import { type AuditNote, audited } from "./audit.js";
import { decryptAssignment, encryptValue, locate } from "./cipher.js";
import type { Context } from "./context.js";
import { askPolicy } from "./policy.js";
import { ownRecipient } from "./recipient-of.js";
import { updateEnvFile } from "./store.js";
import { type Target, type TargetOptions, allTargets, displayPath, envNameOfPath, resolveTarget } from "./target.js";
import { type TrustPlaces, requireTrustFor } from "./trust.js";
import { type LoadedFile, loadEnvFile, requireRecipients, validateEnvFile } from "./vaultfile.js";

/** The state of one key, as `list` shows it. Never a value. */
export type KeyState = StaticState | "undecryptable";

export interface KeyRow {
  readonly key: string;
  readonly line: number;
  readonly section: string | null;
  readonly state: KeyState;
  /** The recipient-set fingerprint the value was encrypted to (null when it is not encrypted). */
  readonly fingerprint: string | null;
}

/** Lists the keys of a file with their state; tries decryption when an identity is present. */
export async function listKeys(
  ctx: Context,
  request: TargetOptions & { identityFile?: string | undefined; /** False: static states only, no trial decryption (the API's listings). */ tryDecrypt?: boolean },
): Promise<{ target: Target; rows: KeyRow[] }> {
  const target = await resolveTarget(ctx, request);
  const loaded = loadEnvFile(target.path, target.display);
  validateEnvFile(ctx, loaded);
  const fingerprint = shortFingerprint(recipientList(readHeader(loaded.file)));
  // Looked up at the first encrypted value only: a file of plaintext values
  // needs no identity, and the keychain's native module stays unloaded. In a
  // worker environment (GIT_VAULT_REMOTE) nothing is decrypted, not even to tell a state.
  let identity: Identity | null | undefined = isRemoteWorker(ctx.env) || request.tryDecrypt === false ? null : undefined;
  const rows: KeyRow[] = [];
  for (const a of assignments(loaded.file)) {
    let state: KeyState = staticState(a.value, fingerprint);
    // Not `??=`: null (a worker, a listing that must not decrypt, or no identity found) stays null.
    if (identity === undefined && (state === "encrypted" || state === "stale")) identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile });
    if (identity && (state === "encrypted" || state === "stale")) {
      try {
        await decryptAssignment(target.display, a, identity);
      } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        state = "undecryptable";
      }
    }
    const value = classifyValue(a.value);
    rows.push({ key: a.key, line: a.line, section: a.section, state, fingerprint: value.kind === "encrypted" ? value.value.fingerprint : null });
  }
  return { target, rows };
}

/**
 * When each line of the target last changed in the vault repo's history (ISO
 * time of the commit git blame names, by line), or null for a line not
 * committed yet or a file git does not track.
 */
export function lineChanges(ctx: Context, target: Target): Map<number, string | null> {
  const out = new Map<number, string | null>();
  let times: (number | null)[];
  try {
    times = lineCommitTimes({ cwd: dirname(target.path), env: ctx.env }, target.path);
  } catch (error) {
    if (error instanceof VaultError) return out;
    throw error;
  }
  times.forEach((t, line) => out.set(line, t === null ? null : new Date(t * 1000).toISOString()));
  return out;
}

export interface EncryptResult {
  readonly target: Target;
  readonly encrypted: number;
  readonly reencrypted: number;
  /** The keys whose ciphertext was written. */
  readonly keys: readonly string[];
}

/**
 * Encrypts every plaintext value of a file to `recipients`. With an identity,
 * already encrypted values are decrypted and encrypted again (re-encryption);
 * without one they keep their bytes.
 */
export async function encryptValues(
  display: string,
  file: EnvFile,
  recipients: readonly string[],
  identity: Identity | null,
): Promise<{ file: EnvFile; encrypted: number; reencrypted: number; keys: string[] }> {
  let encrypted = 0;
  let reencrypted = 0;
  const replaced = new Map<Assignment, Assignment>();
  for (const a of assignments(file)) {
    const kind = classifyValue(a.value).kind;
    let plain: Secret | null = null;
    if (kind === "plaintext") {
      plain = new Secret(a.value);
      encrypted++;
    } else if (identity !== null && kind !== "empty") {
      plain = await decryptAssignment(display, a, identity);
      reencrypted++;
    }
    if (plain === null) continue;
    const raw = await encryptValue(a.key, plain, recipients);
    replaced.set(a, withRawValue(a, raw, raw));
  }
  return { file: mapAssignments(file, (a) => replaced.get(a) ?? a), encrypted, reencrypted, keys: [...new Set([...replaced.keys()].map((a) => a.key))] };
}

/**
 * `encrypt`: encrypts plaintext values in place. Values already encrypted keep
 * their bytes unless `reencrypt`.
 */
export async function encryptInPlace(ctx: Context, request: TargetOptions & { reencrypt?: boolean; identityFile?: string | undefined }): Promise<EncryptResult> {
  return audited(ctx, request.reencrypt ? "encrypt --reencrypt" : "encrypt", async (note) => {
    note.target = await resolveTarget(ctx, request);
    return encryptTarget(ctx, note.target, request, note);
  });
}

/**
 * `encrypt --all`: every env file of the vault dir (the target alone for a
 * bare --file), one after the other, each written atomically.
 */
export async function encryptAll(ctx: Context, request: TargetOptions & { reencrypt?: boolean; identityFile?: string | undefined }): Promise<EncryptResult[]> {
  return audited(ctx, request.reencrypt ? "encrypt --all --reencrypt" : "encrypt --all", async (note) => {
    const target = await resolveTarget(ctx, request);
    note.target = target;
    const results: EncryptResult[] = [];
    const places: TrustPlaces = new Map();
    for (const path of allTargets(target)) {
      const file = { ...target, path, display: displayPath(ctx, path), envName: envNameOfPath(target, path) };
      results.push(await encryptTarget(ctx, file, request, { ...note, target: file, keys: [] }, places));
      note.keys = [...(note.keys ?? []), ...(results.at(-1)?.keys ?? [])];
    }
    return results;
  });
}

async function encryptTarget(ctx: Context, target: Target, request: { reencrypt?: boolean; identityFile?: string | undefined }, note: AuditNote, places?: TrustPlaces): Promise<EncryptResult> {
  let counts = { encrypted: 0, reencrypted: 0, keys: [] as string[] };
  if (request.reencrypt) {
    // Re-encryption decrypts every value: the policy hook is asked first, with the key names.
    const loaded = loadEnvFile(target.path, target.display);
    note.keys = assignments(loaded.file).filter((a) => classifyValue(a.value).kind === "encrypted").map((a) => a.key);
    await askPolicy(ctx, note);
  }
  await updateEnvFile(ctx, target.path, target.display, async (loaded) => {
    let file = loaded.file;
    if (readHeader(file).version === null) file = ensureHeader(file, [await ownRecipient(ctx, request.identityFile)]);
    const recipients = requireRecipients({ ...loaded, file });
    await requireTrustFor(ctx, target, file, places);
    const identity = request.reencrypt ? requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile }) : null;
    const result = await encryptValues(target.display, file, recipients, identity);
    counts = result;
    return result.file;
  });
  note.keys = counts.keys;
  return { target, encrypted: counts.encrypted, reencrypted: counts.reencrypted, keys: counts.keys };
}

/** Decrypts every value of a loaded file into dotenv text (for `decrypt`). */
export async function decryptText(loaded: LoadedFile, identity: Identity): Promise<EnvFile> {
  const replaced = new Map<Assignment, Assignment>();
  for (const a of assignments(loaded.file)) {
    const kind = classifyValue(a.value).kind;
    if (kind === "plaintext" || kind === "empty") continue;
    const plain = (await decryptAssignment(loaded.display, a, identity)).reveal();
    let raw: string;
    try {
      raw = encodeRawValue(plain);
    } catch {
      throw new VaultError("unrepresentable", `${locate(loaded.display, a)}: value cannot be written in dotenv syntax (it mixes all three quote characters)`);
    }
    replaced.set(a, withRawValue(a, raw, plain));
  }
  return mapAssignments(loaded.file, (a) => replaced.get(a) ?? a);
}

/** `decrypt`: the decrypted file as text, or written back in place. */
export async function decryptFileCommand(
  ctx: Context,
  request: TargetOptions & { inPlace?: boolean; identityFile?: string | undefined },
): Promise<{ target: Target; text: string | null }> {
  return audited(ctx, request.inPlace ? "decrypt --in-place" : "decrypt", async (note) => {
    const target = await resolveTarget(ctx, request);
    note.target = target;
    const loaded = loadEnvFile(target.path, target.display);
    validateEnvFile(ctx, loaded);
    note.keys = assignments(loaded.file).map((a) => a.key);
    await askPolicy(ctx, note);
    const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile });
    if (!request.inPlace) return { target, text: encodeEnvFile(await decryptText(loaded, identity)) };
    await updateEnvFile(ctx, target.path, target.display, (current) => decryptText(current, identity));
    return { target, text: null };
  });
}

/** `fmt`: canonical style for the target (or every env file with `all`); returns files not canonical. */
export async function formatFiles(ctx: Context, request: TargetOptions & { all?: boolean; check?: boolean }): Promise<string[]> {
  if (request.check) return formatTargets(ctx, await resolveTarget(ctx, request), request);
  return audited(ctx, request.all ? "fmt --all" : "fmt", async (note) => {
    note.target = await resolveTarget(ctx, request);
    return formatTargets(ctx, note.target, request);
  });
}

async function formatTargets(ctx: Context, target: Target, request: { all?: boolean; check?: boolean }): Promise<string[]> {
  const paths = request.all ? allTargets(target) : [target.path];
  const drifted: string[] = [];
  for (const path of paths) {
    const display = displayPath(ctx, path);
    if (request.check) {
      const loaded = loadEnvFile(path, display);
      validateEnvFile(ctx, loaded);
      if (encodeEnvFile(formatEnvFile(loaded.file)) !== loaded.text) drifted.push(display);
      continue;
    }
    const outcome = await updateEnvFile(ctx, path, display, (loaded) => formatEnvFile(loaded.file));
    if (outcome.written) drifted.push(display);
  }
  return drifted;
}

/** A plaintext (or malformed) value found by `check`. */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly key: string;
  readonly problem: "plaintext" | "malformed" | "unknown-version" | "invalid-line" | "merge-conflict";
}

/**
 * Plaintext values in one env file's text, and lines dotenv would skip (they
 * may hold a secret too; conflict markers are named as such), in line order.
 */
export function findPlaintext(display: string, file: EnvFile): Finding[] {
  const findings: Finding[] = invalidEntries(file).map((e) => ({
    file: display,
    line: e.line,
    key: "",
    problem: e.text.split(/\r\n|\n|\r/).some(isConflictMarker) ? ("merge-conflict" as const) : ("invalid-line" as const),
  }));
  for (const a of assignments(file)) {
    const kind = classifyValue(a.value).kind;
    if (kind === "plaintext" || kind === "malformed" || kind === "unknown-version") findings.push({ file: display, line: a.line, key: a.key, problem: kind });
  }
  return findings.sort((x, y) => x.line - y.line);
}

/** `check`: plaintext values in the target or, with `all`, every env file of the vault. */
export async function checkFiles(ctx: Context, request: TargetOptions & { all?: boolean }): Promise<Finding[]> {
  const target = await resolveTarget(ctx, request);
  const paths = request.all ? allTargets(target) : [target.path];
  const findings: Finding[] = [];
  for (const path of paths) {
    const loaded = loadEnvFile(path, displayPath(ctx, path));
    findings.push(...findPlaintext(loaded.display, loaded.file));
  }
  return findings;
}
