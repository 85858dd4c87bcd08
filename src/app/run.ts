/** `run`: decrypt on the host and start a program with the values in its environment only. */
import { type Assignment, type EnvFile, effectiveAssignments } from "../core/envfile.js";
import { Secret } from "../core/secret.js";
import { looksEncrypted } from "../core/value.js";
import { VaultError } from "../errors.js";
import { type Identity, requireIdentity } from "../keys/identity.js";
import { MAX_ENV_STRING_BYTES, checkCommand, oversizedVariables, runChild } from "../runtime/child.js";
import { decryptAssignment, locate } from "./cipher.js";
import { checkKeyName } from "./secrets.js";
import type { Context } from "./context.js";
import { type TargetOptions, resolveTarget } from "./target.js";
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

/** Decrypts the effective values of the target (all keys, or just `only`), by key. */
export async function decryptAll(
  ctx: Context,
  request: TargetOptions & { only?: readonly string[] | undefined; identityFile?: string | undefined; agent?: AgentValues | undefined },
): Promise<Map<string, DecryptedValue>> {
  for (const key of request.only ?? []) checkKeyName(key); // named in errors below: must be a key, not a value
  const target = await resolveTarget(ctx, request);
  const loaded = loadEnvFile(target.path, target.display);
  validateEnvFile(ctx, loaded);
  const wanted = request.only === undefined ? null : new Set(request.only);
  const chosen = effectiveAssignments(loaded.file).filter((a) => wanted === null || wanted.has(a.key));
  if (wanted !== null) {
    const missing = [...wanted].filter((k) => !chosen.some((a) => a.key === k));
    if (missing.length > 0) throw new VaultError("key-missing", `${target.display}: no key ${missing.join(", ")}`);
  }
  const needsKey = chosen.some((a) => looksEncrypted(a.value));
  const identity = needsKey ? requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile }) : null;
  // All of a file's values: a running agent holding this identity decrypts them faster (docs/performance.md).
  const fromAgent = identity !== null && wanted === null ? await request.agent?.(ctx.env, target.path, loaded.file, identity) : null;
  const values = new Map<string, DecryptedValue>();
  for (const a of chosen) {
    const value = fromAgent?.get(a) ?? (identity === null ? new Secret(a.value) : await decryptAssignment(target.display, a, identity));
    values.set(a.key, { value, where: locate(target.display, a) });
  }
  return values;
}

/** The environment a child gets: ours without git-vault's own variables, plus the secrets. */
export function childEnvironment(env: Context["env"], values: ReadonlyMap<string, DecryptedValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !k.startsWith("GIT_VAULT_")) out[k] = v;
  }
  for (const [k, v] of values) out[k] = v.value.reveal();
  return out;
}

/** Runs `argv` with the decrypted values in its environment; resolves with its exit code. */
export async function runWithSecrets(
  ctx: Context,
  request: TargetOptions & { argv: readonly string[]; only?: readonly string[] | undefined; identityFile?: string | undefined; agent?: AgentValues | undefined },
  signals: Pick<NodeJS.Process, "on" | "off">,
): Promise<number> {
  checkCommand(request.argv);
  const values = await decryptAll(ctx, request);
  checkNoNulByte(values);
  const env = childEnvironment(ctx.env, values);
  checkVariableSizes(env, values);
  return runChild(request.argv, { cwd: ctx.cwd, env, signals });
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
