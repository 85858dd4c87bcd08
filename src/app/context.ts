import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** What every use case is given instead of reaching for `process`. */
export interface Context {
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly clock: () => Date;
  /**
   * Asks the person at the terminal a yes/no question (the CLI sets it; a use
   * case asks only when {@link isInteractive}). Absent: nobody to ask.
   */
  readonly ask?: (question: string) => Promise<boolean>;
}

/** Writes a warning line to stderr. Warnings name files, lines and keys, never values. */
export function warn(ctx: Context, message: string): void {
  ctx.stderr.write(`warning: ${message}\n`);
}

/** True when a person is at the terminal (prompts and history warnings make sense). */
export function isInteractive(ctx: Context): boolean {
  return ctx.stdin.isTTY === true && ctx.stderr.isTTY === true && ctx.env["CI"] === undefined;
}

/**
 * git-vault's folder of local, non-secret state (trust store, audit log, API
 * tokens): `$XDG_STATE_HOME/git-vault`, else `~/.local/state/git-vault`. A
 * relative XDG value is invalid by the spec and ignored, as for the identity.
 */
export function stateDir(env: Context["env"]): string {
  const configured = env["XDG_STATE_HOME"];
  return join(configured && isAbsolute(configured) ? configured : join(env["HOME"] || homedir(), ".local", "state"), "git-vault");
}
