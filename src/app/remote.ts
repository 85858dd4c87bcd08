/**
 * `remote get` and `remote run`: the same results as `get` and `run`, with the
 * values fetched from a `git vault serve` instead of decrypted here. Tokens
 * are read only from the files of a token folder (never argv or the
 * environment) and refreshed in place, under a lock, when the access token
 * expired; a session that cannot be refreshed fails loudly.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Secret } from "../core/secret.js";
import { UsageError, VaultError } from "../errors.js";
import { withFileLock } from "../files/lock.js";
import { checkCommand } from "../runtime/child.js";
import { isLoopback } from "../core/hosts.js";
import { type Answer, type ServerAddress, parseServer, send } from "../remote/client.js";
import type { Context } from "./context.js";
import { type DecryptedValue, runWithValues } from "./run.js";
import { checkKeyName } from "./secrets.js";
import { ACCESS_FILE, REFRESH_FILE, SESSION_FILE, prepareTokenDir, writeTokenDir } from "./tokens.js";

export interface RemoteOptions {
  readonly server: string;
  readonly tokenDir: string;
  /** The env to read; default: the env the token was issued for. */
  readonly env?: string | undefined;
}

/** A key as the API shows it: never a value. */
export interface KeyView {
  readonly name: string;
  readonly section: string | null;
  readonly line: number;
  readonly state: string;
  readonly fingerprint: string | null;
  readonly lastChange: string | null;
}

function readToken(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new VaultError("token-dir", `cannot read ${join(dir, file)} (${code})`, { hint: "the folder `git vault token issue --out DIR` wrote" });
  }
}

function serverError(server: ServerAddress, answer: Answer): VaultError {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? error.code : "remote-error";
  const message = typeof error?.message === "string" ? error.message : `status ${answer.status}`;
  const retry = answer.headers["retry-after"];
  const hint = answer.status === 429 && typeof retry === "string" ? `retry in ${retry} s` : undefined;
  return new VaultError(code, `${server.display}: ${message}`, hint === undefined ? {} : { hint });
}

/** A session with a server through one token folder. */
class RemoteSession {
  readonly server: ServerAddress;
  readonly dir: string;

  constructor(ctx: Context, options: RemoteOptions) {
    this.server = parseServer(options.server);
    // git vault serve serves clear text on loopback only: a clear-text URL of another host is a typo, a proxy or
    // an impostor, and the access token would cross the network readable.
    const { base, socketPath } = this.server;
    if (socketPath === null && base.protocol === "http:" && !isLoopback(base.hostname)) {
      throw new UsageError(`--server ${this.server.display} is not on this machine: the token would be sent in clear text`, "use https:// (git vault serve --tls-cert … --tls-key …), a loopback address, or unix:PATH");
    }
    if (options.tokenDir === "") throw new UsageError("--token-dir needs a value");
    this.dir = resolve(ctx.cwd, options.tokenDir);
    prepareTokenDir(this.dir);
  }

  /** The env the token was issued for (from its folder's session.json). */
  issuedEnv(): string {
    try {
      const facts = JSON.parse(readFileSync(join(this.dir, SESSION_FILE), "utf8")) as { env?: unknown };
      if (typeof facts.env === "string") return facts.env;
    } catch {
      // answered below
    }
    throw new VaultError("token-dir", `${join(this.dir, SESSION_FILE)} does not name the token's env`, { hint: "name it with --env" });
  }

  /**
   * Sends a request with the access token. When it was refused as expired,
   * or as unknown because another client sharing the folder refreshed it
   * meanwhile, the request is sent once more with the folder's newer token
   * or, for an expired one, a refreshed one.
   */
  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const token = readToken(this.dir, ACCESS_FILE);
    let answer = await send(this.server, method, path, { token, body });
    const code = answer.status === 401 ? (answer.body as { error?: { code?: string } } | null)?.error?.code : undefined;
    if (code === "token-expired" || code === "token-invalid") {
      const next = await this.renew(token, code === "token-expired");
      if (next !== null) answer = await send(this.server, method, path, { token: next, body });
    }
    if (answer.status !== 200) throw serverError(this.server, answer);
    return answer.body;
  }

  /**
   * The access token to use instead of `used`: the folder's, when another
   * client replaced it meanwhile; else, when `mayRefresh`, a refreshed one
   * (both files rewritten); else null. Under a lock, so that clients sharing
   * the folder refresh once: presenting a refresh token twice would revoke
   * the session (reuse detection).
   */
  private async renew(used: string, mayRefresh: boolean): Promise<string | null> {
    return withFileLock(join(this.dir, REFRESH_FILE), async () => {
      const current = readToken(this.dir, ACCESS_FILE);
      if (current !== used) return current;
      if (!mayRefresh) return null;
      const answer = await send(this.server, "POST", "/v1/token/refresh", { body: { refreshToken: readToken(this.dir, REFRESH_FILE) } });
      if (answer.status !== 200) {
        const error = serverError(this.server, answer);
        throw new VaultError("session-ended", `the session in ${this.dir} cannot be refreshed: ${error.message} (${error.code})`, {
          hint: "ask for a new token: `git vault token issue … --out DIR` on the server's machine",
        });
      }
      const pair = answer.body as { accessToken: string; refreshToken: string };
      writeTokenDir(this.dir, pair.accessToken, pair.refreshToken);
      return pair.accessToken;
    });
  }
}

const path = (...parts: string[]): string => `/${parts.map(encodeURIComponent).join("/")}`;

/** `remote get KEY`: the key's masked view, and its value when `reveal`. */
export async function remoteGet(ctx: Context, options: RemoteOptions & { key: string; reveal: boolean }): Promise<{ env: string; view: KeyView; value: Secret | null }> {
  checkKeyName(options.key);
  const session = new RemoteSession(ctx, options);
  const env = options.env ?? session.issuedEnv();
  if (options.reveal) {
    const answer = (await session.call("POST", `${path("v1", "secrets", env, options.key)}:reveal`)) as { key: string; value: string };
    return { env, view: { name: answer.key, section: null, line: 0, state: "revealed", fingerprint: null, lastChange: null }, value: new Secret(answer.value) };
  }
  const view = (await session.call("GET", path("v1", "secrets", env, options.key))) as KeyView;
  return { env, view, value: null };
}

/** `remote run -- CMD`: the keys the token may reveal (or `only`), fetched, then the command as `run` starts it. */
export async function remoteRun(
  ctx: Context,
  options: RemoteOptions & { argv: readonly string[]; only?: readonly string[] | undefined },
  signals: Pick<NodeJS.Process, "on" | "off">,
): Promise<number> {
  checkCommand(options.argv);
  for (const key of options.only ?? []) checkKeyName(key);
  const session = new RemoteSession(ctx, options);
  const env = options.env ?? session.issuedEnv();
  const listed = ((await session.call("GET", path("v1", "secrets", env))) as { keys: KeyView[] }).keys;
  const wanted = options.only ?? listed.map((k) => k.name);
  const missing = wanted.filter((k) => !listed.some((l) => l.name === k));
  if (missing.length > 0) throw new VaultError("key-missing", `${session.server.display}: no key ${missing.join(", ")} in env ${env} (or not in the token's scope)`);
  const values = new Map<string, DecryptedValue>();
  // Several keys per request (`POST /v1/secrets/ENV:reveal`): one audit entry and one request against the reveal limit each.
  for (const keys of batches(wanted)) {
    const answer = (await session.call("POST", `${path("v1", "secrets", env)}:reveal`, { keys })) as { values: { key: string; value: string }[] };
    for (const { key, value } of answer.values) values.set(key, { value: new Secret(value), where: `${session.server.display} ${env}: ${key}` });
  }
  const unanswered = wanted.filter((key) => !values.has(key));
  if (unanswered.length > 0) throw new VaultError("server-answer", `${session.server.display}: the answer holds no value for ${unanswered.join(", ")}`);
  return runWithValues(ctx, options.argv, values, signals);
}

/**
 * The key names of one reveal request each: at most 2 KiB of body for them, so that
 * a request stays under a server's `--body-limit` (4 KiB at the least that
 * makes sense; 64 KiB by default).
 */
function batches(keys: readonly string[], maxBytes = 2048): string[][] {
  const out: string[][] = [];
  let size = 0;
  for (const key of keys) {
    // In the body each name also takes its quotes and a comma.
    const cost = key.length + 3;
    const last = out[out.length - 1];
    if (last === undefined || size + cost > maxBytes) {
      out.push([key]);
      size = cost;
    } else {
      last.push(key);
      size += cost;
    }
  }
  return out;
}
