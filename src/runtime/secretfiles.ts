/**
 * Secrets as files for `run --as-files`: a private folder on a tmpfs (memory,
 * never a disk), one 0400 file per value, removed when the command ends.
 *
 * A git-vault killed with SIGKILL cannot remove its folder, so each folder is
 * named after the process that made it (pid and start time) and every later
 * `run` removes the folders whose process is gone: the design is "clean up on
 * the next run" (docs/deploy.md).
 */
import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statfsSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { VaultError } from "../errors.js";

/** statfs f_type of memory file systems (Linux): tmpfs and ramfs. */
const MEMORY_FS = new Set([0x01021994, 0x858458f6]);
const RUN_DIR_RE = /^run-(\d+)-(\d+)-[0-9a-f]{8}$/;

/** One file to write: its path below the folder, mode and content. */
export interface SecretFile {
  readonly name: string;
  readonly mode: number;
  readonly content: string;
}

/** Whether `path` is on a memory file system; false when it cannot be told. */
export function isMemoryFs(path: string): boolean {
  try {
    return MEMORY_FS.has(statfsSync(path).type);
  } catch {
    return false;
  }
}

/** The folders that may hold secret files, best first: $XDG_RUNTIME_DIR, then /dev/shm. */
function candidateRoots(env: Readonly<Record<string, string | undefined>>): string[] {
  const runtime = env["XDG_RUNTIME_DIR"];
  return [...(runtime !== undefined && isAbsolute(runtime) ? [runtime] : []), "/dev/shm"];
}

function userFolderName(): string {
  return `git-vault-${process.getuid?.() ?? "user"}`;
}

/** The start time of a process (clock ticks since boot, /proc), "0" where /proc is not there; null when it is gone. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "0";
  } catch {
    if (process.platform === "linux") return null;
  }
  try {
    process.kill(pid, 0);
    return "0";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? "0" : null;
  }
}

/**
 * Removes the run folders left by git-vault processes that are gone (killed
 * with SIGKILL, or by a crash). Never fails: a folder it cannot remove is
 * tried again next time.
 */
export function sweepSecretFolders(env: Readonly<Record<string, string | undefined>>): void {
  // Every folder chooseFilesRoot may pick, the temp folder of --allow-disk included.
  for (const root of new Set([...candidateRoots(env), tmpdir()])) {
    const base = join(root, userFolderName());
    let names: string[];
    try {
      if (!ownPrivateFolder(base)) continue;
      names = readdirSync(base);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = RUN_DIR_RE.exec(name);
      if (m === null) continue;
      const start = processStart(Number(m[1]));
      if (start !== null && (start === m[2] || start === "0")) continue;
      rmSync(join(base, name), { recursive: true, force: true });
    }
  }
}

/** True for a real folder (no link) owned by this user that only it can enter. */
function ownPrivateFolder(path: string): boolean {
  const st = lstatSync(path);
  const uid = process.getuid?.();
  return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o077) === 0;
}

/**
 * Chooses where the files go: the first candidate on a tmpfs; with
 * `allowDisk`, else $XDG_RUNTIME_DIR or the temp folder. Refuses otherwise.
 */
export function chooseFilesRoot(env: Readonly<Record<string, string | undefined>>, allowDisk: boolean): string {
  const roots = candidateRoots(env);
  const memory = roots.find(isMemoryFs);
  if (memory !== undefined) return memory;
  if (allowDisk) return roots[0] === "/dev/shm" ? tmpdir() : (roots[0] as string);
  throw new VaultError("no-tmpfs", `no memory file system for secret files: ${roots.join(" and ")} ${roots.length === 1 ? "is not a tmpfs" : "are not tmpfs"}`, {
    hint: "set XDG_RUNTIME_DIR to a tmpfs folder, or accept files on disk with --allow-disk",
  });
}

/** A folder of secret files; `remove()` deletes it and everything in it. */
export interface SecretFolder {
  readonly dir: string;
  /** Absolute path of each file, by name. */
  readonly paths: ReadonlyMap<string, string>;
  remove(): void;
}

/**
 * Writes `files` into a new private folder below `root` (0700 folders, each
 * file created exclusively with its mode). On any failure nothing is left.
 */
export function writeSecretFolder(root: string, files: readonly SecretFile[]): SecretFolder {
  const base = join(root, userFolderName());
  try {
    mkdirSync(base, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw fsError(base, error);
  }
  if (!ownPrivateFolder(base)) {
    throw new VaultError("files-folder-unsafe", `${base} is not a private folder of this user (a link, someone else's, or open to others)`, {
      hint: `remove it (rm -r ${base}) and run again`,
    });
  }
  const dir = join(base, `run-${process.pid}-${processStart(process.pid) ?? "0"}-${randomBytes(4).toString("hex")}`);
  mkdirSync(dir, { mode: 0o700 });
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
  };
  const paths = new Map<string, string>();
  try {
    for (const file of files) {
      const path = join(dir, file.name);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const fd = openSync(path, "wx", file.mode);
      try {
        writeSync(fd, Buffer.from(file.content, "utf8"));
        fchmodSync(fd, file.mode); // open() applied the umask
      } finally {
        closeSync(fd);
      }
      paths.set(file.name, path);
    }
  } catch (error) {
    remove();
    throw fsError(dir, error);
  }
  return { dir, paths, remove };
}

function fsError(path: string, error: unknown): VaultError {
  return new VaultError("files-write-failed", `cannot write secret files in ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
}
