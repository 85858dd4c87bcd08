/**
 * `verify`: the CI gate. For every env file: canonical format, no plaintext,
 * every value encrypted to the current recipient set, key binding (when an
 * identity is present), and the recipient set matching a pinned fingerprint.
 */
import { type EnvFile, assignments, encodeEnvFile } from "../core/envfile.js";
import { formatEnvFile } from "../core/format.js";
import { fingerprintRecipients, readHeader, recipientList, shortFingerprint } from "../core/recipients.js";
import { classifyValue } from "../core/value.js";
import { UsageError, VaultError } from "../errors.js";
import { type Identity, resolveIdentity } from "../keys/identity.js";
import { decryptAssignment, failureReason } from "./cipher.js";
import type { Context } from "./context.js";
import { type TargetOptions, allTargets, displayPath, resolveTarget } from "./target.js";
import { loadEnvFile, validateEnvFile } from "./vaultfile.js";

const TRUST_PIN_RE = /^[0-9a-fA-F]{8,64}$/;

/** One problem `verify` found. Never a value. */
export interface VerifyFinding {
  readonly file: string;
  readonly line: number | null;
  readonly key: string | null;
  readonly problem: "format" | "plaintext" | "stale" | "malformed" | "unknown-version" | "undecryptable" | "no-recipients" | "trust-mismatch" | "invalid";
  readonly detail: string;
}

export interface VerifyRequest extends TargetOptions {
  readonly trustFingerprint?: string | undefined;
  readonly identityFile?: string | undefined;
  /** Only the target file instead of every env file of the vault dir. */
  readonly single?: boolean;
}

async function verifyFile(display: string, file: EnvFile, text: string, identity: Identity | null, pin: string | null): Promise<VerifyFinding[]> {
  const out: VerifyFinding[] = [];
  const add = (f: Omit<VerifyFinding, "file">): void => {
    out.push({ file: display, ...f });
  };
  const recipients = recipientList(readHeader(file));
  if (recipients.length === 0) add({ line: null, key: null, problem: "no-recipients", detail: "the header lists no recipients" });
  const full = fingerprintRecipients(recipients);
  if (pin !== null && !full.startsWith(pin.toLowerCase())) {
    add({ line: null, key: null, problem: "trust-mismatch", detail: `recipient set fingerprint ${full.slice(0, 16)} does not match the pinned ${pin}` });
  }
  if (encodeEnvFile(formatEnvFile(file)) !== text) add({ line: null, key: null, problem: "format", detail: `not in canonical style (run \`git vault fmt --file ${display}\`)` });
  const current = shortFingerprint(recipients);
  for (const a of assignments(file)) {
    const state = classifyValue(a.value);
    if (state.kind === "empty") continue;
    if (state.kind === "plaintext") add({ line: a.line, key: a.key, problem: "plaintext", detail: `value is not encrypted (run \`git vault encrypt --file ${display}\`)` });
    else if (state.kind === "malformed") add({ line: a.line, key: a.key, problem: "malformed", detail: "encrypted value is malformed" });
    else if (state.kind === "unknown-version") add({ line: a.line, key: a.key, problem: "unknown-version", detail: `value format gv${state.version} is not supported` });
    else {
      if (state.value.fingerprint !== current) {
        add({ line: a.line, key: a.key, problem: "stale", detail: `encrypted to an older recipient set (run \`git vault encrypt --reencrypt --file ${display}\`)` });
      }
      if (identity !== null) {
        try {
          await decryptAssignment(display, a, identity);
        } catch (error) {
          if (!(error instanceof VaultError)) throw error;
          add({ line: a.line, key: a.key, problem: "undecryptable", detail: failureReason(error) });
        }
      }
    }
  }
  return out;
}

/** Runs every check on the vault's env files (or the target alone). */
export async function verifyVault(ctx: Context, request: VerifyRequest): Promise<{ files: string[]; findings: VerifyFinding[] }> {
  const target = await resolveTarget(ctx, request);
  // --file and --env name one file; otherwise every env file of the vault dir.
  const paths = request.single || request.file !== undefined || request.env !== undefined ? [target.path] : allTargets(target);
  const pin = request.trustFingerprint ?? (ctx.env["GIT_VAULT_TRUST_FINGERPRINT"] || null);
  if (pin !== null && !TRUST_PIN_RE.test(pin)) {
    // A one-letter pin would match one set in sixteen: too short to mean anything.
    throw new UsageError("the trust fingerprint must be 8 to 64 hex digits", "pin the start of the recipient-set fingerprint `git vault status` prints for each env file, e.g. GIT_VAULT_TRUST_FINGERPRINT=3f1c2a9b");
  }
  const identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile });
  const findings: VerifyFinding[] = [];
  const files: string[] = [];
  for (const path of paths) {
    const loaded = loadEnvFile(path, displayPath(ctx, path));
    files.push(loaded.display);
    try {
      validateEnvFile(ctx, loaded);
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      findings.push({ file: loaded.display, line: null, key: null, problem: "invalid", detail: error.message });
      continue;
    }
    findings.push(...(await verifyFile(loaded.display, loaded.file, loaded.text, identity, pin)));
  }
  return { files, findings };
}
