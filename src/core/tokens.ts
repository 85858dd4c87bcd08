/**
 * The rules of `git vault serve`'s tokens, without I/O: scopes, key patterns,
 * durations, and what a session allows. The token store (app/tokens.ts) keeps
 * sessions; the server (src/server/) asks these functions.
 */
import { createHash, randomBytes } from "node:crypto";
import { durationSeconds } from "./duration.js";

/** What a token may do: `read` lists and shows keys masked, `reveal` returns values, `write` sets and removes. */
export type Scope = "read" | "reveal" | "write";
export const SCOPES: readonly Scope[] = ["read", "reveal", "write"];

/** A session as the store keeps it: hashes of its tokens, never the tokens. */
export interface Session {
  readonly id: string;
  readonly name: string;
  readonly env: string;
  /** Key patterns (`DEPLOY_*`, `DB_URL`); `*` is any run of characters, `?` one. */
  readonly keys: readonly string[];
  readonly scopes: readonly Scope[];
  /** ISO times. */
  readonly created: string;
  readonly accessHash: string;
  readonly accessExpires: string;
  readonly accessTtlMs: number;
  readonly refreshHash: string | null;
  readonly refreshExpires: string | null;
  /** Hashes of refresh tokens already exchanged: presenting one again revokes the session. */
  readonly retiredRefreshHashes: readonly string[];
  /** A reveal-once session: the one key it may reveal, once. */
  readonly revealOnce: string | null;
  readonly revoked: string | null;
  /** Why it was revoked: `revoked` (token revoke), `refresh-reused`, `revealed` (reveal-once used), `replaced` (issued again). */
  readonly revokedReason: string | null;
  readonly lastUsed: string | null;
}

/** Parses `read`, `reveal,write`, … into scopes; null when a word is not a scope. */
export function parseScopes(text: string): Scope[] | null {
  const words = text.split(",").map((w) => w.trim()).filter((w) => w !== "");
  if (words.length === 0) return null;
  const scopes: Scope[] = [];
  for (const w of words) {
    if (!(SCOPES as readonly string[]).includes(w)) return null;
    if (!scopes.includes(w as Scope)) scopes.push(w as Scope);
  }
  return scopes;
}

/** Every scope holds `read`: a token that may reveal or write a key may also see that it exists. */
export function hasScope(session: Pick<Session, "scopes">, scope: Scope): boolean {
  return scope === "read" || session.scopes.includes(scope);
}

const PATTERN_RE = /^[\w.*?-]+$/;

/** Whether `pattern` is a key pattern: key characters plus `*` and `?`. */
export function isKeyPattern(pattern: string): boolean {
  return PATTERN_RE.test(pattern) && pattern.length <= 256;
}

/** Whether `key` matches one of `patterns` (whole-name globs: `DEPLOY_*` matches DEPLOY_TOKEN, not MY_DEPLOY_TOKEN). */
export function keyMatches(patterns: readonly string[], key: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.replace(/[.]/g, "\\.").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s").test(key));
}

/** The longest lifetime a token may have: a million days, so that an expiry stays a date. */
const MAX_TTL_SECONDS = 1_000_000 * 86_400;

/** Parses a token lifetime (`90s`, `15m`, `1h`, `30d`) into milliseconds; null when it is not one, zero or too long. */
export function parseTokenTtl(text: string): number | null {
  const seconds = durationSeconds(text, "smhd");
  return seconds === null || seconds <= 0 || seconds >= MAX_TTL_SECONDS ? null : seconds * 1000;
}

/** Prefixes make a leaked token recognizable to secret scanners and to the guard. */
export const ACCESS_PREFIX = "gvat_";
export const REFRESH_PREFIX = "gvrt_";
const TOKEN_RE = /^gv[ar]t_[A-Za-z0-9_-]{43}$/;

/** A new random token (256 bits) with its prefix. */
export function newToken(prefix: typeof ACCESS_PREFIX | typeof REFRESH_PREFIX): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** Whether text has the shape of a token (checked before hashing what a client sent). */
export function looksLikeToken(text: string): boolean {
  return TOKEN_RE.test(text);
}

/** The stored form of a token: SHA-256, hex. Tokens are 256 random bits, so no slow hash is needed. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Why a session cannot be used now, or null when it can. */
export function sessionProblem(session: Session, now: Date, kind: "access" | "refresh"): "revoked" | "expired" | null {
  if (session.revoked !== null) return "revoked";
  const expires = kind === "access" ? session.accessExpires : session.refreshExpires;
  if (expires === null || Date.parse(expires) <= now.getTime()) return "expired";
  return null;
}
