/**
 * The agent's use cases: `agent start|stop|status|lock` on the caller's side,
 * and the daemon's own start (`agent __serve`, which `start` runs detached).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Context } from "../app/context.js";
import { InternalError, VaultError } from "../errors.js";
import { type Identity, type IdentityRequest, requireIdentity } from "../keys/identity.js";
import { startDaemon } from "../runtime/daemon.js";
import { askAgent } from "./client.js";
import { agentSocketPath, preparePrivateFolder } from "./paths.js";
import { type AgentStatus, serveAgent, socketAnswers } from "./server.js";

/** Defaults of `agent start`. */
export const DEFAULT_TIMEOUT_SECONDS = 15 * 60;
export const DEFAULT_CACHE_MIB = 64;
/** setTimeout's limit (about 24.8 days). */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Options of {@link startAgent}. */
export interface StartOptions {
  readonly identityFile: string | undefined;
  readonly timeoutSeconds: number;
  readonly cacheMiB: number;
}

/** What `agent start` did. */
export interface StartResult {
  /** False: an agent with keys already ran, and still does. */
  readonly started: boolean;
  /** What the new agent replaced: a locked agent, or a socket nothing answered on. */
  readonly replaced: "locked-agent" | "stale-socket" | null;
  readonly status: AgentStatus;
}

/** What `agent status|stop|lock` found. */
export type AgentReply = { readonly running: true; readonly status: AgentStatus } | { readonly running: false; readonly staleSocket: boolean; readonly socket: string };

function statusOf(body: Buffer): AgentStatus {
  return JSON.parse(body.toString("utf8")) as AgentStatus;
}

/** The launcher beside the bundle this runs from (dist/bin.cjs). */
function launcherPath(): string {
  const path = fileURLToPath(new URL("./bin.cjs", import.meta.url));
  if (!existsSync(path)) throw new InternalError("dist/bin.cjs is missing beside the program: the agent runs from a build");
  return path;
}

/** Waits (up to 5 s) until nothing answers on the socket any more. */
async function gone(socket: string): Promise<void> {
  for (let i = 0; i < 250 && (await socketAnswers(socket)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Sends `verb` to the agent of this user; tells a stale socket from no socket. */
export async function tellAgent(ctx: Pick<Context, "env">, verb: "status" | "stop" | "lock"): Promise<AgentReply> {
  const socket = agentSocketPath(ctx.env);
  const answer = await askAgent(socket, verb);
  if (answer === null) return { running: false, staleSocket: existsSync(socket), socket };
  if (answer.kind !== "ok") throw new VaultError("agent-answer", `the agent on ${socket} did not answer \`${verb}\` (${answer.kind}: ${answer.reason})`);
  if (verb === "stop") await gone(socket); // `stop` returns once it has
  return { running: true, status: statusOf(answer.body) };
}

/**
 * Starts this user's agent with the identity the CLI would use (same
 * precedence: --identity-file, GIT_VAULT_IDENTITY, GIT_VAULT_IDENTITY_FILE,
 * the identity file). An agent that runs with keys is left alone; a locked
 * one is replaced, and so is a stale socket.
 */
export async function startAgent(ctx: Context, options: StartOptions): Promise<StartResult> {
  const socket = agentSocketPath(ctx.env);
  preparePrivateFolder(socket);
  const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: options.identityFile });
  let replaced: StartResult["replaced"] = null;
  const running = await tellAgent(ctx, "status");
  if (running.running && !running.status.locked) return { started: false, replaced, status: running.status };
  if (running.running) {
    await tellAgent(ctx, "stop");
    replaced = "locked-agent";
  } else if (running.staleSocket) {
    replaced = "stale-socket";
  }
  const argv = [process.execPath, launcherPath(), "agent", "__serve", "--timeout", String(options.timeoutSeconds), "--cache-mib", String(options.cacheMiB)];
  // The key text itself goes through the daemon's stdin, never its argv or environment.
  const env: Record<string, string | undefined> = { ...ctx.env, GIT_VAULT_IDENTITY: undefined };
  let input = "";
  if (identity.source.kind === "env") {
    argv.push("--identity-stdin");
    input = ctx.env["GIT_VAULT_IDENTITY"] ?? "";
  } else if (identity.source.kind === "flag" || identity.source.kind === "env-file") {
    argv.push("--identity-file", identity.source.path ?? "");
  }
  const { firstLine } = await startDaemon(argv, { env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)), input, timeoutMs: 15_000 });
  if (firstLine?.startsWith("ready ")) return { started: true, replaced, status: JSON.parse(firstLine.slice(6)) as AgentStatus };
  throw new VaultError("agent-start", `the agent did not start${firstLine?.startsWith("error ") ? `: ${firstLine.slice(6)}` : ""}`, {
    hint: "`git vault agent status` shows whether one runs; without an agent, diffs use `git-vault textconv`",
  });
}

/** Options of the daemon itself (`agent __serve`). */
export interface ServeOptions {
  readonly identityFile: string | undefined;
  /** Read the key text from stdin (GIT_VAULT_IDENTITY of the `agent start` that runs this). */
  readonly identityFromStdin: boolean;
  readonly timeoutSeconds: number;
  readonly cacheMiB: number;
  readonly signals: Pick<NodeJS.Process, "on" | "off">;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

/**
 * The daemon: finds its identity, listens, prints `ready STATUS-JSON` (or
 * `error MESSAGE`) as its one line of output, and serves until it stops.
 */
export async function runAgentDaemon(ctx: Context, options: ServeOptions): Promise<number> {
  const socketPath = agentSocketPath(ctx.env);
  let identity: Identity;
  let reload: IdentityRequest | null;
  try {
    const keyText = options.identityFromStdin ? await readAll(ctx.stdin) : undefined;
    const env = { ...ctx.env, GIT_VAULT_IDENTITY: keyText };
    identity = requireIdentity({ env, cwd: ctx.cwd, identityFile: options.identityFile });
    reload = identity.source.kind === "env" ? null : { env: { ...ctx.env, GIT_VAULT_IDENTITY: undefined }, cwd: ctx.cwd, identityFile: options.identityFile };
    preparePrivateFolder(socketPath);
  } catch (error) {
    ctx.stdout.write(`error ${error instanceof VaultError ? error.message : "cannot load the identity"}\n`);
    return 1;
  }
  try {
    await serveAgent(
      { socketPath, idleMs: options.timeoutSeconds * 1000, cacheBytes: options.cacheMiB * 1024 * 1024, identity, reload, clock: ctx.clock, ctx, signals: options.signals },
      (status) => ctx.stdout.write(`ready ${JSON.stringify(status)}\n`),
    );
  } catch (error) {
    ctx.stdout.write(`error ${error instanceof VaultError ? error.message : `cannot listen on ${socketPath} (${(error as NodeJS.ErrnoException).code ?? "error"})`}\n`);
    return 1;
  }
  return 0;
}

