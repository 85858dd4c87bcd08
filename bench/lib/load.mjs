/**
 * Other work on the machine skews wall-clock figures. This reads the
 * system-wide CPU counters in /proc/stat to (a) wait, a bounded time, for a
 * quiet moment before each case and (b) record how many cores other processes
 * kept busy while a case ran, so a noisy figure can be told from a real one.
 */
import { readFileSync } from "node:fs";
import os from "node:os";

const NPROC = os.availableParallelism ? os.availableParallelism() : os.cpus().length;

/** Busy and total jiffies over all CPUs, or null where /proc/stat is not there. */
export function cpuCounters() {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0); // idle + iowait
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // without guest (already in user)
    return { busy: total - idle, total, at: Date.now() };
  } catch {
    return null;
  }
}

/** Cores kept busy between two readings (0..nproc). */
export function busyCores(a, b) {
  if (!a || !b || b.total <= a.total) return null;
  return ((b.busy - a.busy) / (b.total - a.total)) * NPROC;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Waits until other processes keep fewer than `threshold` cores busy over a
 * one-second window, or `maxWaitMs` has passed. Returns what it saw.
 */
export function waitForQuiet({ threshold = 0.5, maxWaitMs = 30_000 } = {}) {
  const start = Date.now();
  let busy = null;
  for (;;) {
    const a = cpuCounters();
    sleep(1000);
    busy = busyCores(a, cpuCounters());
    if (busy === null || busy < threshold || Date.now() - start >= maxWaitMs) break;
  }
  return { waitedMs: Date.now() - start, busyCores: busy };
}
