/**
 * `verify`: the CI gate. For every env file: canonical format, no plaintext,
 * every value encrypted to the current recipient set, key binding (when an
 * identity is present and is one of the file's recipients), the recipient set
 * matching a pinned fingerprint (one for all files, or one per env), and no
 * recipient change this device's trust store has not accepted.
 */
import { type EnvFile, assignments, encodeEnvFile } from "../core/envfile.js";
import { formatEnvFile } from "../core/format.js";
import { fingerprintRecipients, readHeader, recipientList, shortFingerprint } from "../core/recipients.js";
import { envNameOf, parseTrustPins, pinFor } from "../core/trust.js";
import { classifyValue } from "../core/value.js";
import { UsageError, VaultError } from "../errors.js";
import { type Identity, resolveIdentity } from "../keys/identity.js";
import { basename } from "node:path";
import { decryptAssignment, failureReason } from "./cipher.js";
import { identityRecipients } from "./recipient-of.js";
import { type TrustPlaces, type TrustState, acceptCommand, describeTrustChange, isUntrusted, trustState, trustSubject } from "./trust.js";
import type { Context } from "./context.js";
import { type TargetOptions, allTargets, displayPath, resolveTarget } from "./target.js";
import { loadEnvFile, validateEnvFile } from "./vaultfile.js";


/** One problem `verify` found. Never a value. */
export interface VerifyFinding {
  readonly file: string;
  readonly line: number | null;
  readonly key: string | null;
  readonly problem: "format" | "plaintext" | "stale" | "malformed" | "unknown-version" | "undecryptable" | "no-recipients" | "trust-mismatch" | "untrusted" | "invalid";
  readonly detail: string;
}

export interface VerifyRequest extends TargetOptions {
  /** `HEX` for every file, or `ENV=HEX` for one env file; several may be given. */
  readonly trustFingerprint?: string | readonly string[] | undefined;
  readonly identityFile?: string | undefined;
  /** Only the target file instead of every env file of the vault dir. */
  readonly single?: boolean;
}

interface FileCheck {
  readonly display: string;
  readonly file: EnvFile;
  readonly text: string;
  /** The identity, when it is one of the file's recipients (else decryption is not checked). */
  readonly identity: Identity | null;
  readonly pin: string | null;
  /** The trust store's view of the file (a first use is no finding; a changed vault URL is, record or not). */
  readonly trust: TrustState;
}

async function verifyFile({ display, file, text, identity, pin, trust }: FileCheck): Promise<VerifyFinding[]> {
  const out: VerifyFinding[] = [];
  const add = (f: Omit<VerifyFinding, "file">): void => {
    out.push({ file: display, ...f });
  };
  const recipients = recipientList(readHeader(file));
  if (recipients.length === 0) add({ line: null, key: null, problem: "no-recipients", detail: "the header lists no recipients" });
  const full = fingerprintRecipients(recipients);
  const pinMismatch = pin !== null && !full.startsWith(pin.toLowerCase());
  if (pinMismatch) {
    add({ line: null, key: null, problem: "trust-mismatch", detail: `recipient set fingerprint ${full.slice(0, 16)} does not match the pinned ${pin}` });
  }
  const untrusted = isUntrusted(trust);
  if (untrusted) {
    add({ line: null, key: null, problem: "untrusted", detail: `changed since this device trusted it: ${describeTrustChange(trust).map((l) => l.trim()).join(", ")} (check it, then \`${acceptCommand(trust.subject)}\`)` });
  }
  // Never advise re-encrypting to a set nobody trusted: the re-encryption would hand every value to it.
  const reencryptAdvice = pinMismatch || untrusted ? `the recipient set is not the trusted one: check it before re-encrypting (\`git vault trust status ${trust.subject.flags}\`)` : `run \`git vault encrypt --reencrypt --file ${display}\``;
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
        add({ line: a.line, key: a.key, problem: "stale", detail: `encrypted to an older recipient set (${reencryptAdvice})` });
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
export async function verifyVault(ctx: Context, request: VerifyRequest): Promise<{ files: string[]; findings: VerifyFinding[]; skipped: string[] }> {
  const target = await resolveTarget(ctx, request);
  // --file and --env name one file; otherwise every env file of the vault dir.
  const paths = request.single || request.file !== undefined || request.env !== undefined ? [target.path] : allTargets(target);
  const given = request.trustFingerprint ?? (ctx.env["GIT_VAULT_TRUST_FINGERPRINT"] || null);
  const source = request.trustFingerprint !== undefined ? "--trust-fingerprint" : "GIT_VAULT_TRUST_FINGERPRINT";
  // The option and the variable take the same list: `dev=…,prod=…` (commas or blanks), or the option repeated.
  // An option given empty stays empty, which parseTrustPins refuses.
  const listed = (v: string): string[] => (v.trim() === "" ? [v] : v.split(/[\s,]+/).filter((p) => p !== ""));
  const pins = parseTrustPins(given === null ? [] : (typeof given === "string" ? [given] : given).flatMap(listed));
  const unknownPin = [...pins.keys()].find((env) => env !== null && !paths.some((p) => envNameOf(basename(p)) === env));
  if (unknownPin !== undefined) throw new UsageError(`${source} names env ${unknownPin}, which is not among the files checked`, "name an env file of the vault (`git vault trust status --all` lists them)");
  const identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile });
  const mine = identity === null ? [] : await identityRecipients(identity);
  const findings: VerifyFinding[] = [];
  const files: string[] = [];
  const skipped: string[] = [];
  const places: TrustPlaces = new Map();
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
    // A CI key is often a recipient of some env files only: decryption is checked where it can be.
    const listed = recipientList(readHeader(loaded.file));
    const reads = identity !== null && listed.some((r) => mine.includes(r));
    if (identity !== null && !reads) skipped.push(loaded.display);
    const trust = trustState(ctx, trustSubject(ctx, path, target.vaultDir, target.repoRoot, places), loaded.file);
    const pin = pinFor(pins, basename(path));
    findings.push(...(await verifyFile({ display: loaded.display, file: loaded.file, text: loaded.text, identity: reads ? identity : null, pin, trust })));
  }
  return { files, findings, skipped };
}
