/**
 * The server's two calls out: every request to the audit log, and every
 * reveal to the policy hook first. One narrow place, so the API routes do
 * not know how either is kept.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import type { Context } from "../app/context.js";
import type { Config } from "../config/index.js";
import { VaultError } from "../errors.js";

/** One audited request: names only, never a value or a token. */
export interface RequestRecord {
  readonly token: string | null;
  readonly method: string;
  readonly route: string;
  readonly env: string | null;
  readonly keys: readonly string[];
  readonly status: number;
  readonly result: string;
}

export interface Oversight {
  audit(record: RequestRecord): void;
  /** Resolves when the policy allows revealing `keys`; throws a VaultError `policy-denied` otherwise. */
  allowReveal(request: { env: string; keys: readonly string[]; token: string }): Promise<void>;
}

function auditPath(ctx: Context, config: Config): string {
  if (config.auditLog !== undefined) return config.auditLog;
  const state = ctx.env["XDG_STATE_HOME"];
  return join(state && isAbsolute(state) ? state : join(ctx.env["HOME"] || homedir(), ".local", "state"), "git-vault", "audit.jsonl");
}

/** The audit log and policy hook of the configuration in effect. */
export function createOversight(ctx: Context, config: Config): Oversight {
  const path = auditPath(ctx, config);
  return {
    audit(record) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const entry = { time: ctx.clock().toISOString(), command: "serve", ...record };
      appendFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    },
    allowReveal(request) {
      if (config.policyHook?.[request.env] !== undefined) {
        return Promise.reject(new VaultError("policy-denied", `the policy hook of env ${request.env} is not supported by this server yet`));
      }
      return Promise.resolve();
    },
  };
}
