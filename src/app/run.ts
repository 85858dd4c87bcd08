/** `run`: decrypt on the host and start a program with the values in its environment only. */
import { type Assignment, type EnvFile, effectiveAssignments } from "../core/envfile.js";
import { Secret } from "../core/secret.js";
import { looksEncrypted } from "../core/value.js";
import { VaultError } from "../errors.js";
import { type Identity, requireIdentity } from "../keys/identity.js";
import { MAX_ENV_STRING_BYTES, checkCommand, oversizedVariables, runChild, withoutOwnVariables } from "../runtime/child.js";
import { sweepSecretFolders } from "../runtime/secretfiles.js";
import { type AuditNote, audited } from "./audit.js";
import { decryptAssignment, locate } from "./cipher.js";
import { askPolicy } from "./policy.js";
import { checkKeyName } from "./secrets.js";
import type { Context } from "./context.js";
import { type KeySelection, resolveSelection } from "./manifest.js";
import { runWithSecretFiles } from "./secretfiles.js";
import { type Target, type TargetOptions, resolveTarget } from "./target.js";
import { loadEnvFile, validateEnvFile } from "./vaultfile.js";

/** A decrypted value and where it is assigned (`file:line: KEY`, for messages). */
export interface DecryptedValue {
  readonly value: Secret;
  readonly where: string;
}

/**
 * A running agent's plaintext of a file's encrypted assignments (src/agent/values.ts, given by
 * the CLI: app/ does not reach the agent itself); null when it cannot stand in.
 */
export type AgentValues = (env: NodeJS.ProcessEnv, path: string, file: EnvFile, identity: Identity) => Promise<ReadonlyMap<Assignment, Secret> | null>;

/** What a command that hands secrets to a program asks for: a target, a key selection, and optionally the agent. */
export type DecryptRequest = TargetOptions & KeySelection & { identityFile?: string | undefined; agent?: AgentValues | undefined };

/**
 * Decrypts the effective values of the target: every key, or the keys of
 * `--only` / `--group`, after asking the policy hook. Refuses, before
 * decrypting anything, when a selected key or a key the manifest requires is
 * missing. The note gets the target (unless the caller set it already) and
 * the key names.
 */
export async function decryptSelection(ctx: Context, request: DecryptRequest, note: AuditNote): Promise<{ target: Target; values: Map<string, DecryptedValue> }> {
  for (const key of request.only ?? []) checkKeyName(key); // named in errors below: must be a key, not a value
  const target = note.target ?? (await resolveTarget(ctx, request));
  note.target = target;
  const loaded = loadEnvFile(target.path, target.display);
  validateEnvFile(ctx, loaded);
  const effective = effectiveAssignments(loaded.file);
  const keys = resolveSelection(target.config, target.envName, target.display, new Set(effective.map((a) => a.key)), request);
  const wanted = keys === undefined ? null : new Set(keys);
  const chosen = effective.filter((a) => wanted === null || wanted.has(a.key));
  note.keys = chosen.map((a) => a.key);
  await askPolicy(ctx, note);
  const needsKey = chosen.some((a) => looksEncrypted(a.value));
  const identity = needsKey ? requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile }) : null;
  // All of a file's values: a running agent holding this identity decrypts them faster (docs/performance.md).
  const fromAgent = identity !== null && wanted === null ? await request.agent?.(ctx.env, target.path, loaded.file, identity) : null;
  const values = new Map<string, DecryptedValue>();
  for (const a of chosen) {
    const value = fromAgent?.get(a) ?? (identity === null ? new Secret(a.value) : await decryptAssignment(target.display, a, identity));
    values.set(a.key, { value, where: locate(target.display, a) });
  }
  return { target, values };
}

/** The environment a child gets: ours without git-vault's own variables, plus the secrets. */
function childEnvironment(env: Context["env"], values: ReadonlyMap<string, DecryptedValue>): Record<string, string> {
  const out = withoutOwnVariables(env);
  for (const [k, v] of values) out[k] = v.value.reveal();
  return out;
}

/** Runs `argv` with the decrypted values in its environment; resolves with its exit code. */
export async function runWithSecrets(
  ctx: Context,
  request: DecryptRequest & { argv: readonly string[]; asFiles?: boolean; allowDisk?: boolean },
  signals: Pick<NodeJS.Process, "on" | "off">,
): Promise<number> {
  checkCommand(request.argv);
  sweepSecretFolders(ctx.env);
  const { target, values } = await audited(ctx, "run", (note) => decryptSelection(ctx, request, note));
  if (request.asFiles) return runWithSecretFiles(ctx, target, values, { ...request, baseEnv: withoutOwnVariables(ctx.env), signals });
  return runWithValues(ctx, request.argv, values, signals);
}

/**
 * Runs `argv` with `values` added to its environment (git-vault's own
 * variables left out), after refusing what exec would refuse; for `run` and
 * `remote run`.
 */
export function runWithValues(ctx: Context, argv: readonly string[], values: ReadonlyMap<string, DecryptedValue>, signals: Pick<NodeJS.Process, "on" | "off">): Promise<number> {
  return runChild(argv, { cwd: ctx.cwd, env: secretEnvironment(ctx.env, values), signals });
}

/**
 * The environment of a program that gets the values as variables (the
 * command of `run`, the docker client): checked first for what exec cannot
 * carry, naming file, line and key.
 */
export function secretEnvironment(env: Context["env"], values: ReadonlyMap<string, DecryptedValue>): Record<string, string> {
  checkNoNulByte(values);
  const out = childEnvironment(env, values);
  checkVariableSizes(out, values);
  return out;
}

/**
 * Refuses, before anything starts, a value holding a NUL byte: exec takes
 * `KEY=value` as a C string, so no environment variable can hold one (Node
 * refuses it with an error that quotes the value). Names file, line and key.
 */
function checkNoNulByte(values: ReadonlyMap<string, DecryptedValue>): void {
  const withNul = [...values.values()].filter((v) => v.value.reveal().includes("\0"));
  if (withNul.length === 0) return;
  throw new VaultError(
    "value-has-nul",
    `cannot start the command: ${withNul.map((v) => v.where).join(", ")} ${withNul.length === 1 ? "holds" : "hold"} a NUL byte, which no environment variable can hold`,
    { exitCode: 126, hint: "leave it out with --only KEY,KEY (the keys the command needs), or set it again without the NUL byte" },
  );
}

/**
 * Refuses, before anything starts, a variable exec would refuse (E2BIG): the
 * kernel's answer names no variable, this one does (never its value or size).
 */
function checkVariableSizes(env: Readonly<Record<string, string>>, values: ReadonlyMap<string, DecryptedValue>): void {
  const tooLong = oversizedVariables(env);
  if (tooLong.length === 0) return;
  const fromVault = tooLong.filter((k) => values.has(k));
  const names = tooLong.join(", ");
  throw new VaultError(
    "environment-too-large",
    `cannot start the command: ${names} ${tooLong.length === 1 ? "is" : "are"} too large for an environment variable (KEY=value must stay under ${MAX_ENV_STRING_BYTES / 1024} KiB on Linux)`,
    {
      exitCode: 126,
      hint:
        fromVault.length > 0
          ? "leave it out with --only KEY,KEY (the keys the command needs), or store a path to a file instead of its content"
          : `unset ${names} in the environment you run git vault from`,
    },
  );
}
