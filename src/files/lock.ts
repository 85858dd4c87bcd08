/**
 * A lock file beside the file being changed (`FILE.lock`, created with O_EXCL)
 * serializes writers across processes. A lock left by a dead process is taken
 * over; a live holder is waited for up to a timeout.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { VaultError } from "../errors.js";

const RETRY_MS = 25;

function holderAlive(lockPath: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
  } catch {
    return true; // vanished or unreadable: try again rather than steal
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryAcquire(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, "wx", 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  }
}

/** Runs `fn` while holding the lock for `path`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(lockPath)) {
    if (!holderAlive(lockPath)) {
      try {
        unlinkSync(lockPath);
      } catch {
        // another waiter took it over first
      }
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
