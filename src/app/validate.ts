/**
 * `validate`: the secrets manifest against the vault. For each key an env
 * needs: present, encrypted, encrypted to the current recipient set and, when
 * an identity can read it, decryptable and bound to its key. Keys in the env
 * file that the manifest does not name are listed too. Never a value.
 */
import { basename, dirname, join } from "node:path";
import { effectiveAssignments } from "../core/envfile.js";
import { readHeader, recipientList, shortFingerprint } from "../core/recipients.js";
import { staticState } from "../core/value.js";
import { UsageError, VaultError } from "../errors.js";
import { resolveIdentity } from "../keys/identity.js";
import { identityRecipients } from "./recipient-of.js";
import { decryptAssignment, failureReason } from "./cipher.js";
import type { Context } from "./context.js";
import { manifestFor } from "./manifest.js";
import { type TargetOptions, displayPath, listEnvFiles, resolveTarget } from "./target.js";
import { loadEnvFile, validateEnvFile } from "./vaultfile.js";

/** The state of one manifest key in one env file. */
export type ManifestState = "ok" | "missing" | "optional, not set" | "empty" | "plaintext" | "stale" | "malformed" | "undecryptable";

export interface ValidateRow {
  readonly key: string;
  readonly required: boolean;
  readonly state: ManifestState;
  readonly line: number | null;
  /** Why, for undecryptable values (never a value). */
  readonly detail?: string;
}

export interface ValidateFile {
  readonly file: string;
  readonly env: string | null;
  readonly rows: ValidateRow[];
  /** Keys of the file that the manifest does not name. */
  readonly unlisted: string[];
  /** Whether values were decrypted: there is an identity, and it is one of the file's recipients. */
  readonly decryptionChecked: boolean;
}

export interface ValidateReport {
  readonly config: string | null;
  readonly files: ValidateFile[];
  /** False when no identity was available: decryption and key binding were not checked. */
  readonly decryptionChecked: boolean;
  readonly ok: boolean;
}

/** States that make a key unusable by `run`. */
const FAILING: ReadonlySet<ManifestState> = new Set(["missing", "plaintext", "stale", "malformed", "undecryptable"]);

export interface ValidateRequest extends TargetOptions {
  readonly all?: boolean;
  readonly strict?: boolean;
  readonly identityFile?: string | undefined;
}

/** Checks every manifest key of the target env (or of every env file with `all`). */
export async function validateManifest(ctx: Context, request: ValidateRequest): Promise<ValidateReport> {
  if (request.all && (request.env !== undefined || request.file !== undefined)) throw new UsageError("--all cannot be combined with --env or --file");
  const target = await resolveTarget(ctx, request);
  const config = target.config;
  if (config.secrets === undefined) {
    throw new VaultError("no-manifest", config.source === undefined ? "no secrets manifest: there is no configuration file (.git-vaultrc.yaml, …)" : `no secrets manifest: ${config.source} has no \`secrets:\``, { hint: "list the keys the app needs under `secrets:` (see docs/deploy.md)" });
  }
  const files: { path: string; env: string | null }[] = [{ path: target.path, env: target.envName }];
  if (request.all && target.vaultDir !== null) {
    const vaultDir = target.vaultDir;
    files.length = 0;
    for (const path of listEnvFiles(vaultDir)) {
      const m = /^\.env\.([A-Za-z0-9][A-Za-z0-9_.-]*)$/.exec(basename(path));
      if (m !== null && !/\.lock$/i.test(m[1] as string) && dirname(path) === vaultDir) files.push({ path, env: m[1] as string });
    }
    // An env the manifest names that has no file yet: its required keys are all missing.
    const named = new Set(Object.values(config.secrets).flatMap((e) => e.envs ?? []));
    for (const env of [...named].sort()) {
      if (!files.some((f) => f.env === env)) files.push({ path: join(vaultDir, `.env.${env}`), env });
    }
  }
  const identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile });
  // As verify does: a CI key is often a recipient of some env files only; decryption is checked where it can be.
  const mine = identity === null ? [] : await identityRecipients(identity);
  const out: ValidateFile[] = [];
  for (const { path, env } of files) {
    const display = displayPath(ctx, path);
    const loaded = loadEnvFile(path, display, { allowMissing: true });
    validateEnvFile(ctx, loaded);
    const listed = recipientList(readHeader(loaded.file));
    const fingerprint = shortFingerprint(listed);
    const reader = identity !== null && listed.some((r) => mine.includes(r)) ? identity : null;
    const byKey = new Map(effectiveAssignments(loaded.file).map((a) => [a.key, a]));
    const rows: ValidateRow[] = [];
    for (const [key, entry] of manifestFor(config, env)) {
      const a = byKey.get(key);
      const base = { key, required: entry.required, line: a?.line ?? null };
      if (a === undefined) {
        rows.push({ ...base, state: entry.required ? "missing" : "optional, not set" });
        continue;
      }
      const state = staticState(a.value, fingerprint);
      if (state === "empty" || state === "plaintext" || state === "stale") rows.push({ ...base, state });
      else if (state !== "encrypted") rows.push({ ...base, state: "malformed" });
      else if (reader === null) rows.push({ ...base, state: "ok" });
      else {
        try {
          await decryptAssignment(display, a, reader);
          rows.push({ ...base, state: "ok" });
        } catch (error) {
          if (!(error instanceof VaultError)) throw error;
          rows.push({ ...base, state: "undecryptable", detail: failureReason(error) });
        }
      }
    }
    const named = new Set(Object.keys(config.secrets));
    out.push({ file: display, env, rows, unlisted: [...byKey.keys()].filter((k) => !named.has(k)), decryptionChecked: reader !== null });
  }
  const ok = out.every((f) => f.rows.every((r) => !FAILING.has(r.state)) && (!request.strict || f.unlisted.length === 0));
  return { config: config.source ?? null, files: out, decryptionChecked: identity !== null, ok };
}
