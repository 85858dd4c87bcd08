/**
 * Where the agent's socket lives: `$XDG_RUNTIME_DIR/git-vault/agent.sock`
 * (a per-user tmpfs the system makes 0700), else
 * `$XDG_CACHE_HOME/git-vault/agent/agent.sock` (`~/.cache` by default),
 * never a shared `/tmp` path. The folder is 0700 and the user's own; the
 * textconv client (textconv-client.sh) computes the same path.
 */
import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { VaultError } from "../errors.js";

/** Linux's limit on a unix socket path (sun_path, 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/** The agent's socket path for this environment. */
export function agentSocketPath(env: Record<string, string | undefined>): string {
  const runtime = env["XDG_RUNTIME_DIR"];
  if (runtime && isAbsolute(runtime)) return join(runtime, "git-vault", "agent.sock");
  const cache = env["XDG_CACHE_HOME"];
  const base = cache && isAbsolute(cache) ? cache : join(env["HOME"] || homedir(), ".cache");
  return join(base, "git-vault", "agent", "agent.sock");
}

/**
 * Makes the socket's folder (0700) and checks it is a folder of this user
 * that nobody else can enter; a folder of ours with a looser mode is
 * tightened. Throws a VaultError naming the folder otherwise.
 */
export function preparePrivateFolder(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new VaultError("agent-socket-path", `the agent's socket path is longer than a unix socket allows (${MAX_SOCKET_PATH} bytes): ${socketPath}`, {
      hint: "set XDG_RUNTIME_DIR (or XDG_CACHE_HOME) to a shorter absolute folder of yours",
    });
  }
  const dir = dirname(socketPath);
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw folderError(dir, (error as NodeJS.ErrnoException).code ?? "error");
  }
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw folderError(dir, "not a folder");
  if (typeof process.getuid === "function" && stat.uid !== process.getuid()) throw folderError(dir, "owned by another user");
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function folderError(dir: string, reason: string): VaultError {
  return new VaultError("agent-folder", `cannot use ${dir} for the agent's socket (${reason})`, {
    hint: "it must be a folder of yours that only you can enter (mode 0700); remove it and run `git vault agent start` again",
  });
}
