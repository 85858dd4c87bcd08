/**
 * The audit log: an append-only JSONL file, one entry per line, each entry
 * chained to the one before it by hash, so that an edited, removed or
 * reordered line is found by {@link verifyAuditLog}. Never holds a value.
 *
 * Usage (use cases go through app/audit.ts, which fills in who and where):
 *
 *     appendAuditEntry(path, { time, user, uid, host, command, keys, result, … });
 *     const entries = readAuditLog(path);      // parsed, for `audit tail|show`
 *     const report = verifyAuditLog(path);     // { ok, entries, head } or the first bad line
 *
 * Each line is `JSON.stringify(body)` with `"hash":"<sha256 hex>"` as its last
 * member, where the hash is taken over the line's text up to that member
 * (the body, closed by `}`), and the body's `prev` is the previous line's
 * hash (64 zeros for the first line) and its `seq` the previous line's plus
 * one. Writers hold the file's lock (files/lock.ts) from reading the last line
 * to the end of their append, so concurrent writers never break the chain.
 */
import { createHash } from "node:crypto";
import { closeSync, fchmodSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { VaultError } from "../errors.js";
import { withFileLock } from "../files/lock.js";

/** How an operation ended. */
export type AuditResult = "ok" | "denied" | "failed";

/** What one entry records. Names and places only, never a value. */
export interface AuditRecord {
  /** ISO 8601 time of the entry. */
  readonly time: string;
  readonly host: string;
  readonly user: string;
  readonly uid: number | null;
  /** The git-vault command (`get --reveal`, `run`, `docker exec`, `set`, …). */
  readonly command: string;
  /** Host repository root, when there was one. */
  readonly repo: string | null;
  readonly vaultDir: string | null;
  readonly env: string | null;
  /** The env file worked on. */
  readonly file: string | null;
  /** Key names the operation decrypted or changed. */
  readonly keys: readonly string[];
  /** The container values were sent to (`docker exec`), or null. */
  readonly container: string | null;
  /** Who asked, when not the local user directly (an API token's id, say); null otherwise. */
  readonly client: string | null;
  readonly result: AuditResult;
  /** The error's code (`policy-denied`, `key-missing`, …) when the result is not ok. */
  readonly error: string | null;
}

/** An entry as stored: the record plus its place in the chain. */
export interface AuditEntry extends AuditRecord {
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

/** The `prev` of the first entry. */
export const GENESIS = "0".repeat(64);

const HASH_TAIL = /,"hash":"([0-9a-f]{64})"\}$/;

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The stored line for `record` following an entry with `prev` hash and sequence `seq - 1`. */
export function encodeAuditEntry(record: AuditRecord, seq: number, prev: string): string {
  const body = JSON.stringify({ seq, ...record, prev });
  return `${body.slice(0, -1)},"hash":"${sha256(body)}"}`;
}

/** Whether a line's own hash matches its content; the hash when it does. */
function lineHash(line: string): string | null {
  const match = HASH_TAIL.exec(line);
  if (match === null) return null;
  const [, hash = ""] = match;
  return sha256(`${line.slice(0, match.index)}}`) === hash ? hash : null;
}

function auditWriteError(path: string, error: unknown): VaultError {
  if (error instanceof VaultError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "unknown";
  const why: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOTDIR: "a part of the path is not a folder",
    EEXIST: "a part of the path is not a folder",
    EISDIR: "it is a folder",
  };
  return new VaultError("audit-write", `cannot write the audit log ${path}: ${why[code] ?? code}`, {
    hint: "the operation was stopped because it could not be recorded; free space or fix the permissions of the log (or choose another with auditLog / GIT_VAULT_AUDIT_LOG)",
  });
}

/** The last line of an open file (without its newline), and whether the file ends with one. */
function lastLine(fd: number, size: number): { line: string; complete: boolean } {
  if (size === 0) return { line: "", complete: true };
  const chunks: Buffer[] = [];
  let end = size;
  for (;;) {
    const start = Math.max(0, end - 4096);
    const chunk = Buffer.alloc(end - start);
    readSync(fd, chunk, 0, chunk.length, start);
    chunks.unshift(chunk);
    const text = Buffer.concat(chunks);
    const body = text[text.length - 1] === 0x0a ? text.subarray(0, -1) : text;
    const newline = body.lastIndexOf(0x0a);
    if (newline >= 0 || start === 0) {
      return { line: body.subarray(newline + 1).toString("utf8"), complete: text[text.length - 1] === 0x0a };
    }
    end = start;
  }
}

/**
 * Appends one entry to the log at `path` (created with mode 0600, its folder
 * 0700), chained to the last entry. Throws a VaultError (`audit-write`) when
 * the entry cannot be written in full: a partial line is cut off again.
 */
export async function appendAuditEntry(path: string, record: AuditRecord): Promise<AuditEntry> {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    return await withFileLock(path, () => Promise.resolve(appendLocked(path, record)));
  } catch (error) {
    throw auditWriteError(path, error);
  }
}

function appendLocked(path: string, record: AuditRecord): AuditEntry {
  const fd = openSync(path, "a+", 0o600);
  try {
    const stat = fstatSync(fd);
    // Key names and who used them are for the user alone: a log others can read is narrowed to 0600.
    if (stat.isFile() && (stat.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    const { size } = stat;
    const { line, complete } = lastLine(fd, size);
    if (!complete) {
      throw new VaultError("audit-damaged", `the audit log ${path} ends with an incomplete line`, {
        hint: "run `git vault audit verify`; move the log away to start a new one",
      });
    }
    let seq = 1;
    let prev = GENESIS;
    if (line !== "") {
      const hash = HASH_TAIL.exec(line)?.[1];
      const last = /^\{"seq":(\d+),/.exec(line)?.[1];
      if (hash === undefined || last === undefined) {
        throw new VaultError("audit-damaged", `the audit log ${path} ends with a line that is not an audit entry`, {
          hint: "run `git vault audit verify`; move the log away to start a new one",
        });
      }
      // Chained to the last line as it stands: an edit there is still found by verify (its own hash).
      seq = Number(last) + 1;
      prev = hash;
    }
    const text = encodeAuditEntry(record, seq, prev);
    try {
      writeSync(fd, `${text}\n`);
      fsyncSync(fd);
    } catch (error) {
      // A full disk may have taken part of the line: the log stays a chain of whole entries.
      try {
        ftruncateSync(fd, size);
      } catch {
        // nothing more can be done; verify will name the line
      }
      throw error;
    }
    return JSON.parse(text) as AuditEntry;
  } finally {
    closeSync(fd);
  }
}

function readLines(path: string): string[] | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The entries of the log, in order; `[]` when there is no log. Lines that do not parse are skipped. */
export function readAuditLog(path: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const line of readLines(path) ?? []) {
    try {
      const entry = JSON.parse(line) as Partial<AuditEntry> | null;
      if (typeof entry === "object" && entry !== null && typeof entry.seq === "number") entries.push(entry as AuditEntry);
    } catch {
      // damaged: `audit verify` names it
    }
  }
  return entries;
}

/** The outcome of {@link verifyAuditLog}. */
export type AuditVerification =
  | { readonly ok: true; readonly exists: boolean; readonly entries: number; readonly head: string }
  | { readonly ok: false; readonly exists: true; readonly entries: number; readonly line: number; readonly problem: string };

/**
 * Checks the whole chain. The first bad line is named with what is wrong
 * with it: damaged or edited (its hash), lines missing before it, lines out
 * of order, or not following the line above it.
 */
export function verifyAuditLog(path: string): AuditVerification {
  const lines = readLines(path);
  if (lines === null) return { ok: true, exists: false, entries: 0, head: GENESIS };
  const seqs = lines.map((l) => Number(/^\{"seq":(\d+),/.exec(l)?.[1] ?? Number.NaN));
  let prev = GENESIS;
  let expected = 1;
  for (const [index, line] of lines.entries()) {
    const bad = (problem: string): AuditVerification => ({ ok: false, exists: true, entries: lines.length, line: index + 1, problem });
    const hash = lineHash(line);
    if (hash === null) return bad(HASH_TAIL.test(line) ? "its content does not match its hash (the line was edited)" : "not an audit entry (damaged or edited)");
    const seq = seqs[index] ?? Number.NaN;
    const claimedPrev = (JSON.parse(line) as { prev?: unknown }).prev;
    if (seq !== expected) {
      const later = seqs.slice(index + 1).includes(expected);
      if (later || seq < expected) return bad(`entry ${seq} is out of order (lines were moved or swapped; entry ${expected} was expected)`);
      return bad(`entries ${expected}${seq - 1 > expected ? `–${seq - 1}` : ""} before it are missing (lines were removed)`);
    }
    if (claimedPrev !== prev) return bad(index === 0 ? "the first entry does not start a chain (lines before it were removed)" : `it does not follow line ${index} (a line was removed, inserted or replaced)`);
    prev = hash;
    expected++;
  }
  return { ok: true, exists: true, entries: lines.length, head: prev };
}
