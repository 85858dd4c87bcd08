/**
 * Trust decisions (trust on first use): the recipient set and vault URL a
 * device accepted, compared with what a file or `.gitmodules` says now.
 * Pure: the store itself is read and written by app/trust.ts.
 */
import { UsageError } from "../errors.js";
import { type Recipient, fingerprintRecipients } from "./recipients.js";

/** The recipients of one env file as this device accepted them. */
export interface TrustedFile {
  readonly recipients: readonly Recipient[];
  readonly fingerprint: string;
  readonly acceptedAt: string;
}

/** How a recipient set differs from the accepted one (labels alone do not count). */
export interface RecipientDrift {
  readonly added: readonly Recipient[];
  readonly removed: readonly Recipient[];
}

/** The on-disk trust store, version 1. */
export interface TrustStoreData {
  readonly version: 1;
  /** Keyed by vault identity (`remote:URL`, `root:COMMIT` or `path:DIR`), then by the env file's path in the vault. */
  readonly vaults: Record<string, { files: Record<string, TrustedFile> }>;
  /** Keyed by host identity, then by the vault's path in the host: the URL `.gitmodules` gave it. */
  readonly hosts: Record<string, Record<string, string>>;
}

/** An empty store. */
export function emptyTrustStore(): TrustStoreData {
  return { version: 1, vaults: {}, hosts: {} };
}

/** Parses the store's JSON; anything off-shape is null (the caller names the file). */
export function parseTrustStore(text: string): TrustStoreData | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null) return null;
  const d = data as Record<string, unknown>;
  const isRecord = (v: unknown): v is Record<string, never> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (d["version"] !== 1 || !isRecord(d["vaults"])) return null;
  return { version: 1, vaults: d["vaults"], hosts: isRecord(d["hosts"]) ? d["hosts"] : {} };
}

/** The store as JSON text, stable key order, final newline. */
export function encodeTrustStore(data: TrustStoreData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** A record of `recipients` as accepted at `when`. */
export function trustedFile(recipients: readonly Recipient[], when: Date): TrustedFile {
  return { recipients: recipients.map((r) => ({ recipient: r.recipient, label: r.label })), fingerprint: fingerprintRecipients(recipients.map((r) => r.recipient)), acceptedAt: when.toISOString() };
}

/** Recipients added to and removed from `trusted` in `current`; both empty when the sets are equal. */
export function recipientDrift(trusted: readonly Recipient[], current: readonly Recipient[]): RecipientDrift {
  const before = new Set(trusted.map((r) => r.recipient));
  const now = new Set(current.map((r) => r.recipient));
  return {
    added: dedupe(current.filter((r) => !before.has(r.recipient))),
    removed: dedupe(trusted.filter((r) => !now.has(r.recipient))),
  };
}

function dedupe(list: readonly Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    if (seen.has(r.recipient)) return false;
    seen.add(r.recipient);
    return true;
  });
}

/** True when a drift changes nothing. */
export function isNoDrift(drift: RecipientDrift): boolean {
  return drift.added.length === 0 && drift.removed.length === 0;
}

/** `age1… label` for messages (recipients are public keys). */
export function recipientText(r: Recipient): string {
  return r.label ? `${r.recipient} (${r.label})` : r.recipient;
}

const TRUST_PIN_RE = /^[0-9a-fA-F]{8,64}$/;

/**
 * Trust pins (`HEX` for every file, `ENV=HEX` for one env file), by env name
 * (null: the pin of every file without one of its own), lower-cased.
 */
export function parseTrustPins(values: readonly string[]): Map<string | null, string> {
  const pins = new Map<string | null, string>();
  for (const value of values) {
    const eq = value.lastIndexOf("=");
    const env = eq === -1 ? null : value.slice(0, eq);
    const pin = eq === -1 ? value : value.slice(eq + 1);
    if (!TRUST_PIN_RE.test(pin) || env === "") {
      // A one-letter pin would match one set in sixteen: too short to mean anything.
      throw new UsageError("the trust fingerprint must be 8 to 64 hex digits", "pin the start of the recipient-set fingerprint `git vault status` prints for each env file, e.g. GIT_VAULT_TRUST_FINGERPRINT=3f1c2a9b, or one per env: --trust-fingerprint prod=3f1c2a9b");
    }
    pins.set(env, pin.toLowerCase());
  }
  return pins;
}

/** The env name of an env file name (`.env.prod` → `prod`); other names stand for themselves. */
export function envNameOf(fileName: string): string {
  return fileName.startsWith(".env.") ? fileName.slice(".env.".length) : fileName;
}

/** The pin that applies to an env file name, or null. */
export function pinFor(pins: ReadonlyMap<string | null, string>, fileName: string): string | null {
  return pins.get(envNameOf(fileName)) ?? pins.get(null) ?? null;
}
