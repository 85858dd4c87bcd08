/**
 * Crash-safe file replacement: write a temporary file in the same folder,
 * flush it, give it the old file's mode, rename it over the target. Readers
 * see the old file or the new one, never a mix.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Mode for a new file; an existing file keeps its own mode. */
  readonly mode?: number;
  /** Refuse to replace an existing file. */
  readonly exclusive?: boolean;
}

/**
 * The file a path names, through symbolic links: a link to an env file is
 * written through, not replaced by a file of its own. A path that is no link,
 * or does not exist, is returned as it is; a dangling link gives its target.
 */
export function followLinks(path: string): string {
  try {
    if (!lstatSync(path).isSymbolicLink()) return path;
  } catch {
    return path;
  }
  try {
    return realpathSync(path);
  } catch {
    return resolve(dirname(path), readlinkSync(path));
  }
}

/** Atomically replaces (or creates) `path` (or the file a link at `path` points to) with `data`. */
export function writeFileAtomic(linkOrPath: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const path = followLinks(linkOrPath);
  let mode = options.mode ?? 0o644;
  try {
    mode = statSync(path).mode & 0o7777;
    if (options.exclusive) {
      const error = new Error(`${path} exists`) as NodeJS.ErrnoException;
      error.code = "EEXIST";
      throw error;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  const fd = openSync(temp, "wx", mode & 0o777);
  try {
    try {
      writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // open() applies the umask; the old file's mode is restored exactly.
    chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw error;
  }
}
