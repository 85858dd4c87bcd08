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
 */
import { InternalError, VaultError, withoutPrivateKeys } from "../errors.js";
import { withoutOwnVariables } from "../runtime/child.js";
import { runHook } from "../runtime/hook.js";
import { type AuditNote, currentUser } from "./audit.js";
import type { Context } from "./context.js";
import { displayPath } from "./target.js";

const DEFAULT_TIMEOUT_SECONDS = 60;

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
  const answer = await runHook(hook, `${JSON.stringify(request)}\n`, { cwd: ctx.cwd, env: withoutOwnVariables(ctx.env), timeoutMs: timeoutMs(ctx.env) });
  const said = withoutPrivateKeys(answer.stderr);
  if (answer.allowed) {
    if (said !== "") ctx.stderr.write(`${said}\n`);
    return;
  }
  const shown = displayPath(ctx, hook);
  const envName = target.envName ?? "*";
  const why = answer.timedOut
    ? `did not answer within ${timeoutMs(ctx.env) / 1000} s`
    : answer.startError !== null
      ? `could not be started (${answer.startError})`
      : `refused (exit ${answer.exitCode ?? "by signal"})`;
  throw new VaultError("policy-denied", `${note.command} for env ${envName} denied: the policy hook ${shown} ${why}${said !== "" ? `:\n${said}` : ""}`, {
    hint:
      answer.startError !== null
        ? `make ${shown} an executable file, or fix policyHook in ${target.config.source ?? "the configuration"}`
        : `the policy hook is set by policyHook in ${target.config.source ?? "the configuration"}`,
  });
}
