import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
// Issue 13, item 4: would get/list/run/verify gain from asking a running agent?
// Times, alternating in rounds, `run`/`verify` decrypting locally against the least a
// Node client answered by the agent does (ask-agent.cjs: connect, textconv, read the
// answer; without git-vault's CLI, so a lower bound), `run` asking the agent (with and
// without its cache), and the CLI's start-up.
// Usage: node bench/probes/agent-readers.mjs [ROUNDS]   (clean environment, own fixtures)
const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, "../../dist/bin.cjs");
const ask = join(here, "ask-agent.cjs");
const root = resolve(here, "../.work/agent-readers"); rmSync(root, { recursive: true, force: true }); mkdirSync(root, { recursive: true });
const env = { PATH: process.env.PATH, HOME: root, XDG_CONFIG_HOME: join(root, "cfg"), XDG_CACHE_HOME: join(root, "cache"), XDG_RUNTIME_DIR: join(root, "rt"), GIT_CONFIG_NOSYSTEM: "1", LANG: "C.UTF-8" };
mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
const sh = (cmd, args, e = env) => { const r = spawnSync(cmd, args, { cwd: root, env: e, encoding: "utf8" }); if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`); return r; };
sh("git", ["init", "-q", "."]);
const load = () => (spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout ?? "").split(" ").slice(0, 3).join(" ");
console.log(`load average at start: ${load()}`);
sh(process.execPath, [bin, "keygen"]);
const files = {};
for (const n of [100, 1000]) { const f = join(root, `k${n}.env`); let s = ""; for (let i = 1; i <= n; i++) s += `KEY_${i}=value_${i}\n`; writeFileSync(f, s); sh(process.execPath, [bin, "encrypt", "--file", f]); files[n] = f; }
const agentEnv = (name) => ({ ...env, XDG_RUNTIME_DIR: join(root, `rt-${name}`) });
for (const name of ["nocache", "cache"]) { mkdirSync(join(root, `rt-${name}`), { mode: 0o700 }); sh(process.execPath, [bin, "agent", "start", "--cache-mib", name === "cache" ? "256" : "0"], agentEnv(name)); }
const sock = (name) => join(root, `rt-${name}`, "git-vault", "agent.sock");
const rounds = Number(process.argv[2] ?? 7);
const variants = (n) => ({
  [`run/${n} local`]: [process.execPath, [bin, "run", "--file", files[n], "--", "true"], env],
  [`run/${n} agent, no cache`]: [process.execPath, [bin, "run", "--file", files[n], "--", "true"], agentEnv("nocache")],
  [`run/${n} agent, cache`]: [process.execPath, [bin, "run", "--file", files[n], "--", "true"], agentEnv("cache")],
  [`verify/${n} local`]: [process.execPath, [bin, "verify", "--file", files[n]], env],
  [`node client via agent, no cache /${n} (lower bound)`]: [process.execPath, [ask, files[n]], { ...env, SOCK: sock("nocache") }],
  [`node client via agent, cache /${n} (lower bound)`]: [process.execPath, [ask, files[n]], { ...env, SOCK: sock("cache") }],
  [`git-vault --version (CLI start-up)`]: [process.execPath, [bin, "--version"], env],
});
const samples = {};
for (let r = 0; r < rounds; r++) for (const n of [100, 1000]) for (const [k, [c, a, e]] of Object.entries(variants(n))) {
  const t = process.hrtime.bigint(); sh(c, a, e); const ms = Number(process.hrtime.bigint() - t) / 1e6;
  (samples[k] ??= []).push(ms);
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const [k, xs] of Object.entries(samples)) console.log(`${k.padEnd(55)} median ${med(xs).toFixed(1)} ms  (n=${xs.length}, min ${Math.min(...xs).toFixed(1)})`);
console.log(`load average at end: ${load()}`);
for (const name of ["nocache", "cache"]) spawnSync(process.execPath, [bin, "agent", "stop"], { env: agentEnv(name) });
