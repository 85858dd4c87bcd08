/**
 * The policy hook: an executable the configuration names per env
 * (`"policyHook": { "prod": "./scripts/approve", "*": "./scripts/log" }`),
 * asked before any value is decrypted for an operation.
 *
 * Usage, inside an audited use case (app/audit.ts), once the target and the
 * keys are known and before anything is decrypted:
 *
 *     note.target = target;
 *     note.keys = keys;
 *     await askPolicy(ctx, note);   // throws VaultError "policy-denied" (exit 1)
 *
 * The hook gets one JSON object on stdin: `{ version: 1, command, env, keys,
 * container, client, user, uid, repo, vaultDir, file }` (never a value). Its
 * environment is the user's without git-vault's variables (no identity). Exit
 * 0 allows; any other exit, a hook that cannot start, or one still running
 * after the time limit (`GIT_VAULT_POLICY_TIMEOUT` seconds, default 60)
 * denies, with what it printed on stderr shown to the user. The hook for the
 * env wins over `*`; a file given with `--file` outside a vault dir has no
 * env and gets the `*` hook.
 *
 * A hook comes with a repository's configuration, so a clone must not run
 * code by naming one: a hook runs only once this device allowed its current
 * content (`git vault policy allow`, a list of SHA-256 digests and paths in
 * `$XDG_CONFIG_HOME/git-vault/allowed-policy-hooks`). One not allowed yet,
 * or changed since, denies without running: a policy is never skipped.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { InternalError, VaultError, withoutPrivateKeys } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { withFileLock } from "../files/lock.js";
import { defaultIdentityPath } from "../keys/identity.js";
import { withoutOwnVariables } from "../runtime/child.js";
import { runHook } from "../runtime/hook.js";
import { type AuditNote, configFor, currentUser } from "./audit.js";
import type { Context } from "./context.js";
import { displayPath } from "./target.js";

const DEFAULT_TIMEOUT_SECONDS = 60;

/** The device's list of allowed hooks: `DIGEST PATH` lines, beside the identity file. */
function allowListPath(env: Context["env"]): string {
  return join(dirname(defaultIdentityPath(env)), "allowed-policy-hooks");
}

/** SHA-256 of a hook's content, or null when it cannot be read (it will not start either). */
function hookDigest(path: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null;
  }
}

function allowedLines(env: Context["env"]): string[] {
  try {
    return readFileSync(allowListPath(env), "utf8").split("\n").filter((l) => l !== "");
  } catch {
    return [];
  }
}

/** A hook this device allowed, in its current content. */
export interface AllowedHook {
  readonly path: string;
  readonly digest: string;
}

/**
 * `policy allow`: allows the current content of every policy hook the
 * configuration at ctx.cwd names. A hook that cannot be read is an error.
 */
export async function allowPolicyHooks(ctx: Context): Promise<AllowedHook[]> {
  const config = await configFor(ctx);
  const paths = [...new Set(Object.values(config.policyHook ?? {}))].sort();
  const hooks = paths.map((path) => {
    const digest = hookDigest(path);
    if (digest === null) throw new VaultError("policy-hook-missing", `cannot read the policy hook ${displayPath(ctx, path)} (named in ${config.source ?? "the configuration"})`);
    return { path, digest };
  });
  if (hooks.length === 0) return [];
  const file = allowListPath(ctx.env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  await withFileLock(file, () => {
    const lines = new Set(allowedLines(ctx.env));
    for (const h of hooks) lines.add(`${h.digest} ${h.path}`);
    writeFileAtomic(file, `${[...lines].join("\n")}\n`, { mode: 0o600 });
    return Promise.resolve();
  });
  return hooks;
}

/** The hook configured for an env (its own, else `*`), or null. */
export function policyHookFor(hooks: Readonly<Record<string, string>> | undefined, env: string | null): string | null {
  if (hooks === undefined) return null;
  return (env !== null ? hooks[env] : undefined) ?? hooks["*"] ?? null;
}

function timeoutMs(env: Context["env"]): number {
  const raw = env["GIT_VAULT_POLICY_TIMEOUT"];
  const seconds = raw === undefined || raw === "" ? DEFAULT_TIMEOUT_SECONDS : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new VaultError("config-invalid", "GIT_VAULT_POLICY_TIMEOUT must be a number of seconds above 0");
  }
  return Math.round(seconds * 1000);
}

function isKnownPath(env: Context["env"], hook: string): boolean {
  return allowedLines(env).some((l) => l.slice(65) === hook);
}

function describeTarget(note: AuditNote): string {
  const target = note.target;
  if (target === undefined) return "?";
  return target.envName !== null ? `env ${target.envName}` : target.display;
}

/**
 * Asks the policy hook configured for the note's env whether the operation
 * may go on; returns when it allows (or none is configured), throws a
 * VaultError `policy-denied` naming the hook and quoting its stderr otherwise.
 */
export async function askPolicy(ctx: Context, note: AuditNote): Promise<void> {
  const target = note.target;
  if (target === undefined) throw new InternalError("askPolicy before the target is known");
  const hook = policyHookFor(target.config.policyHook, target.envName);
  if (hook === null) return;
  const request = {
    version: 1,
    command: note.command,
    env: target.envName,
    keys: note.keys ?? [],
    container: note.container ?? null,
    client: note.client ?? null,
    ...currentUser(ctx.env),
    repo: target.repoRoot,
    vaultDir: target.vaultDir,
    file: target.path,
  };
  const digest = hookDigest(hook);
  if (digest !== null && !allowedLines(ctx.env).includes(`${digest} ${hook}`)) {
    throw new VaultError("policy-denied", `${note.command} for ${describeTarget(note)} denied: the policy hook ${displayPath(ctx, hook)} is not allowed on this device${isKnownPath(ctx.env, hook) ? " since it changed" : " yet"}`, {
      hint: `a policy hook comes with the repository's configuration (${target.config.source ?? "the configuration"}), so it runs only once allowed: read it, then run \`git vault policy allow\``,
    });
  }
  const answer = await runHook(hook, `${JSON.stringify(request)}\n`, { cwd: ctx.cwd, env: withoutOwnVariables(ctx.env), timeoutMs: timeoutMs(ctx.env) });
  const said = withoutPrivateKeys(answer.stderr);
  if (answer.allowed) {
    if (said !== "") ctx.stderr.write(`${said}\n`);
    return;
  }
  const shown = displayPath(ctx, hook);
  const what = describeTarget(note);
  const why = answer.timedOut
    ? `did not answer within ${timeoutMs(ctx.env) / 1000} s`
    : answer.startError !== null
      ? `could not be started (${answer.startError})`
      : `refused (exit ${answer.exitCode ?? "by signal"})`;
  throw new VaultError("policy-denied", `${note.command} for ${what} denied: the policy hook ${shown} ${why}${said !== "" ? `:\n${said}` : ""}`, {
    hint:
      answer.startError !== null
        ? `make ${shown} an executable file, or fix policyHook in ${target.config.source ?? "the configuration"}`
        : `the policy hook is set by policyHook in ${target.config.source ?? "the configuration"}`,
  });
}
