/**
 * Running a policy hook: an executable that gets a JSON request on stdin and
 * answers with its exit status. It runs without a shell, with the
 * environment it is given, its stdout discarded and its stderr kept (what it
 * says to the user), and is killed when it takes longer than the time limit.
 */
import { spawn } from "node:child_process";

/** What the hook answered. */
export interface HookAnswer {
  /** Exit status 0, within the time limit. */
  readonly allowed: boolean;
  /** Its exit code, or null when it was killed or did not start. */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Its stderr (at most 4 KiB), trimmed. */
  readonly stderr: string;
  /** Why it could not be started (`ENOENT`, `EACCES`, …), or null. */
  readonly startError: string | null;
}

const MAX_STDERR = 4096;

/** Runs `path` with `input` on stdin; resolves when it exits or is killed after `timeoutMs`. */
export function runHook(path: string, input: string, options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<HookAnswer> {
  return new Promise((resolve) => {
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const child = spawn(path, [], { cwd: options.cwd, env: options.env, stdio: ["pipe", "ignore", "pipe"] });
    const finish = (answer: Omit<HookAnswer, "stderr" | "timedOut">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A child of the hook may hold the pipe open: what was said so far is enough.
      child.stderr.destroy();
      resolve({ ...answer, timedOut, stderr: stderr.trim() });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
      finish({ allowed: false, exitCode: null, startError: null });
    }, options.timeoutMs);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < MAX_STDERR) stderr = (stderr + chunk).slice(0, MAX_STDERR);
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      finish({ allowed: false, exitCode: null, startError: error.code ?? error.message });
    });
    child.once("exit", (code) => {
      // Let the rest of its stderr arrive before answering.
      const done = (): void => {
        finish({ allowed: code === 0, exitCode: code, startError: null });
      };
      child.stderr.once("close", done);
      setTimeout(done, 200).unref();
    });
    child.stdin.on("error", () => {
      // A hook that does not read its request closes the pipe: that is its right.
    });
    child.stdin.end(input);
  });
}
