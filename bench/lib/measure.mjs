/**
 * Runs one command once and measures it.
 *
 * Wall time: process.hrtime around a synchronous spawn (the harness does
 * nothing else meanwhile). Peak memory and CPU time: GNU time (`/usr/bin/time
 * -f '%e %M %U %S'`), whose %M is the largest resident set of the process or
 * of any child it waited for (so `git log` counts its textconv children and
 * `run -- true` its child). The wrapper costs the same fork/exec for every
 * variant, so ratios are unaffected.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export const GNU_TIME = "/usr/bin/time";
/** coreutils timeout: kills a hung command and everything it started (its own process group). */
export const TIMEOUT = "/usr/bin/timeout";

/** True when GNU time is there (memory and CPU figures need it). */
export function haveGnuTime() {
  return existsSync(GNU_TIME);
}

/** Exit code 2 plus clipanion's usage error: the command is not there (yet). */
export function isNotImplemented(code, stderr) {
  return code === 2 && /Command not found|Unknown Syntax Error/i.test(stderr);
}

/**
 * A run gets `timeoutMs` (default 300 s). Unless `run.noHangGuard`, the
 * command runs under `timeout -s KILL`, which kills it and its descendants
 * (textconv children of git, say) when it hangs; the wrapper costs the same
 * fork/exec on every side of a comparison. Without the guard (cold start,
 * where 1 ms counts) only the direct child is killed.
 *
 * @param {{cmd: string, args: string[], cwd: string, env: Record<string,string>, timeoutMs?: number, noHangGuard?: boolean}} run
 * @param {string} scratch directory for the GNU time output file
 * @returns {{wallMs: number, cpuMs: number|null, maxRssKb: number|null, code: number|null, signal: string|null, stderr: string, timedOut: boolean}}
 */
export function measureOnce(run, scratch) {
  const useTime = haveGnuTime();
  const timeOut = join(scratch, `time-${process.pid}.txt`);
  rmSync(timeOut, { force: true });
  const limitMs = Math.round(run.timeoutMs ?? 300_000);
  const guard = !run.noHangGuard && existsSync(TIMEOUT);
  const inner = guard ? [TIMEOUT, "-s", "KILL", `${(limitMs / 1000).toFixed(1)}s`, run.cmd, ...run.args] : [run.cmd, ...run.args];
  const [cmd, args] = useTime ? [GNU_TIME, ["-o", timeOut, "-f", "%e %M %U %S", ...inner]] : [inner[0], inner.slice(1)];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: run.cwd,
    env: run.env,
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    timeout: guard ? limitMs + 30_000 : limitMs,
    killSignal: "SIGKILL",
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  let cpuMs = null;
  let maxRssKb = null;
  if (useTime && existsSync(timeOut)) {
    // GNU time may put "Command exited with non-zero status N" before the format line.
    const lines = readFileSync(timeOut, "utf8").trim().split("\n");
    const m = /^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1] ?? "");
    if (m) {
      maxRssKb = Number(m[2]);
      cpuMs = (Number(m[3]) + Number(m[4])) * 1000;
    }
  }
  const timedOut =
    (r.error !== undefined && /ETIMEDOUT/.test(String(r.error.code ?? r.error))) ||
    (guard && (r.status === 137 || r.status === 124) && wallMs >= limitMs - 50);
  return {
    wallMs,
    cpuMs,
    maxRssKb,
    code: r.status,
    signal: r.signal,
    stderr: (r.stderr ?? Buffer.alloc(0)).toString("utf8"),
    timedOut,
  };
}
