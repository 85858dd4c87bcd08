/**
 * The agent: a per-user daemon that holds the identity and answers textconv
 * requests over a unix socket (protocol.ts), so that `git log -p` pays no
 * Node start-up per blob. A front on top of app/, like cli/: it parses a
 * request and calls the same use case `git-vault textconv` runs
 * (app/textconv.ts), so both print the same bytes.
 *
 * It writes nothing to disk but its socket; answers are cached in memory
 * only (cache.ts). `lock` drops the identity and the cache, `stop` and the
 * idle timeout drop them and exit.
 */
import { createHash } from "node:crypto";
import { chmodSync, lstatSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { dirname, isAbsolute } from "node:path";
import type { Context } from "../app/context.js";
import { type TextconvSetting, authorizeTextconv, textconvOf, textconvSetting } from "../app/textconv.js";
import { parseEnvFile } from "../core/envfile.js";
import { VaultError } from "../errors.js";
import { type Identity, type IdentityRequest, resolveIdentity } from "../keys/identity.js";
import { AnswerCache, type CacheStats, answerKey } from "./cache.js";
import { type AgentRequest, MAX_REQUEST_BYTES, errorAnswer, okAnswer, parseRequest, passAnswer, requestLength } from "./protocol.js";

/** How the agent runs. */
export interface AgentOptions {
  readonly socketPath: string;
  /** Exit after this long without a request. */
  readonly idleMs: number;
  /** Most bytes of answers the cache holds (0: no cache). */
  readonly cacheBytes: number;
  /** The identity, found as the CLI finds it; reloaded when its file changes. */
  readonly identity: Identity;
  /** How to find it again (a file identity): the request with no key text in its env. */
  readonly reload: IdentityRequest | null;
  readonly clock: () => Date;
  /** The daemon's context (no key text in its env): audit entries and the configuration are read with it, in the caller's folder. */
  readonly ctx: Context;
  /** Where SIGTERM, SIGINT and SIGHUP arrive (they stop the agent). */
  readonly signals: Pick<NodeJS.Process, "on" | "off">;
}

/** What `agent status` shows: counts and times, never content. */
export interface AgentStatus {
  readonly pid: number;
  readonly socket: string;
  readonly startedAt: string;
  readonly idleTimeoutSeconds: number;
  /** When it exits unless asked something first. */
  readonly exitsAt: string;
  readonly locked: boolean;
  /** Where its identity came from (a path or GIT_VAULT_IDENTITY); null when locked. */
  readonly identity: string | null;
  readonly keys: number;
  readonly answered: number;
  readonly cache: CacheStats;
}

/** A digest that tells identities apart without revealing them (part of every cache key). */
function identityDigest(identity: Identity | null): string {
  if (identity === null) return "none";
  const hash = createHash("sha256");
  for (const key of identity.keys) hash.update(key.reveal()).update("\n");
  return hash.digest("hex");
}

/** A file's identity for "has it changed": a rotated key file gets a new inode, size or time. */
function fileSignature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return "missing";
  }
}

/** The identity the agent holds, noticing when its file is rotated or changed. */
class HeldIdentity {
  #identity: Identity | null;
  #digest: string;
  #signature: string | null;
  readonly path: string | null;

  constructor(
    identity: Identity,
    private readonly reload: IdentityRequest | null,
  ) {
    this.#identity = identity;
    this.#digest = identityDigest(identity);
    this.path = identity.source.path;
    this.#signature = this.path === null ? null : fileSignature(this.path);
  }

  get locked(): boolean {
    return this.#identity === null && this.#signature === null;
  }

  /** The identity to use now (null: locked, or its file is gone or unusable), with its digest. */
  current(): { identity: Identity | null; digest: string } {
    if (this.path !== null && this.#signature !== null) {
      const signature = fileSignature(this.path);
      if (signature !== this.#signature) {
        this.#signature = signature;
        this.#identity = this.#load();
        this.#digest = identityDigest(this.#identity);
      }
    }
    return { identity: this.#identity, digest: this.#digest };
  }

  #load(): Identity | null {
    try {
      return this.reload === null ? null : resolveIdentity(this.reload);
    } catch {
      return null; // as `git-vault textconv` does: an unusable identity shows markers
    }
  }

  describe(): { identity: string | null; keys: number } {
    return this.locked || this.#identity === null ? { identity: null, keys: 0 } : { identity: this.#identity.source.description, keys: this.#identity.keys.length };
  }

  /** Forgets the keys; from now on answers show markers. */
  drop(): void {
    this.#identity = null;
    this.#signature = null;
    this.#digest = identityDigest(null);
  }
}

// The request fields that carry the caller's variables deciding where its audit log is (protocol.ts).
const AUDIT_ENV_FIELDS = [
  ["audit-log", "GIT_VAULT_AUDIT_LOG"],
  ["state-home", "XDG_STATE_HOME"],
  ["home", "HOME"],
] as const;

/** The agent's environment with the caller's audit-log variables in place of its own (an empty field: unset). */
function callerAuditEnv(own: Context["env"], request: AgentRequest): Context["env"] {
  const given = AUDIT_ENV_FIELDS.filter(([field]) => request.fields.has(field));
  const env = Object.fromEntries(Object.entries(own).filter(([name]) => !given.some(([, variable]) => variable === name)));
  for (const [field, name] of given) {
    const value = request.fields.get(field);
    if (value) env[name] = value;
  }
  return env;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(path);
  });
}

/** Whether something answers on the socket (a live agent) or not (a stale socket file). */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      resolve(false);
    });
  });
}

/** Listens on `path`, replacing a stale socket that nothing answers on. */
async function listenReplacingStale(server: Server, path: string): Promise<void> {
  try {
    await listen(server, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    if (await socketAnswers(path)) throw new VaultError("agent-running", `an agent already answers on ${path}`, { hint: "`git vault agent status` shows it" });
    if (!lstatSync(path).isSocket()) throw new VaultError("agent-socket-path", `${path} exists and is not a socket`, { hint: "remove it" });
    unlinkSync(path); // stale: its agent died without removing it (SIGKILL, a crash, a reboot of a persistent folder)
    await listen(server, path);
  }
  chmodSync(path, 0o600); // its folder is 0700 already: no other user could reach it meanwhile
}

/**
 * Runs the agent until `stop`, the idle timeout or a signal. Calls `ready`
 * once it listens. The returned promise settles when it has dropped its
 * keys and cache and removed its socket.
 */
export async function serveAgent(options: AgentOptions, ready: (status: AgentStatus) => void): Promise<void> {
  const held = new HeldIdentity(options.identity, options.reload);
  const cache = new AnswerCache(options.cacheBytes);
  const startedAt = options.clock();
  let lastRequest = startedAt;
  let answered = 0;
  const open = new Set<Socket>();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let socketInode: number | null = null;

  const status = (): AgentStatus => ({
    pid: process.pid,
    socket: options.socketPath,
    startedAt: startedAt.toISOString(),
    idleTimeoutSeconds: Math.round(options.idleMs / 1000),
    exitsAt: new Date(lastRequest.getTime() + options.idleMs).toISOString(),
    locked: held.locked,
    ...held.describe(),
    answered,
    cache: cache.stats(),
  });

  async function textconv(request: AgentRequest): Promise<Buffer> {
    const file = request.fields.get("file");
    if (file === undefined || !isAbsolute(file)) return errorAnswer("textconv needs file=ABSOLUTE-PATH");
    // The caller names an identity file of its own: answer only if it is the one held.
    const callerIdentity = request.fields.get("identity-file");
    if (callerIdentity !== undefined && callerIdentity !== held.path) return passAnswer("the caller uses another identity");
    let blob: Buffer;
    try {
      blob = readFileSync(file);
    } catch {
      return passAnswer("cannot read the file");
    }
    const { identity, digest } = held.current();
    // A policy hook may ask a person: `git-vault textconv` runs it where git runs, not in this daemon.
    const cwd = request.fields.get("cwd") ?? dirname(file);
    if (!isAbsolute(cwd)) return errorAnswer("cwd must be an absolute path");
    let setting: TextconvSetting;
    try {
      setting = await textconvSetting(cwd, file);
    } catch {
      return passAnswer("the configuration cannot be read");
    }
    if (setting.policyHook) return passAnswer("a policy hook decides");
    // The same audit entry `git-vault textconv` writes, in the caller's log, for cached answers too.
    const text = blob.toString("utf8");
    const parsed = parseEnvFile(text);
    if (request.fields.get("audit") !== "caller") {
      const refused = await authorizeTextconv({ ...options.ctx, cwd, env: callerAuditEnv(options.ctx.env, request) }, file, parsed, identity, setting.config);
      if (refused !== null) return passAnswer(refused);
    }
    // The key holds the identity: a different identity never gets another's answer.
    const key = answerKey(digest, blob);
    const cached = cache.get(key);
    const answer = cached ?? Buffer.from(await textconvOf(text, identity, null, parsed), "utf8");
    if (answer.includes(0)) return passAnswer("the answer holds a NUL byte");
    if (cached === undefined) cache.set(key, answer);
    answered++;
    return okAnswer(answer);
  }

  async function answer(request: AgentRequest | null): Promise<{ reply: Buffer; after?: () => void }> {
    switch (request?.verb) {
      case "textconv":
        return { reply: await textconv(request) };
      case "status":
        return { reply: okAnswer(Buffer.from(JSON.stringify(status()))) };
      case "lock":
        held.drop();
        cache.clear();
        return { reply: okAnswer(Buffer.from(JSON.stringify(status()))) };
      case "stop":
        return { reply: okAnswer(Buffer.from(JSON.stringify(status()))), after: () => { shutdown(); } };
      default:
        return { reply: errorAnswer("not a request of this agent (protocol 1)") };
    }
  }

  const server = createServer((socket) => {
    open.add(socket);
    idle.refresh();
    lastRequest = options.clock();
    let data = Buffer.alloc(0);
    let done = false;
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      if (done) return; // a client may write past its request; it gets one answer
      data = Buffer.concat([data, chunk]);
      const length = requestLength(data);
      if (length === -1 && data.length <= MAX_REQUEST_BYTES) return;
      done = true;
      const request = length === -1 ? null : parseRequest(data.subarray(0, length));
      answer(request).then(
        ({ reply, after }) => socket.end(reply, after),
        () => socket.end(passAnswer("internal error")),
      );
    });
  });

  let stopping = false;
  function shutdown(): void {
    if (stopping) return;
    stopping = true;
    clearTimeout(idle);
    held.drop();
    cache.clear();
    for (const signal of SIGNALS) options.signals.off(signal, shutdown);
    for (const socket of open) socket.destroy();
    server.close(() => { finish(); });
    // Only our own socket: a newer agent may have replaced it meanwhile.
    try {
      if (lstatSync(options.socketPath).ino === socketInode) unlinkSync(options.socketPath);
    } catch {
      // already gone
    }
  }
  const idle = setTimeout(shutdown, options.idleMs);
  for (const signal of SIGNALS) options.signals.on(signal, shutdown);

  try {
    await listenReplacingStale(server, options.socketPath);
    socketInode = lstatSync(options.socketPath).ino;
  } catch (error) {
    shutdown();
    throw error;
  }
  ready(status());
  await finished;
}

const SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP"];
