/**
 * The textconv driver: what `git diff` / `git log -p` show for an env file.
 * Values appear decrypted (`KEY=value`); without an identity, or for a value
 * that does not decrypt, a marker stands in. It never fails, never prompts
 * and never reads stdin, because a failing textconv breaks `git diff`.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type Config, loadConfig } from "../config/index.js";
import { VaultError } from "../errors.js";
import { encodeRawValue } from "../core/dotenv.js";
import { type Assignment, type EnvFile, assignments, encodeEnvFile, parseEnvFile, withRawValue } from "../core/envfile.js";
import { mapAssignments } from "../core/edit.js";
import { looksEncrypted } from "../core/value.js";
import { type Identity, isRemoteWorker, resolveIdentity } from "../keys/identity.js";
import { auditedAlone } from "./audit.js";
import { decryptAssignment, failureReason } from "./cipher.js";
import { askPolicy, policyHookFor } from "./policy.js";
import type { Context } from "./context.js";

/** A stand-in that changes when the ciphertext changes but reveals nothing. */
function marker(reason: string, a: Assignment): string {
  const digest = createHash("sha256").update(a.value).digest("hex").slice(0, 8);
  return `[git-vault: ${reason} ${digest}]`;
}

/** Whether textconv's text for a value is a marker, not a value (a plaintext that looks like one counts too). */
export function isMarker(raw: string): boolean {
  return /^\[git-vault: [^\]\n]* [0-9a-f]{8}\]$/.test(raw);
}

async function showValue(a: Assignment, identity: Identity | null, refused: string | null): Promise<string> {
  if (refused !== null) return marker(refused, a);
  if (identity === null) return marker("encrypted, no identity", a);
  try {
    const plain = (await decryptAssignment("textconv", a, identity)).reveal();
    try {
      return encodeRawValue(plain);
    } catch {
      return JSON.stringify(plain);
    }
  } catch (error) {
    return marker(failureReason(error), a);
  }
}

/**
 * The configuration of the repository git runs textconv in (its working
 * directory is the top of a work tree): searched up to the outermost
 * repository, so that a diff inside the vault submodule finds the host's.
 */
async function textconvConfig(cwd: string): Promise<Config> {
  let stop: string | null = null;
  for (let dir = resolve(cwd); dirname(dir) !== dir; dir = dirname(dir)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(join(dir, ".git")).isDirectory();
    } catch {
      continue;
    }
    stop = dir;
    // A .git file is a submodule's (or a linked work tree's): the repository around it comes next.
    if (isDirectory) break;
  }
  return loadConfig(cwd, stop);
}

/** The env a textconv call shows: git names its temporary copy of a blob XXXXXX_.env.NAME. */
function textconvEnvName(path: string): string | null {
  return /(?:^|_)\.env\.([A-Za-z0-9][A-Za-z0-9_.-]*)$/.exec(basename(path))?.[1] ?? null;
}

/** The configuration a textconv call in `cwd` runs under, and whether a policy hook decides for the env it shows. */
export interface TextconvSetting {
  readonly config: Config;
  /** The agent leaves these calls to `git-vault textconv`: a hook may ask a person, and the daemon has no terminal. */
  readonly policyHook: boolean;
}

/** Reads the {@link TextconvSetting} of a call in `cwd` for the blob copy at `path`. */
export async function textconvSetting(cwd: string, path: string): Promise<TextconvSetting> {
  const config = await textconvConfig(cwd);
  return { config, policyHook: policyHookFor(config.policyHook, textconvEnvName(path)) !== null };
}

/**
 * Asks the policy hook and writes the one audit entry of a textconv call
 * (when the blob has encrypted values and there is an identity to show them
 * with); null when values may be shown, else why not (for the markers). A
 * diff never fails: a denial or a log that cannot be written shows markers
 * instead of values. `given`: the configuration of ctx.cwd, when the caller
 * has read it already.
 */
export async function authorizeTextconv(ctx: Context, path: string, file: EnvFile, identity: Identity | null, given?: Config): Promise<string | null> {
  if (identity === null) return null;
  const keys = assignments(file).filter((a) => looksEncrypted(a.value)).map((a) => a.key);
  if (keys.length === 0) return null;
  try {
    await auditedAlone(ctx, "textconv", async (note) => {
      const config = given ?? (await textconvConfig(ctx.cwd));
      note.target = { path: resolve(ctx.cwd, path), display: path, vaultDir: null, envName: textconvEnvName(path), repoRoot: null, config };
      note.keys = keys;
      await askPolicy(ctx, note);
    });
    return null;
  } catch (error) {
    if (error instanceof VaultError && error.code === "policy-denied") return "denied by the policy hook";
    if (error instanceof VaultError && error.code.startsWith("audit")) return "audit log not writable";
    return "not shown";
  }
}

/** The text git shows for an env file: values decrypted where possible. */
export async function textconvText(ctx: Context, path: string): Promise<string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "";
  }
  let identity: Identity | null = null;
  try {
    // A worker environment (GIT_VAULT_REMOTE) decrypts nothing: values show masked.
    identity = isRemoteWorker(ctx.env) ? null : resolveIdentity({ env: ctx.env, cwd: ctx.cwd });
  } catch {
    identity = null; // an unusable identity must not break `git diff`
  }
  const file = parseEnvFile(text);
  return textconvOf(text, identity, await authorizeTextconv(ctx, path, file, identity), file);
}

/**
 * What textconv shows for the text of a blob, decrypted with `identity`
 * (null: markers; `refused`: markers saying why): the one implementation
 * behind `git-vault textconv` and the agent's answers (src/agent/), so both
 * print the same bytes. `file` is `text` parsed, when the caller has it.
 */
export async function textconvOf(text: string, identity: Identity | null, refused: string | null, file: EnvFile = parseEnvFile(text)): Promise<string> {
  try {
    const shown = new Map<Assignment, Assignment>();
    for (const a of assignments(file)) {
      if (!looksEncrypted(a.value)) continue; // plaintext and empty values show as stored
      const raw = await showValue(a, identity, refused);
      shown.set(a, withRawValue(a, raw, raw));
    }
    return encodeEnvFile(mapAssignments(file, (a) => shown.get(a) ?? a));
  } catch {
    return text; // anything unforeseen: the file as stored (ciphertext), never a failed diff
  }
}
