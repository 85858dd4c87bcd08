/**
 * The token store of `git vault serve` and its use cases: issue, list, revoke,
 * authenticate, refresh. The store is one JSON file per vault dir under
 * `$XDG_STATE_HOME/git-vault/serve/` (0600, folder 0700) holding only hashes of
 * tokens with their name, env, key patterns, scopes, expiry and last use; the
 * tokens themselves go to 0600 files in the folder the issuer names, never to
 * stdout, argv or the environment (DECISIONS D9: no second copy of secrets).
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  ACCESS_PREFIX,
  REFRESH_PREFIX,
  type Scope,
  type Session,
  hashToken,
  isKeyPattern,
  looksLikeToken,
  newToken,
  sessionProblem,
} from "../core/tokens.js";
import type { Config } from "../config/index.js";
import { UsageError, VaultError, containsPrivateKey } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { withFileLock } from "../files/lock.js";
import { type Context, stateDir } from "./context.js";
import { checkKeyName } from "./secrets.js";
import { envNameFor, resolveVaultDir } from "./target.js";

/** The files a token folder holds. */
export const ACCESS_FILE = "access.token";
export const REFRESH_FILE = "refresh.token";
/** Non-secret facts about the token in its folder (name, env), for the client. */
export const SESSION_FILE = "session.json";

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

interface StoreFile {
  readonly version: 1;
  readonly sessions: Session[];
}

/** The store of one vault dir. */
export class TokenStore {
  private cache: { mtimeMs: number; size: number; ino: number; sessions: Session[] } | null = null;
  /** When this process last recorded each session's use (so a burst of requests makes one write). */
  readonly touched = new Map<string, number>();

  constructor(readonly path: string) {}

  /** The sessions as the file holds them now (re-read only when the file changed). */
  read(): Session[] {
    let stat;
    try {
      stat = statSync(this.path);
    } catch {
      return [];
    }
    checkNotWritableByOthers(this.path, stat.mode);
    checkNotWritableByOthers(dirname(this.path), statSync(dirname(this.path)).mode);
    const c = this.cache;
    if (c !== null && c.mtimeMs === stat.mtimeMs && c.size === stat.size && c.ino === stat.ino) return c.sessions;
    const sessions = parseStore(readFileSync(this.path, "utf8"), this.path);
    this.cache = { mtimeMs: stat.mtimeMs, size: stat.size, ino: stat.ino, sessions };
    return sessions;
  }

  /**
   * Locks the store, lets `change` edit the sessions, writes them back
   * atomically (0600) when it changed any: a refused refresh token, say,
   * costs no write (and no new inode for every reader to parse again).
   */
  async update<T>(change: (sessions: Session[]) => T): Promise<T> {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Checked before the first store is made in it, too (read() checks it only once there is a store).
    checkNotWritableByOthers(dirname(this.path), statSync(dirname(this.path)).mode);
    return withFileLock(this.path, () => {
      this.cache = null;
      const sessions = [...this.read()];
      const before = JSON.stringify(sessions);
      const result = change(sessions);
      if (JSON.stringify(sessions) !== before) {
        const file: StoreFile = { version: 1, sessions };
        writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      }
      return Promise.resolve(result);
    });
  }
}

/** Whoever can write the token store (or replace it in its folder) can mint sessions: group or other write access stops every use of it, as sshd's StrictModes would. */
function checkNotWritableByOthers(path: string, mode: number): void {
  if ((mode & 0o022) === 0) return;
  throw new VaultError("token-store-permissions", `${path} is writable by group or others (mode ${(mode & 0o777).toString(8).padStart(4, "0")}): whoever can write it can issue themselves tokens`, {
    hint: `check who changed it, then: chmod go-w ${path}`,
  });
}

function parseStore(text: string, path: string): Session[] {
  try {
    const data = JSON.parse(text) as Partial<StoreFile>;
    if (data.version !== 1 || !Array.isArray(data.sessions)) throw new Error("shape");
    return data.sessions;
  } catch {
    throw new VaultError("token-store-invalid", `${path}: not a git-vault token store (version 1)`, { hint: "move it away; tokens issued before then must be issued again" });
  }
}

/** The token store of the vault dir a command (or the server) works on. */
export async function openTokenStore(ctx: Context, options: { vaultDir?: string | undefined }): Promise<{ store: TokenStore; vaultDir: string; config: Config }> {
  const { vaultDir, config } = await resolveVaultDir(ctx, options);
  let real = vaultDir;
  try {
    real = realpathSync(vaultDir);
  } catch {
    throw new VaultError("vault-missing", `vault dir not found: ${vaultDir}`, { hint: "run `git vault init`, or name the vault with --vault-dir" });
  }
  const id = createHash("sha256").update(real).digest("hex").slice(0, 16);
  return { store: new TokenStore(join(stateDir(ctx.env), "serve", id, "tokens.json")), vaultDir: real, config };
}

export interface IssueRequest {
  readonly vaultDir?: string | undefined;
  readonly name: string;
  readonly env?: string | undefined;
  readonly keys: readonly string[];
  readonly scopes: readonly Scope[];
  readonly ttlMs: number;
  readonly refreshTtlMs: number | null;
  readonly outDir: string;
  readonly revealOnce?: string | undefined;
}

export interface IssueResult {
  readonly name: string;
  readonly env: string;
  readonly accessExpires: string;
  readonly refreshExpires: string | null;
  readonly files: string[];
}

/** Writes a token file: 0600, in a 0700 folder, atomically. An older file of the same name is tightened first. */
function writeTokenFile(path: string, text: string): void {
  try {
    chmodSync(path, 0o600);
  } catch {
    // not there yet
  }
  writeFileAtomic(path, text, { mode: 0o600 });
}

/** Makes (or checks) a token folder: it must not be readable by others. */
export function prepareTokenDir(dir: string): void {
  const notFolder = () => new VaultError("token-dir", `${dir} is not a folder`, { hint: "name a folder for the token files (it is made when missing)" });
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) throw notFolder();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  if (!stat.isDirectory()) throw notFolder();
  if ((stat.mode & 0o077) !== 0) {
    throw new VaultError("token-dir", `${dir} can be read by other users (mode ${(stat.mode & 0o777).toString(8)})`, { hint: `chmod 700 ${dir}` });
  }
}

/**
 * Writes a token pair to `dir`, the refresh token first: cut short between
 * the two, the folder holds the new refresh token beside the old access
 * token, which just expires; the other way round the next refresh would
 * present a retired refresh token, which revokes the session. `facts`
 * (session.json) are written when given; a refresh keeps the old ones.
 */
export function writeTokenDir(dir: string, access: string, refresh: string | null, facts?: { name: string; env: string }): string[] {
  prepareTokenDir(dir);
  const files = [join(dir, ACCESS_FILE)];
  if (refresh !== null) {
    writeTokenFile(join(dir, REFRESH_FILE), `${refresh}\n`);
    files.push(join(dir, REFRESH_FILE));
  }
  writeTokenFile(join(dir, ACCESS_FILE), `${access}\n`);
  if (facts !== undefined) writeTokenFile(join(dir, SESSION_FILE), `${JSON.stringify(facts)}\n`);
  return files;
}

/** When an access token issued now expires: after its lifetime, and never after the session's (its refresh token's) end. */
function accessExpiry(now: Date, ttlMs: number, sessionEnds: string | null): string {
  const own = now.getTime() + ttlMs;
  return new Date(sessionEnds === null ? own : Math.min(own, Date.parse(sessionEnds))).toISOString();
}

/** `token issue`: a new session; its tokens go to `outDir` only. */
export async function issueToken(ctx: Context, request: IssueRequest): Promise<IssueResult> {
  if (!NAME_RE.test(request.name) || containsPrivateKey(request.name)) {
    throw new UsageError("invalid token name", "names are letters, digits, '.', '_' and '-' (up to 64), like deploy-bot");
  }
  for (const p of request.keys) {
    if (!isKeyPattern(p) || containsPrivateKey(p)) throw new UsageError("invalid --keys pattern", "patterns are key names with * and ?, like DEPLOY_* or DB_URL");
  }
  if (request.keys.length === 0 && request.revealOnce === undefined) throw new UsageError("--keys needs at least one pattern");
  if (request.revealOnce !== undefined) checkKeyName(request.revealOnce);
  const { store, config } = await openTokenStore(ctx, request);
  const env = envNameFor(ctx, { env: request.env }, config);
  const now = ctx.clock();
  const outDir = resolve(ctx.cwd, request.outDir);
  const access = newToken(ACCESS_PREFIX);
  const refresh = request.revealOnce === undefined && request.refreshTtlMs !== null ? newToken(REFRESH_PREFIX) : null;
  const refreshExpires = refresh === null || request.refreshTtlMs === null ? null : new Date(now.getTime() + request.refreshTtlMs);
  const session: Session = {
    id: randomBytes(8).toString("hex"),
    name: request.name,
    env,
    keys: request.revealOnce === undefined ? [...request.keys] : [request.revealOnce],
    scopes: request.revealOnce === undefined ? [...request.scopes] : ["reveal"],
    created: now.toISOString(),
    accessHash: hashToken(access),
    accessExpires: accessExpiry(now, request.ttlMs, refreshExpires?.toISOString() ?? null),
    accessTtlMs: request.ttlMs,
    refreshHash: refresh === null ? null : hashToken(refresh),
    refreshExpires: refreshExpires?.toISOString() ?? null,
    retiredRefreshHashes: [],
    revealOnce: request.revealOnce ?? null,
    revoked: null,
    revokedReason: null,
    lastUsed: null,
  };
  prepareTokenDir(outDir);
  await store.update((sessions) => {
    // Issuing a name again replaces its session: the old tokens stop working.
    for (const [i, s] of sessions.entries()) {
      if (s.name === request.name && s.revoked === null) sessions[i] = { ...s, revoked: now.toISOString(), revokedReason: "replaced" };
    }
    sessions.push(session);
  });
  const files = writeTokenDir(outDir, access, refresh, { name: session.name, env });
  return { name: session.name, env, accessExpires: session.accessExpires, refreshExpires: session.refreshExpires, files };
}

/** A session as `token list` shows it: no hashes. */
export interface TokenRow {
  readonly name: string;
  readonly env: string;
  readonly keys: readonly string[];
  readonly scopes: readonly Scope[];
  readonly state: "active" | "expired" | "revoked" | "refresh-reused" | "revealed" | "replaced";
  readonly accessExpires: string;
  readonly refreshExpires: string | null;
  readonly revealOnce: boolean;
  readonly lastUsed: string | null;
}

/** `token list`: every session of the vault dir's store, newest last. */
export async function listTokens(ctx: Context, options: { vaultDir?: string | undefined }): Promise<TokenRow[]> {
  const { store } = await openTokenStore(ctx, options);
  const now = ctx.clock();
  return store.read().map((s) => {
    const usable = sessionProblem(s, now, "access") === null || sessionProblem(s, now, "refresh") === null;
    const state = s.revoked !== null ? ((s.revokedReason ?? "revoked") as TokenRow["state"]) : usable ? "active" : "expired";
    return {
      name: s.name,
      env: s.env,
      keys: s.keys,
      scopes: s.scopes,
      state,
      accessExpires: s.accessExpires,
      refreshExpires: s.refreshExpires,
      revealOnce: s.revealOnce !== null,
      lastUsed: s.lastUsed,
    };
  });
}

/** `token revoke NAME`: the session stops working at once (the server reads the store on each request). */
export async function revokeToken(ctx: Context, options: { vaultDir?: string | undefined; name: string }): Promise<number> {
  if (!NAME_RE.test(options.name)) throw new UsageError("invalid token name");
  const { store } = await openTokenStore(ctx, options);
  const now = ctx.clock().toISOString();
  const count = await store.update((sessions) => {
    let n = 0;
    for (const [i, s] of sessions.entries()) {
      if (s.name === options.name && s.revoked === null) {
        sessions[i] = { ...s, revoked: now, revokedReason: "revoked" };
        n++;
      }
    }
    return n;
  });
  if (count === 0) throw new VaultError("token-missing", `no active token named ${options.name}`, { hint: "see the tokens with `git vault token list`" });
  return count;
}

/** Why a request was refused: the server answers 401 with this code. */
export class AuthError extends VaultError {
  override readonly name = "AuthError";
  constructor(code: "token-invalid" | "token-expired" | "token-revoked" | "refresh-reused", message: string) {
    super(code, message, { hint: "get a new token from whoever runs the server (`git vault token issue`)" });
  }
}

/** Why a session no longer answers, in the words `token list` uses for its state. */
function revokedMessage(session: Session): string {
  switch (session.revokedReason) {
    case "revealed":
      return `token ${session.name} was a reveal-once token and is used up (its key was revealed)`;
    case "replaced":
      return `token ${session.name} was replaced by a newer token of the same name`;
    case "refresh-reused":
      return `token ${session.name} was revoked: a used refresh token was presented again`;
    default:
      return `token ${session.name} was revoked`;
  }
}

/** The session of an access token, or an AuthError. */
export function authenticate(store: TokenStore, token: string, now: Date): Session {
  if (!looksLikeToken(token) || !token.startsWith(ACCESS_PREFIX)) throw new AuthError("token-invalid", "not a valid access token");
  const hash = hashToken(token);
  const session = store.read().find((s) => s.accessHash === hash);
  if (session === undefined) throw new AuthError("token-invalid", "not a valid access token");
  const problem = sessionProblem(session, now, "access");
  if (problem === "revoked") throw new AuthError("token-revoked", revokedMessage(session));
  if (problem === "expired") throw new AuthError("token-expired", `the access token of ${session.name} expired; refresh it`);
  return session;
}

/**
 * Exchanges a refresh token for a new pair; the old refresh token is retired.
 * A retired refresh token presented again means two holders: the whole
 * session is revoked, and both must get a new token from a person.
 */
export async function refreshSession(store: TokenStore, refresh: string, now: Date): Promise<{ session: Session; access: string; refresh: string }> {
  if (!looksLikeToken(refresh) || !refresh.startsWith(REFRESH_PREFIX)) throw new AuthError("token-invalid", "not a valid refresh token");
  const hash = hashToken(refresh);
  const access = newToken(ACCESS_PREFIX);
  const next = newToken(REFRESH_PREFIX);
  const outcome = await store.update((sessions): Session | AuthError => {
    const i = sessions.findIndex((s) => s.refreshHash === hash || s.retiredRefreshHashes.includes(hash));
    const s = sessions[i];
    if (s === undefined) return new AuthError("token-invalid", "not a valid refresh token");
    if (s.refreshHash !== hash) {
      if (s.revoked === null) sessions[i] = { ...s, revoked: now.toISOString(), revokedReason: "refresh-reused" };
      return new AuthError("refresh-reused", `a used refresh token of ${s.name} was presented again: the session is revoked`);
    }
    const problem = sessionProblem(s, now, "refresh");
    if (problem === "revoked") return new AuthError("token-revoked", revokedMessage(s));
    if (problem === "expired") return new AuthError("token-expired", `the refresh token of ${s.name} expired`);
    const updated: Session = {
      ...s,
      accessHash: hashToken(access),
      accessExpires: accessExpiry(now, s.accessTtlMs, s.refreshExpires),
      refreshHash: hashToken(next),
      retiredRefreshHashes: [...s.retiredRefreshHashes, hash].slice(-1000),
      lastUsed: now.toISOString(),
    };
    sessions[i] = updated;
    return updated;
  });
  if (outcome instanceof AuthError) throw outcome;
  return { session: outcome, access, refresh: next };
}

/** Ends a reveal-once session after its reveal; false when it was already used (a race lost). */
export async function consumeRevealOnce(store: TokenStore, session: Session, now: Date): Promise<boolean> {
  return store.update((sessions) => {
    const i = sessions.findIndex((s) => s.id === session.id);
    const s = sessions[i];
    if (s === undefined || s.revoked !== null) return false;
    sessions[i] = { ...s, revoked: now.toISOString(), revokedReason: "revealed", lastUsed: now.toISOString() };
    return true;
  });
}

/** Records a session's last use, at most once a minute (each record is a write of the store). */
export async function touchSession(store: TokenStore, session: Session, now: Date): Promise<void> {
  const last = Math.max(store.touched.get(session.id) ?? 0, session.lastUsed === null ? 0 : Date.parse(session.lastUsed));
  if (now.getTime() - last < 60_000) return;
  store.touched.set(session.id, now.getTime());
  await store.update((sessions) => {
    const i = sessions.findIndex((s) => s.id === session.id);
    const s = sessions[i];
    if (s !== undefined) sessions[i] = { ...s, lastUsed: now.toISOString() };
  });
}
