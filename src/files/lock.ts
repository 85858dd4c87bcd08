/**
 * A lock file beside the file being changed (`FILE.lock`) serializes writers
 * across processes. The lock appears atomically with its holder's pid in it
 * (written to a private file, then hard-linked into place), so a waiter never
 * sees an empty lock. A lock whose holder died is taken over through an
 * atomic rename that re-checks what it moved; a live holder is waited for.
 */
import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { VaultError } from "../errors.js";
import { followLinks } from "./atomic.js";

const RETRY_MS = 20;
/** An unreadable lock younger than this is assumed to be held. */
const GRACE_MS = 10_000;

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid of a holder known to be gone, or null when the lock may still be held. */
function deadHolder(lockPath: string): number | null {
  const pid = readPid(lockPath);
  if (pid !== null) return alive(pid) ? null : pid;
  try {
    // No pid: not written by this version, or damaged. Only an old one is stale.
    return Date.now() - statSync(lockPath).mtimeMs > GRACE_MS ? 0 : null;
  } catch {
    return null;
  }
}

function tryAcquire(lockPath: string): boolean {
  const mine = `${lockPath}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o600 });
  try {
    linkSync(mine, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  } finally {
    unlinkSync(mine);
  }
}

/** Moves a dead holder's lock away; puts it back if a live holder slipped in meanwhile. */
function takeOver(lockPath: string, deadPid: number): void {
  const moved = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    renameSync(lockPath, moved);
  } catch {
    return; // someone else moved it first
  }
  const pid = readPid(moved);
  if (pid !== null && pid !== deadPid && alive(pid)) {
    try {
      linkSync(moved, lockPath);
    } catch {
      // the lock was taken again in between; nothing better to do than let both proceed
    }
  }
  unlinkSync(moved);
}

/** Runs `fn` while holding the lock for `path`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  // Writers through different links to one file share its lock.
  const lockPath = `${followLinks(path)}.lock`;
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(lockPath)) {
    const dead = deadHolder(lockPath);
    if (dead !== null) {
      takeOver(lockPath, dead);
      continue;
    }
    if (Date.now() > deadline) {
      throw new VaultError("locked", `${path} is locked by another git-vault process`, {
        hint: `if no git-vault is running, remove ${lockPath}`,
      });
    }
    await new Promise((r) => setTimeout(r, RETRY_MS + Math.random() * RETRY_MS));
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // nothing to release
    }
  }
}
