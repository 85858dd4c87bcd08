/**
 * Runs a case: every variant (peers and git-vault) is run alternately, one
 * iteration of each per round (peer, ours, peer, ours, ...), so that drift in
 * machine load hits both sides alike.
 *
 * A variant whose first run is a usage error (exit 2, "Command not found") is
 * `n/a` (not implemented yet); any other failure is `error`; neither stops the
 * suite.
 */
import { busyCores, cpuCounters, waitForQuiet } from "./load.mjs";
import { isNotImplemented, measureOnce } from "./measure.mjs";
import { max, median } from "./stats.mjs";

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

/**
 * How many timed runs: fewer for slow commands. `probeMs` is the slowest
 * variant's first (warm-up) run.
 */
export function iterationsFor(probeMs, { quick, fastIterations }) {
  if (quick) return probeMs > 5000 ? 1 : probeMs > 1000 ? 3 : 7;
  if (probeMs > 5000) return 3;
  if (probeMs > 1000) return 7;
  return fastIterations ?? 15;
}

function summarize(v) {
  const walls = v.samples.map((s) => s.wallMs);
  return {
    name: v.name,
    label: v.label,
    role: v.role,
    status: v.status,
    reason: v.reason ?? null,
    hangs: v.hangs ?? 0,
    command: v.commandText ?? null,
    n: v.samples.length,
    medianMs: median(walls),
    minMs: walls.length ? Math.min(...walls) : null,
    maxMs: walls.length ? Math.max(...walls) : null,
    cpuMedianMs: median(v.samples.map((s) => s.cpuMs)),
    peakRssKb: max(v.samples.map((s) => s.maxRssKb)),
    medianRssKb: median(v.samples.map((s) => s.maxRssKb)),
    samples: v.samples,
  };
}

/**
 * One timed run. A run that hangs past its time limit is killed, counted in
 * `v.hangs` and tried again (twice at most), so one hang shows up without
 * wiping out the figure.
 */
function runOne(v, scratch, account) {
  for (let attempt = 0; ; attempt++) {
    if (v.setup) v.setup();
    const m = measureOnce(v.spec, scratch);
    account.cpuMs += m.cpuMs ?? 0;
    account.wallMs += m.wallMs;
    if (m.code === 0) {
      // After one good run, a run 4 times as long (and over a minute) is a hang.
      v.spec.timeoutMs = Math.round(Math.min(v.spec.timeoutMs ?? 300_000, Math.max(60_000, 4 * m.wallMs)));
      return { ok: true, m };
    }
    if (isNotImplemented(m.code, m.stderr)) return { ok: false, status: "n/a", reason: `not implemented: ${m.stderr.trim().split("\n")[0]}` };
    if (m.timedOut) {
      v.hangs = (v.hangs ?? 0) + 1;
      log(`${v.label}: killed after ${(m.wallMs / 1000).toFixed(0)} s without finishing (hang ${v.hangs})`);
      if (attempt < 2) continue;
    }
    const why = m.timedOut ? "timed out" : m.signal ? `signal ${m.signal}` : `exit ${m.code}`;
    return { ok: false, status: "error", reason: `${why}: ${m.stderr.trim().slice(0, 800)}` };
  }
}

/**
 * @param {{id: string, title: string, variants: any[], fastIterations?: number}} c
 * @param {{quick: boolean, iterations: number|null, scratch: string}} opts
 */
export function runCase(c, opts) {
  const started = Date.now();
  const variants = c.variants.map((v) => ({ ...v, samples: [], status: "ok" }));
  for (const v of variants) {
    if (v.skip) {
      v.status = "skipped";
      v.reason = v.skip;
      continue;
    }
    try {
      v.spec = v.make();
      v.commandText = [v.spec.cmd, ...v.spec.args].join(" ");
    } catch (error) {
      v.status = "error";
      v.reason = `fixture: ${String(error.message ?? error).slice(0, 800)}`;
    }
  }
  const live = () => variants.filter((v) => v.status === "ok");
  // What the case needs running meanwhile (the agents), started before the
  // quiet wait so their start-up is not counted as other processes' load.
  if (c.before) c.before();
  let result = null;
  try {
    result = measureCase(c, opts, variants, live, started);
    return result;
  } finally {
    const note = c.after ? c.after() : null;
    if (note) {
      log(`${c.id}: ${note}`);
      if (result) result.note = note;
    }
  }
}

function measureCase(c, opts, variants, live, started) {
  const quiet = opts.waitQuiet ? waitForQuiet({ maxWaitMs: opts.quietWaitMs() }) : null;
  if (quiet) opts.quietWaited(quiet.waitedMs);

  const account = { cpuMs: 0, wallMs: 0 };
  const counters0 = cpuCounters();

  // Warm-up run of each; kept as a sample only when slow (> 2 s: the file
  // cache is warm by then and another run would cost a lot).
  let probeMs = 0;
  for (const v of live()) {
    const r = runOne(v, opts.scratch, account);
    if (!r.ok) {
      v.status = r.status;
      v.reason = r.reason;
      continue;
    }
    probeMs = Math.max(probeMs, r.m.wallMs);
    if (r.m.wallMs > 2000) v.samples.push(r.m);
  }
  const n = opts.iterations ?? iterationsFor(probeMs, { quick: opts.quick, fastIterations: c.fastIterations });
  const target = (v) => Math.max(1, Math.min(n, opts.quick ? (v.quickIterations ?? v.maxIterations ?? n) : (v.maxIterations ?? n)));
  for (;;) {
    const pending = live().filter((v) => v.samples.length < target(v));
    if (pending.length === 0) break;
    for (const v of pending) {
      const r = runOne(v, opts.scratch, account);
      if (!r.ok) {
        v.status = r.status;
        v.reason = r.reason;
      } else v.samples.push(r.m);
    }
  }
  // Cores other processes kept busy while this case ran: all busy time less
  // what the measured commands used (GNU time's CPU figures).
  const counters1 = cpuCounters();
  const busy = busyCores(counters0, counters1);
  const spanMs = counters1 && counters0 ? counters1.at - counters0.at : 0;
  const others = busy === null || spanMs <= 0 ? null : Math.max(0, busy - account.cpuMs / spanMs);
  const result = {
    id: c.id,
    title: c.title,
    seconds: (Date.now() - started) / 1000,
    waitedForQuietMs: quiet?.waitedMs ?? 0,
    busyCoresBefore: quiet?.busyCores ?? null,
    otherCoresBusy: others === null ? null : Math.round(others * 100) / 100,
    variants: variants.map(summarize),
  };
  const bits = result.variants.map((v) => `${v.label}: ${v.status === "ok" ? `${v.medianMs.toFixed(0)} ms (n=${v.n})` : v.status}`);
  const noise = others === null ? "" : `, others busy ${others.toFixed(2)} cores`;
  log(`${c.id}: ${bits.join(", ")}  [${result.seconds.toFixed(0)} s${noise}]`);
  return result;
}
