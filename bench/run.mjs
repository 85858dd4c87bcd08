#!/usr/bin/env node
/**
 * git-vault benchmark suite: `npm run bench` (builds first), or
 * `node bench/run.mjs [--quick] [--only PATTERN] [--iterations N]`.
 *
 * Generates fixtures under bench/.work, installs the peers it compares
 * against when missing (dotenvx into bench/.work/peers, `age` and GNU `time`
 * with apt-get), runs peers and git-vault alternately, prints a markdown
 * table of medians and git-vault/peer ratios plus the budgets, and writes
 * bench/results/latest.json (partial.json for --quick or --only). Not part
 * of `npm test`.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { evaluateBudgets } from "./lib/budgets.mjs";
import { buildCases } from "./lib/cases.mjs";
import { Fixtures } from "./lib/fixtures.mjs";
import { ensurePeers } from "./lib/peers.mjs";
import { budgetsTable, resultRows, resultsTable } from "./lib/report.mjs";
import { runCase } from "./lib/runner.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = resolve(benchDir, "..");
const work = join(benchDir, ".work");
const builtDist = join(repo, "dist");
const printFile = join(benchDir, "lib", "print-file.mjs");
const emptyModule = join(benchDir, "lib", "empty.mjs");

function usage() {
  return `usage: node bench/run.mjs [--quick] [--only PATTERN] [--iterations N] [--no-wait]

  --quick          fewer iterations; 10,000-key and 10-recipient encrypts run once;
                   dotenvx's 10,000-key encrypt is skipped
  --only PATTERN   run only cases whose id matches PATTERN (a case-insensitive
                   regular expression), e.g. --only 'get|list' or --only encrypt/1000
  --iterations N   force N timed runs of every variant (overrides the automatic count)
  --no-wait        do not wait for a quiet machine before each case (by default up to
                   20 s per case and 3 min in all; 10 s and 1 min with --quick)

Case ids: cold-start, get/N, list/N, run/N (N = 10, 100, 1000), encrypt/N/1r,
encrypt/N/10r (N = 10, 100, 1000, 10000), set/1000, recipients-add/1000,
textconv/100, textconv/1000, git-log-p/100x50, verify/1000, age/1.
`;
}

function parseArgs(argv) {
  const o = { quick: false, only: null, iterations: null, waitQuiet: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf("=");
      if (eq !== -1) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--no-wait") o.waitQuiet = false;
    else if (a === "--only" || a.startsWith("--only=")) o.only = new RegExp(value(), "i");
    else if (a === "--iterations" || a.startsWith("--iterations=")) o.iterations = Number.parseInt(value(), 10);
    else if (a === "-h" || a === "--help") {
      process.stdout.write(usage());
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${usage()}`);
  }
  if (o.iterations !== null && !(o.iterations >= 1)) throw new Error("--iterations needs a positive number");
  return o;
}

function machine() {
  let cpuModel = null;
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? null;
  } catch {
    cpuModel = os.cpus()[0]?.model ?? null;
  }
  const git = (...args) => spawnSync("git", args, { cwd: repo, encoding: "utf8" }).stdout?.trim() || null;
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpuModel,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: git("rev-parse", "--short", "HEAD"),
    treeDirty: (git("status", "--porcelain", "--untracked-files=no") ?? "") !== "",
  };
}

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

/**
 * One run at a time: two runs would share bench/.work and, worse, each
 * other's CPU. A lock naming a process that is gone is taken over.
 */
function takeRunLock() {
  const lock = join(work, "run.lock");
  try {
    const pid = Number.parseInt(readFileSync(lock, "utf8"), 10);
    if (pid > 0 && pid !== process.pid) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive) throw new Error(`another benchmark run (pid ${pid}) is using ${work}; wait for it (concurrent runs skew each other's figures)`);
    }
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  writeFileSync(lock, String(process.pid));
  process.on("exit", () => {
    try {
      if (readFileSync(lock, "utf8") === String(process.pid)) rmSync(lock);
    } catch {
      // already gone
    }
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(builtDist, "bin.cjs"))) throw new Error(`${builtDist}/bin.cjs is missing: run \`npm run build\` first (or use \`npm run bench\`)`);
  const started = new Date();
  const load0 = os.loadavg();
  mkdirSync(work, { recursive: true });
  takeRunLock();

  // Run a snapshot of dist/: others rebuilding the tree mid-run must not mix
  // two builds into one set of figures. The bundle resolves nothing outside
  // itself but node_modules, which it still finds from bench/.work.
  const snapshot = join(work, "dist");
  rmSync(snapshot, { recursive: true, force: true });
  cpSync(builtDist, snapshot, { recursive: true });
  const distBin = join(snapshot, "bin.cjs");
  // One hash over every file of the build (entry and chunks).
  const hash = createHash("sha256");
  for (const e of readdirSync(snapshot, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isFile()) hash.update(e.name).update(readFileSync(join(snapshot, e.name)));
  }
  const bundleHash = hash.digest("hex").slice(0, 12);

  const peers = ensurePeers(work);
  const fixturesRoot = join(work, "fixtures");
  const scratch = join(work, "scratch");
  const home = join(fixturesRoot, "home");
  const env = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    XDG_CONFIG_HOME: join(fixturesRoot, "cfg"),
    LANG: "C.UTF-8",
    TERM: "dumb",
    NO_COLOR: "1",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.invalid",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.invalid",
    GIT_AUTHOR_DATE: "2025-01-01T00:00:00Z",
    GIT_COMMITTER_DATE: "2025-01-01T00:00:00Z",
  };
  const fx = new Fixtures({ root: fixturesRoot, distBin, env, peers });
  mkdirSync(home, { recursive: true });
  writeFileSync(env.GIT_CONFIG_GLOBAL, "");
  mkdirSync(scratch, { recursive: true });
  const caseWork = join(fixturesRoot, "work");
  mkdirSync(caseWork, { recursive: true });

  const gvVersion = spawnSync(process.execPath, [distBin, "--version"], { encoding: "utf8" }).stdout.trim();
  const meta = { started: started.toISOString(), quick: opts.quick, only: opts.only?.source ?? null, gitVault: gvVersion, bundle: `dist/ sha256 ${bundleHash}`, ...machine(), peers, loadavgStart: load0 };
  log(`${gvVersion}; node ${meta.node}; ${meta.nproc} cores (${meta.cpuModel}); dotenvx ${peers.dotenvxVersion ?? "missing"}; age ${peers.ageVersion ?? "missing"}; load ${load0.map((x) => x.toFixed(2)).join(" ")}`);

  const cases = buildCases({ fx, distBin, printFile, emptyModule, env, work: caseWork, peers, quick: opts.quick }).filter((c) => !opts.only || opts.only.test(c.id));
  if (cases.length === 0) throw new Error(`no case matches ${opts.only}`);
  // Waiting for a quiet machine: up to 20 s before a case (10 s with --quick),
  // 3 minutes in all (1 with --quick), so a machine that is never quiet does
  // not double the run time.
  let waitLeft = opts.quick ? 60_000 : 180_000;
  const runOpts = {
    quick: opts.quick,
    iterations: opts.iterations,
    waitQuiet: opts.waitQuiet,
    quietWaitMs: () => Math.max(1000, Math.min(opts.quick ? 10_000 : 20_000, waitLeft)),
    quietWaited: (ms) => {
      waitLeft -= ms;
    },
    scratch,
  };
  const results = [];
  for (const c of cases) results.push(runCase(c, runOpts));

  const budgets = evaluateBudgets(results);
  meta.loadavgEnd = os.loadavg();
  meta.seconds = Math.round((Date.now() - started.getTime()) / 1000);

  const table = resultsTable(results);
  const btable = budgetsTable(budgets);
  const legend =
    "Medians. ratio = git-vault / reference wall time (lower is better); CPU-time ratio = the same on user+sys time " +
    "(GNU time, 10 ms resolution, children included); peak RSS = the largest of the runs; " +
    "others busy = cores that other processes kept busy during the case (above ~0.3 the wall figures are noisy).";
  process.stdout.write(`\n## Results\n\n${legend}\n\n${table}\n\n## Budgets\n\n${btable}\n\n`);
  process.stdout.write(`${meta.nproc} cores, ${meta.cpuModel}, node ${meta.node}; load average ${load0[0].toFixed(2)} at start, ${meta.loadavgEnd[0].toFixed(2)} at end; ${meta.seconds} s in all${opts.quick ? " (--quick)" : ""}.\n`);

  const outDir = join(benchDir, "results");
  mkdirSync(outDir, { recursive: true });
  // A full run replaces latest.json (the figures docs/performance.md cites);
  // a --quick or --only run writes partial.json, so it cannot overwrite them.
  const out = join(outDir, opts.quick || opts.only ? "partial.json" : "latest.json");
  const rows = resultRows(results).map((r) => ({ case: r.case, ours: r.ours?.name ?? null, ref: r.ref?.name ?? null, ratio: r.ratio }));
  writeFileSync(`${out}.tmp`, `${JSON.stringify({ meta, budgets, rows, cases: results, markdown: { results: table, budgets: btable } }, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  log(`wrote ${out}`);
}

main().catch((error) => {
  process.stderr.write(`[bench] ${error.stack ?? error}\n`);
  process.exit(1);
});
