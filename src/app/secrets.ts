/** The per-key use cases: set, get, unset. */
import { KEY_PATTERN } from "../core/dotenv.js";
import { putValue, removeKey } from "../core/edit.js";
import { type EnvFile, SECTION_NAME_RE, findAssignment } from "../core/envfile.js";
import { formatEnvFile } from "../core/format.js";
import { ensureHeader } from "../core/recipients.js";
import { Secret } from "../core/secret.js";
import { classifyValue } from "../core/value.js";
import { UsageError, VaultError, containsPrivateKey } from "../errors.js";
import { requireIdentity } from "../keys/identity.js";
import { type AuditNote, audited } from "./audit.js";
import { decryptAssignment, encryptValue } from "./cipher.js";
import type { Context } from "./context.js";
import { askPolicy } from "./policy.js";
import { ownRecipient } from "./recipient-of.js";
import { envFileAt } from "./history.js";
import { updateEnvFile } from "./store.js";
import { requireTrustFor } from "./trust.js";
import { type Target, type TargetOptions, resolveTarget } from "./target.js";
import { loadEnvFile, requireRecipients, validateEnvFile } from "./vaultfile.js";

/** Rejects key names dotenv cannot read. */
export function checkKeyName(key: string, options: { setting?: boolean } = {}): void {
  // For set, where the key and a value are given side by side, the likely slip is swapping them.
  const usage = options.setting ? "; the key comes first: `git vault set KEY [VALUE]`" : "";
  if (containsPrivateKey(key)) {
    // A key name is stored in plain text: in the file, its history and every diff.
    throw new UsageError("invalid key name: it is a private key (AGE-SECRET-KEY-…, not shown)", `keys look like DATABASE_URL${usage}`);
  }
  if (!KEY_PATTERN.test(key)) {
    // Not quoted back: a value given where the key goes (arguments swapped) is a secret.
    const hint =
      options.setting && /^[\w.-]+=/.test(key)
        ? "the key and its value are two arguments: `git vault set KEY VALUE`, or the value on stdin with `--stdin`"
        : `keys look like DATABASE_URL (letters, digits, '_', '.' and '-')${usage}`;
    throw new UsageError(`invalid key name (${key.length} characters, not all letters, digits, '_', '.' or '-')`, hint);
  }
}

export interface SetRequest extends TargetOptions {
  readonly key: string;
  readonly value: Secret;
  readonly section?: string | undefined;
  readonly format?: boolean;
  readonly identityFile?: string | undefined;
  /** Commit the change alone in the vault repo with this message (refused while the file has uncommitted changes). */
  readonly commit?: string | undefined;
}

export interface SetResult {
  readonly target: Target;
  readonly created: boolean;
  readonly existed: boolean;
  /** The commit made for `commit`, else null. */
  readonly commit: string | null;
}

/** Rejects a `--section` name that is no lowercase slug (or is a private key typed in the wrong place, not quoted back). */
export function checkSectionName(section: string | undefined): void {
  if (section !== undefined && (!SECTION_NAME_RE.test(section) || containsPrivateKey(section))) {
    throw new UsageError("invalid --section name", "sections are lowercase slugs like database or third-party");
  }
}

/** Encrypts `value` to the file's recipients and stores it under `key`. Needs no private key. */
export async function setSecret(ctx: Context, request: SetRequest): Promise<SetResult> {
  checkKeyName(request.key, { setting: true });
  checkSectionName(request.section);
  if (request.value.reveal().includes("\0")) {
    // `run` could never hand it to a program: no environment variable can hold a NUL.
    throw new VaultError("invalid-value", `${request.key}: the value contains a NUL byte, which no environment variable can hold`, {
      hint: "store binary data encoded as text (base64, say)",
    });
  }
  return audited(ctx, "set", async (note) => {
    note.keys = [request.key];
    note.target = await resolveTarget(ctx, request);
    return storeSecret(ctx, note.target, request);
  });
}

async function storeSecret(ctx: Context, target: Target, request: SetRequest): Promise<SetResult> {
  let existed = false;
  const outcome = await updateEnvFile(
    ctx,
    target.path,
    target.display,
    async (loaded) => {
      let file = loaded.file;
      if (!loaded.exists || file.entries.every((e) => e.kind !== "version")) {
        file = ensureHeader(file, [await ownRecipient(ctx, request.identityFile)]);
      }
      const recipients = requireRecipients({ ...loaded, file });
      await requireTrustFor(ctx, target, file);
      existed = findAssignment(file, request.key) !== undefined;
      const raw = await encryptValue(request.key, request.value, recipients);
      file = putValue(file, request.key, raw, raw, { section: request.section ?? null });
      return request.format ? formatEnvFile(file) : file;
    },
    { allowMissing: true, commitAs: request.commit },
  );
  return { target, created: outcome.created, existed, commit: outcome.commit };
}

export interface GetRequest extends TargetOptions {
  readonly key: string;
  /**
   * The value will be shown: the policy hook is asked first and the access
   * is audited. Without it the value is only checked to decrypt.
   */
  readonly reveal?: boolean;
  readonly identityFile?: string | undefined;
  /** A vault commit (a host commit with `host`) to read the value as of. */
  readonly at?: string | undefined;
  readonly host?: boolean;
}

export interface GetResult {
  readonly target: Target;
  readonly key: string;
  readonly line: number;
  readonly value: Secret;
  /** False when the file holds the value in plaintext. */
  readonly encrypted: boolean;
}

/** Decrypts one key's value (the last assignment, as dotenv reads it). */
export async function getSecret(ctx: Context, request: GetRequest): Promise<GetResult> {
  checkKeyName(request.key);
  if (request.reveal !== true) return readSecret(ctx, await resolveTarget(ctx, request), request, null);
  return audited(ctx, "get --reveal", async (note) => {
    note.keys = [request.key];
    note.target = await resolveTarget(ctx, request);
    return readSecret(ctx, note.target, request, note);
  });
}

async function readSecret(ctx: Context, target: Target, request: GetRequest, note: AuditNote | null): Promise<GetResult> {
  let file: EnvFile;
  let display = target.display;
  if (request.at !== undefined) {
    const past = envFileAt(ctx, target, request.at, { host: request.host ?? false });
    file = past.file;
    display = past.display;
  } else {
    const loaded = loadEnvFile(target.path, target.display);
    validateEnvFile(ctx, loaded);
    file = loaded.file;
  }
  const a = findAssignment(file, request.key);
  if (a === undefined) {
    throw new VaultError("key-missing", `${display}: no key ${request.key}`, { hint: request.at === undefined ? "see the keys with `git vault list`" : "the key did not exist at that commit" });
  }
  const kind = classifyValue(a.value).kind;
  const base = { target, key: a.key, line: a.line };
  if (note !== null) await askPolicy(ctx, note);
  if (kind === "plaintext" || kind === "empty") return { ...base, value: new Secret(a.value), encrypted: false };
  const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile });
  return { ...base, value: await decryptAssignment(display, a, identity), encrypted: true };
}

/** Removes every line of `key`. */
export async function unsetSecret(ctx: Context, request: TargetOptions & { key: string; commit?: string | undefined }): Promise<{ target: Target; removed: number; commit: string | null }> {
  checkKeyName(request.key);
  return audited(ctx, "unset", async (note) => {
    note.keys = [request.key];
    note.target = await resolveTarget(ctx, request);
    return removeSecret(ctx, note.target, request.key, request.commit);
  });
}

async function removeSecret(ctx: Context, target: Target, key: string, commitAs: string | undefined): Promise<{ target: Target; removed: number; commit: string | null }> {
  let removed = 0;
  const outcome = await updateEnvFile(
    ctx,
    target.path,
    target.display,
    (loaded) => {
      const result = removeKey(loaded.file, key);
      removed = result.removed;
      if (removed === 0) throw new VaultError("key-missing", `${target.display}: no key ${key}`);
      return result.file;
    },
    { commitAs },
  );
  return { target, removed, commit: outcome.commit };
}

/** Fails unless this process could decrypt (an identity, and no GIT_VAULT_REMOTE): for a server, at its start rather than at its first reveal. */
export function checkCanDecrypt(ctx: Context, identityFile: string | undefined): void {
  requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
}
