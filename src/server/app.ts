/**
 * The HTTP API of `git vault serve`: fastify routes with JSON schemas that
 * parse the request and call the same use cases the commands call (`list`,
 * `get`, `set`, `unset`); nothing below knows about HTTP. Every request is
 * audited (token name, route, env, keys, result), never a value or a token.
 */
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerFactory } from "fastify";
import { lineChanges, listKeys } from "../app/bulk.js";
import { loadEnvFile } from "../app/vaultfile.js";
import { effectiveAssignments } from "../core/envfile.js";
import { type AuditNote, audited } from "../app/audit.js";
import { type DecryptedValue, decryptSelection } from "../app/run.js";
import type { Context } from "../app/context.js";
import { checkKeyName, getSecret, setSecret, unsetSecret } from "../app/secrets.js";
import { type Target, resolveTarget } from "../app/target.js";
import { loadConfig } from "../config/index.js";
import { type TokenStore, authenticate, consumeRevealOnce, refreshSession, touchSession } from "../app/tokens.js";
import { ENV_NAME_PATTERN, KEY_PATTERN } from "../core/dotenv.js";
import { Secret } from "../core/secret.js";
import { type Scope, type Session, hasScope, keyMatches } from "../core/tokens.js";
import { VaultError, containsPrivateKey } from "../errors.js";
import { VERSION } from "../version.js";
import { HttpError, errorReply } from "./errors.js";

/** Limits of one server. */
export interface ServerLimits {
  /** Largest request body, bytes. */
  readonly bodyLimit: number;
  /** Reveals per token per window, and writes (PUT and DELETE together) per token per window. */
  readonly revealMax: number;
  readonly writeMax: number;
  readonly rateWindowMs: number;
  /** Refresh attempts per client address per window (refresh has no session yet). */
  readonly refreshMax: number;
}

export const DEFAULT_LIMITS: ServerLimits = { bodyLimit: 64 * 1024, revealMax: 120, writeMax: 60, rateWindowMs: 60_000, refreshMax: 30 };

export interface ApiOptions {
  readonly ctx: Context;
  readonly vaultDir: string;
  readonly identityFile?: string | undefined;
  readonly store: TokenStore;
  readonly limits: ServerLimits;
  /** Builds the node server fastify runs on (timeouts, connection cap, TLS). */
  readonly serverFactory: FastifyServerFactory;
}

declare module "fastify" {
  interface FastifyRequest {
    session: Session | null;
    /** What the audit entry names: env and keys that passed validation. */
    audited: { keys: string[]; code: string | null; note: AuditNote | null };
  }
}

const ENV_SCHEMA = { type: "string", pattern: ENV_NAME_PATTERN.source } as const;
// Key names as `set` takes them, minus `.` and `..` (a path segment, not a key, to every HTTP client).
const KEY_SCHEMA = { type: "string", pattern: "^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,256}$" } as const;
const ERROR_SCHEMA = {
  type: "object",
  properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } }, required: ["code", "message"] } },
} as const;
const KEY_VIEW = {
  type: "object",
  properties: {
    name: { type: "string" },
    section: { type: ["string", "null"] },
    line: { type: "integer" },
    state: { type: "string" },
    fingerprint: { type: ["string", "null"] },
    lastChange: { type: ["string", "null"] },
  },
  required: ["name", "section", "line", "state", "fingerprint", "lastChange"],
} as const;
const errors = { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 403: ERROR_SCHEMA, 404: ERROR_SCHEMA, 429: ERROR_SCHEMA } as const;

/** A key name safe to write into the audit log: a key, never something pasted where a key goes. */
function auditableKey(key: string): string {
  return KEY_PATTERN.test(key) && !containsPrivateKey(key) && key.length <= 256 ? key : "(invalid key name)";
}

/** How long `lastChange` answers are reused: `git blame` per list request would cap the server at a few hundred a second. */
const BLAME_TTL_MS = 5_000;

/** Builds the API (not listening yet). */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { ctx, vaultDir, store, limits } = options;
  /** The audit entry of a request no handler answered: refused before one ran, or by the router. */
  const auditUnhandled = (command: string, failed: VaultError | null, client: string | null, keys: readonly string[]): void => {
    audited(ctx, command, (note) => {
      if (client !== null) note.client = client;
      note.keys = keys;
      return failed === null ? Promise.resolve() : Promise.reject(failed);
    }).catch((error: unknown) => {
      if (error !== failed) ctx.stderr.write(`warning: cannot write the audit log (${error instanceof VaultError ? error.code : "error"})\n`);
    });
  };
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyLimit,
    serverFactory: options.serverFactory,
    // Key names are case-sensitive; a trailing slash is not another resource.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    // Refuse, never repair: no stripped fields, no `5` taken for "5".
    ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: false, useDefaults: false } },
    // Errors the router raises before any route or hook (a URL that does not decode): the same shape as
    // every other error, never fastify's own answer, which quotes the URL (a value typed into a path).
    frameworkErrors: (error, request, reply) => {
      const answer = errorReply(error);
      void (reply as unknown as FastifyReply).code(answer.status).headers(answer.headers).send(answer.body);
      // No hook runs for it: its audit entry is written here (every request has one).
      auditUnhandled(`serve ${request.method} (invalid URL)`, new VaultError(answer.code, "refused"), null, []);
    },
  });
  app.decorateRequest("session", null);
  app.decorateRequest("audited", null as unknown as FastifyRequest["audited"]);
  const blameCache = new Map<string, { at: number; mtimeMs: number; lines: Map<number, string | null> }>();
  // Idempotency-Key answers, per token; the value is remembered as an HMAC under a key of this process only.
  const idempotent = new Map<string, { digest: string; status: number; body: unknown }>();
  const idemKey = randomBytes(32);
  // Each env's target, resolved once (resolving runs git); its configuration is reloaded per request.
  const targets = new Map<string, Target>();
  // Reveal-once sessions with a reveal in progress.
  const revealing = new Set<string>();

  await app.register(rateLimit, {
    global: false,
    hook: "preHandler",
    keyGenerator: (request: FastifyRequest) => request.session?.id ?? request.ip,
    errorResponseBuilder: (_request: FastifyRequest, context: { after: string }) => ({ statusCode: 429, code: "rate-limited", message: `rate limit reached; retry in ${context.after}` }),
  });

  app.addHook("onRequest", (request, _reply, done) => {
    request.audited = { keys: [], code: null, note: null };
    done();
  });

  // A request refused before its handler ran (bad token, schema, size, rate,
  // no such route) gets its audit entry here; a handled one got it in inAudit.
  app.addHook("onResponse", (request, reply, done) => {
    if (request.audited.note === null) {
      const route = request.routeOptions.url ?? "(no route)";
      const failed = reply.statusCode >= 400 ? new VaultError(request.audited.code ?? `http-${reply.statusCode}`, "refused") : null;
      auditUnhandled(`serve ${request.method} ${route}`, failed, request.session === null ? null : `token ${request.session.name}`, request.audited.keys);
    }
    done();
  });

  /** Runs a handler as one audited operation: token (client), route (command), env (target), keys, result. */
  const inAudit = <T>(request: FastifyRequest, command: string, fn: (note: AuditNote) => Promise<T>): Promise<T> =>
    audited(ctx, `serve ${command}`, (note) => {
      request.audited.note = note;
      if (request.session !== null) note.client = `token ${request.session.name}`;
      return fn(note);
    });

  app.setErrorHandler((error, request, reply) => {
    const answer = errorReply(error);
    request.audited.code = answer.code;
    void reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
  // Never echo the URL: a value typed into a path would come back.
  app.setNotFoundHandler((request, reply) => {
    request.audited.code = "not-found";
    void reply.code(404).send({ error: { code: "not-found", message: "no such route" } });
  });

  /** The session of the request's bearer token; 401 otherwise. */
  const requireSession = async (request: FastifyRequest, scope: Scope): Promise<Session> => {
    const header = request.headers.authorization ?? "";
    const m = /^Bearer ([^\s]+)$/.exec(header);
    if (m === null) throw new HttpError(401, "token-missing", "send Authorization: Bearer <access token>", { "WWW-Authenticate": 'Bearer realm="git-vault"' });
    const session = authenticate(store, m[1] as string, ctx.clock());
    request.session = session;
    if (request.audited.note !== null) request.audited.note.client = `token ${session.name}`;
    await touchSession(store, session, ctx.clock());
    if (!hasScope(session, scope)) throw new HttpError(403, "scope-missing", `token ${session.name} has no ${scope} scope`);
    return session;
  };

  /** The env file of the token's env; an env the token does not cover, or that has no file, is 404 alike. */
  const envTarget = async (request: FastifyRequest, session: Session, env: string): Promise<Target> => {
    if (containsPrivateKey(env)) throw new HttpError(400, "usage", "invalid env name: it is a private key (not shown)");
    if (env !== session.env) throw new HttpError(404, "env-not-found", `no env ${env}`);
    // git's answers (the vault, the env file) are resolved once per env; the configuration is read afresh on
    // every later request, so a policy hook (or manifest, or audit log) that arrives with a teammate's
    // `git pull` applies from the next request on, not from the next restart.
    const cached = targets.get(env);
    let target: Target;
    if (cached === undefined) {
      target = await resolveTarget(ctx, { vaultDir, env });
      targets.set(env, target);
    } else {
      target = { ...cached, config: await loadConfig(ctx.cwd, cached.repoRoot) };
    }
    if (!existsSync(target.path)) throw new HttpError(404, "env-not-found", `no env ${env}`);
    if (request.audited.note !== null) request.audited.note.target = target;
    return target;
  };

  /** A key outside the token's patterns is answered exactly like a missing key. */
  const checkKeyInScope = (request: FastifyRequest, session: Session, env: string, key: string): void => {
    request.audited.keys = [auditableKey(key)];
    if (request.audited.note !== null) request.audited.note.keys = request.audited.keys;
    checkKeyName(key);
    if (!keyMatches(session.keys, key)) throw absent(env, key);
  };

  /** The same answer for a key that is not there and one the token may not see. */
  const absent = (env: string, key: string): HttpError => new HttpError(404, "key-missing", `no key ${key} in env ${env}`);
  const orAbsent = async <T>(env: string, key: string, use: () => Promise<T>): Promise<T> => {
    try {
      return await use();
    } catch (error) {
      throw error instanceof VaultError && error.code === "key-missing" ? absent(env, key) : error;
    }
  };

  const changes = (target: Target): Map<number, string | null> => {
    const now = Date.now();
    const cached = blameCache.get(target.path);
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(target.path).mtimeMs;
    } catch {
      // gone: answered below
    }
    if (cached !== undefined && cached.mtimeMs === mtimeMs && now - cached.at < BLAME_TTL_MS) return cached.lines;
    const lines = lineChanges(ctx, target);
    blameCache.set(target.path, { at: now, mtimeMs, lines });
    return lines;
  };

  const keyViews = async (session: Session, target: Target) => {
    // Static states: a listing decrypts nothing (a read token never causes a decryption).
    const { rows } = await listKeys(ctx, { resolved: target, tryDecrypt: false });
    const lines = changes(target);
    // The last assignment of a key is its value (as dotenv reads it).
    const byKey = new Map(rows.filter((r) => keyMatches(session.keys, r.key)).map((r) => [r.key, r]));
    return [...byKey.values()].map((r) => ({ name: r.key, section: r.section, line: r.line, state: r.state, fingerprint: r.fingerprint, lastChange: lines.get(r.line) ?? null }));
  };

  app.get("/v1/health", { schema: { response: { 200: { type: "object", properties: { status: { type: "string" }, version: { type: "string" } } } } } }, () => ({
    status: "ok",
    version: VERSION,
  }));

  app.get<{ Params: { env: string } }>(
    "/v1/secrets/:env",
    {
      schema: {
        params: { type: "object", properties: { env: ENV_SCHEMA }, required: ["env"] },
        response: { 200: { type: "object", properties: { env: { type: "string" }, keys: { type: "array", items: KEY_VIEW } } }, ...errors },
      },
    },
    (request) =>
      inAudit(request, "list", async (note) => {
        const session = await requireSession(request, "read");
        const target = await envTarget(request, session, request.params.env);
        const keys = await keyViews(session, target);
        note.keys = keys.map((k) => k.name);
        return { env: request.params.env, keys };
      }),
  );

  const keyParams = { type: "object", properties: { env: ENV_SCHEMA, key: KEY_SCHEMA }, required: ["env", "key"] } as const;

  app.get<{ Params: { env: string; key: string } }>(
    "/v1/secrets/:env/:key",
    { schema: { params: keyParams, response: { 200: KEY_VIEW, ...errors } } },
    (request) =>
      inAudit(request, "show", async () => {
        const { env, key } = request.params;
        const session = await requireSession(request, "read");
        const target = await envTarget(request, session, env);
        checkKeyInScope(request, session, env, key);
        const view = (await keyViews(session, target)).find((k) => k.name === key);
        if (view === undefined) throw absent(env, key);
        return view;
      }),
  );

  /**
   * Hands out what `reveal` decrypts. A reveal-once token serves one request
   * at a time and is spent only when values are handed out (a policy refusal
   * does not spend it).
   */
  const revealFor = async <T>(session: Session, reveal: () => Promise<T>): Promise<T> => {
    if (session.revealOnce === null) return reveal();
    if (revealing.has(session.id)) throw new HttpError(401, "token-revoked", `token ${session.name} is being used`);
    revealing.add(session.id);
    try {
      const result = await reveal();
      if (!(await consumeRevealOnce(store, session, ctx.clock()))) throw new HttpError(401, "token-revoked", `token ${session.name} was already used`);
      return result;
    } finally {
      revealing.delete(session.id);
    }
  };
  // One limiter per group, attached to each route of it: the single and the batch reveal count together,
  // as PUT and DELETE do (a route's own `config.rateLimit` would give each route a counter of its own).
  const revealLimit = app.rateLimit({ max: limits.revealMax, timeWindow: limits.rateWindowMs });
  const writeLimit = app.rateLimit({ max: limits.writeMax, timeWindow: limits.rateWindowMs });
  const revealRoute = {
    preHandler: revealLimit,
    // Authentication before the rate limit (preHandler), so the limit is per token.
    preValidation: async (request: FastifyRequest) => {
      await requireSession(request, "reveal");
    },
  };

  // `POST /v1/secrets/ENV/KEY:reveal`: one route segment, the action after the last colon.
  app.post<{ Params: { env: string; action: string } }>(
    "/v1/secrets/:env/:action",
    {
      schema: {
        params: { type: "object", properties: { env: ENV_SCHEMA, action: { type: "string", pattern: "^(?!\\.{1,2}:)[A-Za-z0-9_.-]{1,256}:reveal$" } }, required: ["env", "action"] },
        response: { 200: { type: "object", properties: { key: { type: "string" }, value: { type: "string" } }, required: ["key", "value"] }, ...errors },
      },
      ...revealRoute,
    },
    (request) =>
      inAudit(request, "reveal", async () => {
        const { env } = request.params;
        const key = request.params.action.slice(0, -":reveal".length);
        const session = request.session as Session;
        const target = await envTarget(request, session, env);
        checkKeyInScope(request, session, env, key);
        // The policy hook is asked and the reveal audited inside `get --reveal`'s use case, as one entry with this request's.
        const result = await revealFor(session, () => orAbsent(env, key, () => getSecret(ctx, { resolved: target, key, identityFile: options.identityFile, reveal: true })));
        return { key: result.key, value: result.value.reveal() };
      }),
  );

  // `POST /v1/secrets/ENV:reveal` with {"keys": [...]}: several values in one
  // request (`remote run`), with one audit entry, one policy question, and one
  // request against the reveal limit. All or nothing: the first key that is
  // not there or not in the token's scope is answered as absent.
  app.post<{ Params: { action: string }; Body: { keys: string[] } }>(
    "/v1/secrets/:action",
    {
      schema: {
        params: { type: "object", properties: { action: { type: "string", pattern: `^${ENV_NAME_PATTERN.source.slice(1, -1)}:reveal$` } }, required: ["action"] },
        body: { type: "object", properties: { keys: { type: "array", items: KEY_SCHEMA, minItems: 1, uniqueItems: true } }, required: ["keys"], additionalProperties: false },
        response: {
          200: {
            type: "object",
            properties: { env: { type: "string" }, values: { type: "array", items: { type: "object", properties: { key: { type: "string" }, value: { type: "string" } }, required: ["key", "value"] } } },
            required: ["env", "values"],
          },
          ...errors,
        },
      },
      ...revealRoute,
    },
    (request) =>
      inAudit(request, "reveal", async (note) => {
        const env = request.params.action.slice(0, -":reveal".length);
        const { keys } = request.body;
        const session = request.session as Session;
        request.audited.keys = keys.map(auditableKey);
        note.keys = request.audited.keys;
        const target = await envTarget(request, session, env);
        for (const key of keys) checkKeyName(key);
        // Which keys are there: names only, nothing decrypted.
        const names = (): Set<string> => new Set(effectiveAssignments(loadEnvFile(target.path, target.display).file).map((a) => a.key));
        const present = names();
        const unavailable = keys.find((key) => !keyMatches(session.keys, key) || !present.has(key));
        if (unavailable !== undefined) throw absent(env, unavailable);
        // decryptSelection reads the file again: a key gone meanwhile is answered as absent too, never as a 500.
        const { values } = await revealFor(session, async () => {
          try {
            return await decryptSelection(ctx, { resolved: target, only: keys, identityFile: options.identityFile }, note);
          } catch (error) {
            if (!(error instanceof VaultError && error.code === "key-missing")) throw error;
            const now = names();
            throw absent(env, keys.find((key) => !now.has(key)) ?? (keys[0] as string));
          }
        });
        const gone = keys.find((key) => !values.has(key));
        if (gone !== undefined) throw absent(env, gone);
        return { env, values: keys.map((key) => ({ key, value: (values.get(key) as DecryptedValue).value.reveal() })) };
      }),
  );

  const writeAuth = async (request: FastifyRequest): Promise<void> => {
    await requireSession(request, "write");
  };

  app.put<{ Params: { env: string; key: string }; Body: { value: string; commit?: boolean }; Headers: { "idempotency-key"?: string } }>(
    "/v1/secrets/:env/:key",
    {
      schema: {
        params: keyParams,
        headers: { type: "object", properties: { "idempotency-key": { type: "string", pattern: "^[\\x21-\\x7e]{1,128}$" } } },
        body: { type: "object", properties: { value: { type: "string" }, commit: { type: "boolean" } }, required: ["value"], additionalProperties: false },
        response: { 200: { type: "object", properties: { key: { type: "string" }, env: { type: "string" }, created: { type: "boolean" }, commit: { type: ["string", "null"] } } }, ...errors, 409: ERROR_SCHEMA, 422: ERROR_SCHEMA },
      },
      preHandler: writeLimit,
      onRequest: writeAuth,
    },
    (request, reply) =>
      inAudit(request, "set", async () => {
      const { env, key } = request.params;
      const session = request.session as Session;
      const target = await envTarget(request, session, env);
      checkKeyInScope(request, session, env, key);
      const idem = request.headers["idempotency-key"];
      const digest = createHmac("sha256", idemKey).update(JSON.stringify([env, key, request.body.value, request.body.commit ?? false])).digest("hex");
      const slot = idem === undefined ? null : `${session.id}\0${idem}`;
      const earlier = slot === null ? undefined : idempotent.get(slot);
      if (earlier !== undefined) {
        if (earlier.digest !== digest) throw new HttpError(422, "idempotency-key-reused", "this Idempotency-Key was used for another request");
        return reply.code(earlier.status).header("Idempotent-Replayed", "true").send(earlier.body);
      }
      const commit = request.body.commit === true ? `Set ${key} in ${env} (git vault serve, token ${session.name})` : undefined;
      const result = await setSecret(ctx, { resolved: target, key, value: new Secret(request.body.value), identityFile: options.identityFile, commit });
      const body = { key, env, created: !result.existed, commit: result.commit };
      if (slot !== null) {
        if (idempotent.size >= 10_000) idempotent.delete(idempotent.keys().next().value as string);
        idempotent.set(slot, { digest, status: 200, body });
      }
      return body;
      }),
  );

  app.delete<{ Params: { env: string; key: string }; Querystring: { commit?: "true" | "false" } }>(
    "/v1/secrets/:env/:key",
    {
      schema: {
        params: keyParams,
        querystring: { type: "object", properties: { commit: { type: "string", enum: ["true", "false"] } }, additionalProperties: false },
        response: { 200: { type: "object", properties: { key: { type: "string" }, env: { type: "string" }, removed: { type: "integer" }, commit: { type: ["string", "null"] } } }, ...errors },
      },
      preHandler: writeLimit,
      onRequest: writeAuth,
    },
    (request) =>
      inAudit(request, "unset", async () => {
      if (request.headers["idempotency-key"] !== undefined) {
        // Not remembered for DELETE: refused rather than ignored, so a client never counts on a replay.
        throw new HttpError(400, "bad-request", "Idempotency-Key is for PUT; a DELETE needs none (repeated, it answers 404 key-missing)");
      }
      const { env, key } = request.params;
      const session = request.session as Session;
      const target = await envTarget(request, session, env);
      checkKeyInScope(request, session, env, key);
      const commit = request.query.commit === "true" ? `Remove ${key} from ${env} (git vault serve, token ${session.name})` : undefined;
      const result = await orAbsent(env, key, () => unsetSecret(ctx, { resolved: target, key, commit }));
      return { key, env, removed: result.removed, commit: result.commit };
      }),
  );

  app.post<{ Body: { refreshToken: string } }>(
    "/v1/token/refresh",
    {
      schema: {
        body: { type: "object", properties: { refreshToken: { type: "string", maxLength: 128 } }, required: ["refreshToken"], additionalProperties: false },
        response: {
          200: {
            type: "object",
            properties: { accessToken: { type: "string" }, refreshToken: { type: "string" }, accessExpires: { type: "string" }, refreshExpires: { type: ["string", "null"] } },
          },
          ...errors,
        },
      },
      config: { rateLimit: { max: limits.refreshMax, timeWindow: limits.rateWindowMs } },
    },
    (request) =>
      inAudit(request, "refresh", async (note) => {
        const { session, access, refresh } = await refreshSession(store, request.body.refreshToken, ctx.clock());
        request.session = session;
        note.client = `token ${session.name}`;
        return { accessToken: access, refreshToken: refresh, accessExpires: session.accessExpires, refreshExpires: session.refreshExpires };
      }),
  );

  return app;
}
