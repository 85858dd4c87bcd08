/**
 * `docker exec` and `docker build` with secrets: the values reach the docker
 * client's environment only (`-e KEY`, `--secret id=KEY,env=KEY`), or the
 * container's tmpfs as files through stdin, never argv or container config;
 * and only after the daemon the client will use was found safe to send them
 * to.
 */
import { UsageError, VaultError } from "../errors.js";
import { runChild, withoutOwnVariables } from "../runtime/child.js";
import { type DockerDaemon, dockerRefusal, resolveDockerDaemon, writeSecretFiles } from "../runtime/docker.js";
import type { Config } from "../config/index.js";
import { audited } from "./audit.js";
import type { Context } from "./context.js";
import type { KeySelection } from "./manifest.js";
import { type DecryptedValue, decryptSelection, secretEnvironment } from "./run.js";
import { type TargetOptions, resolveTarget } from "./target.js";

/** Options shared by `docker exec` and `docker build`. */
export interface DockerRequest extends TargetOptions, KeySelection {
  readonly identityFile?: string | undefined;
  /** `--context NAME` for the docker client. */
  readonly context?: string | undefined;
  /** `--allow-insecure-docker-host`. */
  readonly allowInsecureHost?: boolean;
}

export interface DockerExecRequest extends DockerRequest {
  readonly container: string;
  readonly argv: readonly string[];
  readonly interactive?: boolean;
  readonly tty?: boolean;
  readonly user?: string | undefined;
  readonly workdir?: string | undefined;
  /** Write the secrets as files instead of variables. */
  readonly asFiles?: boolean;
  readonly dir?: string | undefined;
  readonly cleanup?: boolean;
  readonly allowDisk?: boolean;
}

export const DEFAULT_SECRETS_DIR = "/run/secrets";

/**
 * Refuses a daemon values must not be sent to: `tcp://` without TLS
 * verification (unless allowed by flag or configuration), or an endpoint
 * git-vault cannot classify. Returns the daemon, for the caller's note.
 */
export function checkDockerDaemon(env: Context["env"], request: DockerRequest, config: Config): DockerDaemon {
  const daemon = resolveDockerDaemon(env, request.context);
  const refusal = dockerRefusal(daemon, request.allowInsecureHost === true || config.docker?.allowInsecureHost === true);
  if (refusal === "docker-host-insecure") {
    throw new VaultError("docker-host-insecure", `refusing to send secrets to the docker daemon ${daemon.host} (from ${daemon.source}): it is reached over TCP without TLS verification, so the values would cross the network in clear`, {
      hint: "use TLS (DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH, or a docker context with TLS), an ssh:// host, or a local socket; or pass --allow-insecure-docker-host (config docker.allowInsecureHost) if this network is trusted",
    });
  }
  if (refusal === "docker-host-unknown") {
    throw new VaultError("docker-host-unknown", `refusing to send secrets to the docker daemon ${daemon.host} (from ${daemon.source}): git-vault does not know how values travel there`, {
      hint: "use a unix://, ssh:// or TLS-verified tcp:// docker host",
    });
  }
  return daemon;
}

/** A note on stderr when values leave this machine for another daemon. */
function noteRemote(ctx: Context, daemon: DockerDaemon): void {
  if (daemon.kind === "local") return;
  const how = daemon.kind === "ssh" ? "over ssh" : daemon.kind === "tls" ? "over TLS" : "over TCP WITHOUT TLS verification (allowed by configuration or flag)";
  ctx.stderr.write(`note: the docker daemon is remote: ${daemon.host} (from ${daemon.source}); the values go to it ${how}\n`);
}

/** The docker client's argv before its subcommand. */
function dockerPrefix(request: DockerRequest): string[] {
  return ["docker", ...(request.context === undefined ? [] : ["--context", request.context])];
}

/** Checks the daemon, then decrypts under the audit entry of `command` (the policy hook is asked there). */
async function decryptForDocker(ctx: Context, command: string, request: DockerRequest, container: string | null): Promise<Map<string, DecryptedValue>> {
  return audited(ctx, command, async (note) => {
    note.target = await resolveTarget(ctx, request);
    if (container !== null) note.container = container;
    const daemon = checkDockerDaemon(ctx.env, request, note.target.config);
    const { values } = await decryptSelection(ctx, request, note);
    noteRemote(ctx, daemon);
    return values;
  });
}

function checkSecretsDir(dir: string): void {
  if (!dir.startsWith("/") || dir.includes("\n") || /(^|\/)\.\.?(\/|$)/.test(dir)) {
    throw new UsageError("--dir must be an absolute folder path in the container, without . or .. parts", "like /run/secrets");
  }
}

/**
 * `docker exec`: runs CMD in the container with the values as variables
 * (`-e KEY`, values in the client's environment) or, with `asFiles`, as
 * files written first; resolves with the exit code of `docker exec`.
 */
export async function dockerExec(ctx: Context, request: DockerExecRequest, signals: Pick<NodeJS.Process, "on" | "off">): Promise<number> {
  const where = "put it after the container and --: git vault docker exec CONTAINER -- COMMAND [ARGS...]";
  if (request.argv.length === 0) throw new UsageError("no command given", where);
  if (request.argv[0] === "") throw new UsageError("empty command name", where);
  if (request.container === "" || request.container.startsWith("-")) throw new UsageError("a container name or id is needed before --");
  const dir = request.dir ?? DEFAULT_SECRETS_DIR;
  if (!request.asFiles && (request.dir !== undefined || request.cleanup === true || request.allowDisk === true)) {
    throw new UsageError("--dir, --cleanup and --allow-disk go with --as-files");
  }
  if (request.asFiles) checkSecretsDir(dir);
  const values = await decryptForDocker(ctx, "docker exec", request, request.container);
  const docker = dockerPrefix(request);
  const flags = [
    ...(request.interactive ? ["-i"] : []),
    ...(request.tty ? ["-t"] : []),
    ...(request.user === undefined ? [] : ["-u", request.user]),
    ...(request.workdir === undefined ? [] : ["-w", request.workdir]),
  ];
  if (!request.asFiles) {
    const env = secretEnvironment(ctx.env, values);
    const keys = [...values.keys()].flatMap((k) => ["-e", k]);
    return runChild([...docker, "exec", ...flags, ...keys, request.container, ...request.argv], { cwd: ctx.cwd, env, signals });
  }
  const badName = [...values.keys()].find((k) => k === "." || k === "..");
  if (badName !== undefined) throw new UsageError(`key ${badName} cannot be a file name`, "leave it out with --only");
  const env = withoutOwnVariables(ctx.env);
  await writeSecretFiles({
    docker,
    container: request.container,
    user: request.user,
    dir,
    allowDisk: request.allowDisk === true,
    files: [...values].map(([k, v]) => [k, Buffer.from(v.value.reveal(), "utf8")] as const),
    env,
  });
  let code: number;
  try {
    code = await runChild([...docker, "exec", ...flags, request.container, ...request.argv], { cwd: ctx.cwd, env, signals });
  } finally {
    if (request.cleanup) await removeSecretFiles(ctx, docker, request, dir, [...values.keys()], env, signals);
  }
  return code;
}

/** `--cleanup`: removes the files again (no values involved); a failure is a warning. */
async function removeSecretFiles(
  ctx: Context,
  docker: readonly string[],
  request: DockerExecRequest,
  dir: string,
  keys: readonly string[],
  env: Record<string, string>,
  signals: Pick<NodeJS.Process, "on" | "off">,
): Promise<void> {
  const user = request.user === undefined ? [] : ["-u", request.user];
  const argv = [...docker, "exec", ...user, request.container, "rm", "-f", ...keys.map((k) => `${dir}/${k}`)];
  let code: number;
  try {
    code = await runChild(argv, { cwd: ctx.cwd, env, signals });
  } catch {
    code = -1;
  }
  if (code !== 0) ctx.stderr.write(`warning: could not remove the secret files from ${dir} in container ${request.container}; remove them by hand\n`);
}

/**
 * `docker build`: `docker build --secret id=KEY,env=KEY … ARGS` with BuildKit
 * on and the values in the client's environment only; resolves with its
 * exit code.
 */
export async function dockerBuild(ctx: Context, request: DockerRequest & { argv: readonly string[] }, signals: Pick<NodeJS.Process, "on" | "off">): Promise<number> {
  if (request.argv.length === 0) throw new UsageError("no build arguments given", "put docker build's arguments after --: git vault docker build -- -t app .");
  const values = await decryptForDocker(ctx, "docker build", request, null);
  const env = { ...secretEnvironment(ctx.env, values), DOCKER_BUILDKIT: "1" };
  const secrets = [...values.keys()].flatMap((k) => ["--secret", `id=${k},env=${k}`]);
  return runChild([...dockerPrefix(request), "build", ...secrets, ...request.argv], { cwd: ctx.cwd, env, signals });
}
