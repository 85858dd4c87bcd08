/**
 * Auditing a use case: one entry in the audit log per operation, written
 * when it ends (ok, denied by the policy hook, or failed), and the operation
 * fails when its entry cannot be written.
 *
 * Usage: wrap the use case, and tell the note what it works on as soon as
 * the operation knows it (the entry's file, env, repo and log location come
 * from the target; a result with a `target` fills it in too):
 *
 *     export function rotate(ctx: Context, request: RotateRequest): Promise<RotateResult> {
 *       return audited(ctx, "rotate", async (note) => {
 *         note.target = await resolveTarget(ctx, request);
 *         note.keys = […];                       // names only
 *         await askPolicy(ctx, note);            // before any decrypt (app/policy.ts)
 *         …
 *       });
 *     }
 *
 * A front that calls other use cases (an API request, say) wraps them once:
 * `audited(ctx, "serve get", (note) => { note.client = tokenId; return getSecret(ctx, req); })`
 * gives one entry with that command and client, whatever the inner use cases
 * are called: a nested `audited` call asks the policy hook under the outer
 * command and client, and adds its target (when the outer has none), keys
 * and container to the outer entry.
 *
 * Where the log is: `GIT_VAULT_AUDIT_LOG`, else the configuration's
 * `auditLog`, else `$XDG_STATE_HOME/git-vault/audit.jsonl`
 * (`~/.local/state/git-vault/audit.jsonl`).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { hostname, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { type AuditEntry, type AuditResult, type AuditVerification, appendAuditEntry, readAuditLog, verifyAuditLog } from "../audit/log.js";
import { type Config, loadConfig } from "../config/index.js";
import { durationSeconds } from "../core/duration.js";
import { UsageError, VaultError } from "../errors.js";
import { tryRepoRoot } from "../git/index.js";
import { type Context, stateDir } from "./context.js";
import type { Target } from "./target.js";

export type { AuditEntry, AuditVerification } from "../audit/log.js";

/** What a running operation tells its audit entry. Names only, never a value. */
export interface AuditNote {
  /** The command as the entry and the policy hook name it (`get --reveal`, `docker exec`). */
  readonly command: string;
  /** The env file (and with it the env, vault dir, repo and configuration). */
  target?: Target;
  /** Key names decrypted, handed out or changed. */
  keys?: readonly string[];
  /** The container values go to. */
  container?: string;
  /** Who asked, when not the local user directly (an API token's id). */
  client?: string;
}

// The note of the operation in progress, so that a use case called by another
// one (or by a front such as the HTTP API) adds to its caller's entry.
const current = new AsyncLocalStorage<AuditNote>();

/** The audit log's path: GIT_VAULT_AUDIT_LOG, the configuration's auditLog, or the XDG state folder. */
export function auditLogPath(env: Context["env"], config: Config, cwd: string): string {
  const fromEnv = env["GIT_VAULT_AUDIT_LOG"];
  if (fromEnv) return resolve(cwd, fromEnv);
  if (config.auditLog !== undefined) return config.auditLog;
  return join(stateDir(env), "audit.jsonl");
}

/** The configuration in effect at ctx.cwd (searched up to its repository's root). */
export function configFor(ctx: Context): Promise<Config> {
  return loadConfig(ctx.cwd, tryRepoRoot({ cwd: ctx.cwd, env: ctx.env }));
}

/** The audit log of the repository at ctx.cwd (for `audit` commands and operations that never chose a file). */
export async function auditLogFor(ctx: Context): Promise<string> {
  return auditLogPath(ctx.env, await configFor(ctx), ctx.cwd);
}

/** The user running git-vault, as the audit log and the policy hook name them. */
export function currentUser(env: Context["env"]): { user: string; uid: number | null } {
  const uid = typeof process.getuid === "function" ? process.getuid() : null;
  try {
    return { user: userInfo().username, uid };
  } catch {
    return { user: env["USER"] ?? env["LOGNAME"] ?? "unknown", uid };
  }
}

function errorCode(error: unknown): string {
  if (error instanceof VaultError) return error.code;
  return error instanceof Error ? error.name : "unknown";
}

/** Writes the entry for a finished operation. */
async function record(ctx: Context, note: AuditNote, result: AuditResult, error: string | null): Promise<AuditEntry> {
  const target = note.target;
  const path = target !== undefined ? auditLogPath(ctx.env, target.config, ctx.cwd) : await auditLogFor(ctx);
  return appendAuditEntry(path, {
    time: ctx.clock().toISOString(),
    host: hostname(),
    ...currentUser(ctx.env),
    command: note.command,
    repo: target?.repoRoot ?? null,
    vaultDir: target?.vaultDir ?? null,
    env: target?.envName ?? null,
    file: target?.path ?? null,
    keys: [...(note.keys ?? [])],
    container: note.container ?? null,
    client: note.client ?? null,
    result,
    error,
  });
}

function targetOf(result: unknown): Target | undefined {
  if (typeof result !== "object" || result === null || !("target" in result)) return undefined;
  const { target } = result;
  return typeof target === "object" && target !== null && "path" in target && "config" in target ? (target as Target) : undefined;
}

/**
 * An operation inside another one: it asks the policy hook under the outer
 * command and client, and what it learns (target, keys, container) is added
 * to the outer entry, whether it succeeds or fails.
 */
async function nested<T>(outer: AuditNote, operation: (note: AuditNote) => Promise<T>): Promise<T> {
  const inner: AuditNote = { command: outer.command, ...(outer.client === undefined ? {} : { client: outer.client }) };
  try {
    const result = await operation(inner);
    inner.target ??= targetOf(result);
    return result;
  } finally {
    outer.target ??= inner.target;
    outer.keys = [...new Set([...(outer.keys ?? []), ...(inner.keys ?? [])])];
    outer.container ??= inner.container;
  }
}

/**
 * Runs `operation` and writes one audit entry for it: `ok` when it returns,
 * `denied` when the policy hook refused, `failed` (with the error's code)
 * when it threw. A usage error before any file was chosen is not an access
 * and is not logged. When the entry cannot be written, the operation fails
 * with an `audit-write` error (after a failure, the original error wins).
 * Called inside another audited operation, it adds to that one's entry.
 */
export async function audited<T>(ctx: Context, command: string, operation: (note: AuditNote) => Promise<T>): Promise<T> {
  const outer = current.getStore();
  if (outer !== undefined) return nested(outer, operation);
  const note: AuditNote = { command };
  return recordAfter(ctx, note, () => current.run(note, () => operation(note)));
}

/**
 * Like {@link audited}, for an operation that calls no other audited use case
 * and is called by none (textconv, in git's process or in the agent's): it
 * does not enter the AsyncLocalStorage, whose promise hooks would slow every
 * later await of the process (measured: ~18 % of a textconv of 100 values).
 */
export async function auditedAlone<T>(ctx: Context, command: string, operation: (note: AuditNote) => Promise<T>): Promise<T> {
  const note: AuditNote = { command };
  return recordAfter(ctx, note, () => operation(note));
}

async function recordAfter<T>(ctx: Context, note: AuditNote, operation: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await operation();
  } catch (error) {
    if (!(error instanceof UsageError && note.target === undefined)) {
      const denied = error instanceof VaultError && error.code === "policy-denied";
      try {
        await record(ctx, note, denied ? "denied" : "failed", errorCode(error));
      } catch (auditError) {
        // The same failure (an invalid configuration, which also says where the log is) is reported once, as the error.
        const same = error instanceof Error && auditError instanceof Error && auditError.message === error.message;
        if (auditError instanceof VaultError && !same) ctx.stderr.write(`warning: ${auditError.message}\n`);
      }
    }
    throw error;
  }
  note.target ??= targetOf(result);
  await record(ctx, note, "ok", null);
  return result;
}

/** Which entries `audit tail|show` print. */
export interface AuditFilter {
  /** An ISO date/time, or an age like `30m`, `12h`, `7d`, `2w`. */
  readonly since?: string | undefined;
  readonly key?: string | undefined;
  readonly env?: string | undefined;
  /** Only the last this many (after filtering). */
  readonly last?: number | undefined;
}

/** The time `--since` names: an age (`12h`) back from now, or a date. */
export function sinceTime(text: string, now: Date): Date {
  const age = durationSeconds(text, "smhdw");
  if (age !== null) return new Date(now.getTime() - age * 1000);
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(date.getTime())) {
    throw new UsageError("--since takes a date (2026-01-31, 2026-01-31T09:00Z) or an age (30m, 12h, 7d, 2w)");
  }
  return date;
}

/** The entries of this repository's audit log that match `filter`, oldest first, with the log's path. */
export async function readAudit(ctx: Context, filter: AuditFilter): Promise<{ path: string; entries: AuditEntry[] }> {
  const since = filter.since === undefined ? null : sinceTime(filter.since, ctx.clock());
  if (filter.last !== undefined && (!Number.isInteger(filter.last) || filter.last < 1)) throw new UsageError("-n takes a number of entries above 0");
  const path = await auditLogFor(ctx);
  const entries = readAuditLog(path).filter(
    (e) =>
      (since === null || new Date(e.time) >= since) &&
      (filter.key === undefined || e.keys.includes(filter.key)) &&
      (filter.env === undefined || e.env === filter.env),
  );
  return { path, entries: filter.last === undefined ? entries : entries.slice(-filter.last) };
}

/** `audit verify`: the chain of this repository's audit log checked, with the log's path. */
export async function verifyAudit(ctx: Context): Promise<{ path: string; report: AuditVerification }> {
  const path = await auditLogFor(ctx);
  return { path, report: verifyAuditLog(path) };
}
