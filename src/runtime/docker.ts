/**
 * The Docker side of the runtime: which daemon the docker client will talk
 * to (resolved the way the client resolves it, without running it), and
 * writing secrets as files in a container through one `docker exec -i` with
 * the values on stdin.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { VaultError } from "../errors.js";

/** How values would travel to the daemon. */
export type DaemonKind = "local" | "ssh" | "tls" | "insecure-tcp" | "unknown";

/** The daemon the docker client will use, and where that was decided. */
export interface DockerDaemon {
  readonly host: string;
  readonly kind: DaemonKind;
  /** `DOCKER_HOST`, `--context NAME`, `DOCKER_CONTEXT=NAME`, `the current docker context NAME`, or `the default socket`. */
  readonly source: string;
}

/**
 * Why values must not be sent to `daemon`, or null when they may: `tcp://`
 * without TLS verification unless allowed, and an endpoint git-vault cannot
 * classify, always.
 */
export function dockerRefusal(daemon: DockerDaemon, allowInsecureHost: boolean): "docker-host-insecure" | "docker-host-unknown" | null {
  if (daemon.kind === "insecure-tcp") return allowInsecureHost ? null : "docker-host-insecure";
  return daemon.kind === "unknown" ? "docker-host-unknown" : null;
}

const DEFAULT_SOCKET = "unix:///var/run/docker.sock";

function kindOf(host: string, tlsVerified: boolean): DaemonKind {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host)?.[1]?.toLowerCase();
  switch (scheme) {
    case "unix":
    case "npipe":
    case "fd":
      return "local";
    case "ssh":
      return "ssh";
    case "tcp":
    case "http":
    case "https":
      return tlsVerified ? "tls" : "insecure-tcp";
    default:
      return "unknown";
  }
}

/** The docker client's configuration folder: `DOCKER_CONFIG`, else `~/.docker`. */
function configDir(env: Readonly<Record<string, string | undefined>>): string {
  return env["DOCKER_CONFIG"] || join(env["HOME"] || homedir(), ".docker");
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new VaultError("docker-config-invalid", `cannot read ${path} (the docker client's configuration)`, { hint: "fix or remove it, as `docker context ls` would need too" });
  }
}

/** A named docker context's endpoint, from the client's context store. */
function contextDaemon(env: Readonly<Record<string, string | undefined>>, name: string, source: string): DockerDaemon {
  if (name === "default") return environmentDaemon(env, source);
  const dir = configDir(env);
  const id = createHash("sha256").update(name).digest("hex");
  const meta = readJson(join(dir, "contexts", "meta", id, "meta.json")) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | null;
  const endpoint = meta?.Endpoints?.docker;
  if (endpoint === undefined || typeof endpoint.Host !== "string") {
    throw new VaultError("docker-context-missing", `docker context ${name} (${source}) does not exist or names no docker endpoint`, { hint: "see `docker context ls`" });
  }
  // A context with TLS material verifies the daemon's certificate unless it says to skip that.
  const tls = existsSync(join(dir, "contexts", "tls", id, "docker"));
  return { host: endpoint.Host, kind: kindOf(endpoint.Host, tls && endpoint.SkipTLSVerify !== true), source };
}

/** The daemon of the `default` context: `DOCKER_HOST` (with `DOCKER_TLS_VERIFY`), else the local socket. */
function environmentDaemon(env: Readonly<Record<string, string | undefined>>, source: string): DockerDaemon {
  const host = env["DOCKER_HOST"];
  if (!host) return { host: DEFAULT_SOCKET, kind: "local", source: source === "DOCKER_HOST" ? "the default socket" : source };
  // The docker client verifies TLS when DOCKER_TLS_VERIFY is set to anything (even "0").
  return { host, kind: kindOf(host, Boolean(env["DOCKER_TLS_VERIFY"])), source: "DOCKER_HOST" };
}

/**
 * The daemon the docker client will use, decided as the client decides it:
 * `--context`, else `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the current
 * context of its config.json, else the local socket.
 */
export function resolveDockerDaemon(env: Readonly<Record<string, string | undefined>>, context?: string): DockerDaemon {
  if (context !== undefined) return contextDaemon(env, context, `--context ${context}`);
  if (env["DOCKER_HOST"]) return environmentDaemon(env, "DOCKER_HOST");
  const fromEnv = env["DOCKER_CONTEXT"];
  if (fromEnv) return contextDaemon(env, fromEnv, `DOCKER_CONTEXT=${fromEnv}`);
  const current = (readJson(join(configDir(env), "config.json")) as { currentContext?: unknown } | null)?.currentContext;
  if (typeof current === "string" && current !== "") return contextDaemon(env, current, `the current docker context ${current}`);
  return environmentDaemon(env, "DOCKER_HOST");
}

/**
 * The script `--as-files` runs in the container (`sh -c SCRIPT sh DIR
 * ALLOW_DISK`): it finds the file system DIR is on, refuses one that is not
 * a tmpfs (exit 90, naming it) unless allowed, says `ready`, then reads
 * `KEY LENGTH` lines each followed by that many bytes and writes each to
 * DIR/KEY with umask 077 and mode 0400. dd with a block size of 1 reads
 * exactly the value's bytes from the pipe, and exists in every shell image.
 */
const WRITE_FILES_SCRIPT = `
set -e
dir=$1
best=
fstype=
while read -r _ mnt type _; do
  case "$dir/" in
    "\${mnt%/}/"*) if [ \${#mnt} -ge \${#best} ]; then best=$mnt; fstype=$type; fi ;;
  esac
done </proc/mounts
if [ "$fstype" != tmpfs ] && [ "$fstype" != ramfs ] && [ "$2" != 1 ]; then
  echo "$fstype" >&2
  exit 90
fi
umask 077
mkdir -p "$dir"
echo ready
while read -r key length; do
  [ -n "$key" ] || break
  rm -f "$dir/$key"
  dd bs=1 count="$length" of="$dir/$key" 2>/dev/null
  chmod 0400 "$dir/$key"
done
`;

/** Where and how `--as-files` writes. */
export interface SecretFilesRequest {
  /** The docker client's argv before `exec` (`["docker"]`, `["docker", "--context", "c"]`). */
  readonly docker: readonly string[];
  readonly container: string;
  readonly user?: string | undefined;
  readonly dir: string;
  readonly allowDisk: boolean;
  readonly files: readonly (readonly [key: string, value: Buffer])[];
  readonly env: Record<string, string>;
}

/** What went wrong writing the files, for the use case to explain. */
export class SecretFilesError extends VaultError {
  override readonly name = "SecretFilesError";
}

/**
 * Writes every file through one `docker exec -i`; the values go on stdin only
 * after the container said the folder is acceptable. Resolves when done.
 */
export function writeSecretFiles(request: SecretFilesRequest): Promise<void> {
  const [command = "docker", ...global] = request.docker;
  const args = [...global, "exec", "-i", ...(request.user === undefined ? [] : ["-u", request.user]), request.container, "sh", "-c", WRITE_FILES_SCRIPT, "sh", request.dir, request.allowDisk ? "1" : "0"];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: request.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (sent || !stdout.includes("ready\n")) return;
      sent = true;
      for (const [key, value] of request.files) {
        child.stdin.write(`${key} ${value.length}\n`);
        child.stdin.write(value);
      }
      child.stdin.end("\n");
    });
    child.stdin.on("error", () => {
      // the container side went away; its exit status says why
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(new SecretFilesError("docker-not-found", `cannot run ${command}: ${error.code === "ENOENT" ? "not found" : (error.code ?? "failed")}`, { hint: "install the docker client, or put it on PATH" }));
    });
    child.once("close", (code) => {
      if (code === 0 && sent) {
        resolve();
        return;
      }
      if (code === 90) {
        const fs = stderr.trim().split("\n").at(-1) ?? "unknown";
        reject(
          new SecretFilesError("secrets-dir-not-tmpfs", `${request.dir} in container ${request.container} is on ${fs}, not a tmpfs: secret files there would be written to disk`, {
            hint: `start the container with --tmpfs ${request.dir} (or a tmpfs mount), choose a tmpfs folder with --dir (/dev/shm), or accept disk with --allow-disk`,
          }),
        );
        return;
      }
      reject(
        new SecretFilesError("secrets-write-failed", `writing the secret files in container ${request.container} failed (docker exec exit ${code ?? "by signal"})${stderr.trim() ? `: ${stderr.trim().split("\n")[0] ?? ""}` : ""}`, {
          hint: "the container needs a POSIX shell with dd, mkdir and chmod, and the exec user must be able to write the folder",
        }),
      );
    });
  });
}
