// Helpers for e2e assertions: a log of every git-vault run of a test file (to
// prove no secret value ever reaches stderr), an asynchronous runner for
// concurrent processes, and line-level comparisons of file bytes.
import { spawn } from "node:child_process";
import { type RunOptions, type RunResult, type Sandbox, binPath } from "./sandbox.js";

interface LoggedRun {
  readonly args: readonly string[];
  readonly stderr: string;
}

/**
 * Records the stderr of every git-vault run made through it and the secret
 * values the tests use; `assertNoSecretInStderr()` (from an afterAll) fails
 * when any stderr contains any of them.
 */
export class StderrLog {
  private readonly runs: LoggedRun[] = [];
  private readonly secrets = new Map<string, string>();

  /** Registers a secret value (or identity) and returns it. Must be distinctive: 6 characters or more. */
  secret<T extends string>(value: T, label = `secret #${this.secrets.size + 1}`): T {
    if (value.length < 6) throw new Error(`secret "${label}" is too short to search for reliably`);
    this.secrets.set(value, label);
    return value;
  }

  /** Records a run made some other way. */
  record(args: readonly string[], result: RunResult): RunResult {
    this.runs.push({ args, stderr: result.stderr });
    return result;
  }

  /** `sb.vault`, recorded. */
  vault(sb: Sandbox, cwd: string, args: string[], options?: RunOptions): RunResult {
    return this.record(args, sb.vault(cwd, args, options));
  }

  /** Like `vault`, but starts the process and returns at once (for concurrent runs). */
  vaultAsync(sb: Sandbox, cwd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return runAsync(sb, cwd, args, options).then((r) => this.record(args, r));
  }

  /** How many runs were recorded (a guard against an empty, vacuous check). */
  get count(): number {
    return this.runs.length;
  }

  /** Fails naming `what` and the secret's label (never the secret) when `text` contains a registered secret. */
  assertNoSecretIn(text: string, what: string): void {
    const found = [...this.secrets].filter(([value]) => text.includes(value)).map(([, label]) => label);
    if (found.length > 0) throw new Error(`secret values reached ${what}: ${found.join(", ")}`);
  }

  /** Fails naming the run and the secret's label (never the secret) when a stderr contains a secret. */
  assertNoSecretInStderr(): void {
    const leaks: string[] = [];
    for (const run of this.runs) {
      for (const [value, label] of this.secrets) {
        if (run.stderr.includes(value)) leaks.push(`${label} in the stderr of \`git vault ${redactArgs(run.args, this.secrets).join(" ")}\``);
      }
    }
    if (leaks.length > 0) throw new Error(`secret values reached stderr:\n  ${leaks.join("\n  ")}`);
  }
}

function redactArgs(args: readonly string[], secrets: ReadonlyMap<string, string>): string[] {
  return args.map((a) => (secrets.has(a) ? `<${secrets.get(a) as string}>` : a.length > 80 ? `${a.slice(0, 20)}…` : a));
}

/** Runs dist/bin.cjs in the sandbox without waiting (spawn, not spawnSync). */
export function runAsync(sb: Sandbox, cwd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd, env: { ...sb.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (status) => resolvePromise({ status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.end(options.input ?? "");
  });
}

/** Lines of a text with their line breaks attached, so that comparing them compares bytes. */
export function linesWithBreaks(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

/** What changed between two lists of lines: one contiguous block, found by common prefix and suffix. */
export interface LineChange {
  /** 0-based index of the first differing line. */
  readonly at: number;
  readonly removed: string[];
  readonly added: string[];
}

/** The single block of lines that differs between `before` and `after`. */
export function changedBlock(before: readonly string[], after: readonly string[]): LineChange {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix++;
  }
  return { at: prefix, removed: before.slice(prefix, before.length - suffix), added: after.slice(prefix, after.length - suffix) };
}

/** Indexes of lines that differ, for two lists of the same length. */
export function differingLines(before: readonly string[], after: readonly string[]): number[] {
  if (before.length !== after.length) throw new Error(`line counts differ: ${before.length} before, ${after.length} after`);
  return before.flatMap((line, i) => (line === after[i] ? [] : [i]));
}

/** The encrypted value on `KEY=` in env-file text, or throws. */
export function encryptedValueOf(text: string, key: string): string {
  const m = new RegExp(`^(?:export\\s+)?${key.replace(/[.]/g, "\\.")}=(encrypted:gv\\d+:[0-9a-f]{8}:[A-Za-z0-9+/=]+)`, "m").exec(text);
  if (m === null) throw new Error(`no encrypted value for ${key}`);
  return m[1] as string;
}

/** The pattern of a v1 encrypted value. */
export const ENCRYPTED_V1 = /encrypted:gv1:[0-9a-f]{8}:[A-Za-z0-9+/]+={0,2}/;

/** Escapes text for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
