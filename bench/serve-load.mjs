#!/usr/bin/env node
/**
 * A bounded load run of `git vault serve` on loopback: `npm run bench:serve`
 * (builds first), or `node bench/serve-load.mjs [--seconds N] [--connections N]`.
 *
 * Makes a throwaway host repo with a vault of 20 encrypted keys in a temp
 * folder (its own HOME, identity and state), starts the server on
 * 127.0.0.1 (port chosen by the system; nothing but loopback is ever
 * contacted), issues one read+reveal token, and drives with autocannon
 * (a devDependency): `GET /v1/secrets/dev` (list) for N seconds, then
 * `POST /v1/secrets/dev/KEY:reveal` for N seconds, then a short burst past a
 * small reveal limit to show the intended 429s. Reports requests/s, p50/p99
 * latency, and every status other than 200; writes
 * bench/results/serve-load.json. Stops the server and removes the folder.
 * Not part of `npm test` (it runs for over a minute).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(repo, "dist", "bin.cjs");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const seconds = Math.min(option("--seconds", 30), 60); // bounded whatever is asked
const connections = option("--connections", 8);

const root = mkdtempSync(join(os.tmpdir(), "git-vault-serve-load-"));
const home = join(root, "home");
mkdirSync(home);
const env = {
  PATH: process.env.PATH,
  HOME: home,
  XDG_CONFIG_HOME: join(home, ".config"),
  XDG_STATE_HOME: join(home, ".state"),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.com",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.com",
  NO_COLOR: "1",
};
writeFileSync(env.GIT_CONFIG_GLOBAL, '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n');

function run(cmd, argv, cwd, input = "") {
  const r = spawnSync(cmd, argv, { cwd, env, input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.slice(0, 3).join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}
const vault = (argv, cwd, input) => run(process.execPath, [bin, ...argv], cwd, input);

let server;
try {
  const remote = join(root, "secrets.git");
  run("git", ["init", "-q", "--bare", remote], root);
  const host = join(root, "host");
  mkdirSync(host);
  run("git", ["init", "-q"], host);
  run("git", ["commit", "-q", "--allow-empty", "-m", "initial"], host);
  vault(["init", "--submodule-url", remote], host);
  for (let i = 0; i < 20; i++) vault(["set", `KEY_${String(i).padStart(2, "0")}`, "--stdin"], host, `bench-value-${i}-${"x".repeat(40)}`);
  run("git", ["-c", "core.hooksPath=/dev/null", "commit", "-q", "-am", "bench keys"], join(host, "vault"));
  const tokenDir = join(root, "token");
  vault(["token", "issue", "--name", "bench", "--keys", "*", "--scope", "read,reveal", "--ttl", "1h", "--out", tokenDir], host);
  const token = readFileSync(join(tokenDir, "access.token"), "utf8").trim();

  // The reveal limit is set past what the run can reach, to measure the server, not the limiter.
  server = spawn(process.execPath, [bin, "serve", "--listen", "127.0.0.1:0", "--reveal-limit", "100000000", "--max-connections", "256"], { cwd: host, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  server.stdout.on("data", (c) => (out += c));
  server.stderr.on("data", (c) => (out += c));
  const url = await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`serve did not start: ${out}`)), 20_000);
    server.stdout.on("data", () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        ok(m[1]);
      }
    });
  });
  const headers = { authorization: `Bearer ${token}` };

  const load = (title, method, path, extra = {}) =>
    autocannon({ url: url + path, method, headers, connections, duration: seconds, title, ...extra });
  const summary = (r) => ({
    title: r.title,
    seconds: r.duration,
    connections: r.connections,
    requests: r.requests.total,
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  });

  const results = [];
  results.push(summary(await load("list GET /v1/secrets/dev", "GET", "/v1/secrets/dev")));
  results.push(summary(await load("reveal POST /v1/secrets/dev/KEY_07:reveal", "POST", "/v1/secrets/dev/KEY_07:reveal")));
  const stopped = new Promise((ok) => server.once("exit", ok));
  server.kill("SIGTERM");
  await stopped;

  // The intended 429s: the same reveal past a limit of 100 a minute, for 5 s.
  server = spawn(process.execPath, [bin, "serve", "--listen", "127.0.0.1:0", "--reveal-limit", "100"], { cwd: host, env, stdio: ["ignore", "pipe", "pipe"] });
  out = "";
  server.stdout.on("data", (c) => (out += c));
  const limitedUrl = await new Promise((ok) => {
    server.stdout.on("data", () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) ok(m[1]);
    });
  });
  results.push(summary(await autocannon({ url: `${limitedUrl}/v1/secrets/dev/KEY_07:reveal`, method: "POST", headers, connections, duration: 5, title: "reveal past --reveal-limit 100 (429s intended)" })));

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    keys: 20,
    results,
  };
  writeFileSync(join(repo, "bench", "results", "serve-load.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log("| run | req/s | p50 ms | p99 ms | statuses | errors |");
  console.log("|---|---|---|---|---|---|");
  for (const r of results) console.log(`| ${r.title} (${r.seconds} s, ${r.connections} conn.) | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${JSON.stringify(r.statusCodes)} | ${r.errors + r.timeouts} |`);
  const unexpected = results.slice(0, 2).some((r) => r.errors + r.timeouts + r.non2xx > 0) || results[2].errors + results[2].timeouts > 0;
  if (unexpected) {
    console.error("errors other than the intended 429s");
    process.exitCode = 1;
  }
} finally {
  if (server !== undefined && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((ok) => server.once("exit", ok));
    server.kill("SIGTERM");
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
}
