// Issue 13, the `set` budget: `set` of one key in a 1000-key file against
// bench/lib/floors/set-floor.cjs, with the parts the profile names timed
// alone in the same rounds (alternating): the CLI's start-up
// (`--version`), the `git rev-parse --show-toplevel` child set runs to find
// the repository, and a bare `node -e 0`.
// Usage: node bench/probes/set-parts.mjs [ROUNDS]   (clean environment, own fixtures)
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, "../../dist/bin.cjs");
const floor = resolve(here, "../lib/floors/set-floor.cjs");
const root = resolve(here, "../.work/set-parts");
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
const env = { PATH: process.env.PATH, HOME: root, XDG_CONFIG_HOME: join(root, "cfg"), GIT_CONFIG_NOSYSTEM: "1", LANG: "C.UTF-8" };
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r;
};
const load = () => (spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout ?? "").split(" ").slice(0, 3).join(" ");
console.log(`load average at start: ${load()}`);
sh("git", ["init", "-q", "."]);
const recipient = /age1[0-9a-z]+/.exec(sh(process.execPath, [bin, "keygen"]).stderr + "")?.[0];
const source = join(root, "k1000.env");
let text = "";
for (let i = 1; i <= 1000; i++) text += `KEY_${i}=value_${i}\n`;
writeFileSync(source, text);
sh(process.execPath, [bin, "encrypt", "--file", source]);
const work = join(root, "work.env");
// The floor seals to a raw X25519 public key: any 32 bytes time the same.
const rawX = Buffer.alloc(32, 9).toString("base64url");
const variants = {
  "git-vault set KEY_500 VALUE": () => [process.execPath, [bin, "set", "--file", work, "KEY_500", "new-value"]],
  "node set-floor.cjs": () => [process.execPath, [floor, work, "KEY_500", "new-value", rawX]],
  "git-vault --version": () => [process.execPath, [bin, "--version"]],
  "git rev-parse --show-toplevel": () => ["git", ["rev-parse", "--show-toplevel"]],
  "node -e 0": () => [process.execPath, ["-e", "0"]],
};
void recipient;
const rounds = Number(process.argv[2] ?? 9);
const samples = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, make] of Object.entries(variants)) {
    copyFileSync(source, work); // untimed: a fresh copy for every run
    const [cmd, args] = make();
    const t = process.hrtime.bigint();
    sh(cmd, args);
    (samples[name] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floorMed = med(samples["node set-floor.cjs"]);
for (const [name, xs] of Object.entries(samples)) {
  console.log(`${name.padEnd(32)} median ${med(xs).toFixed(1)} ms  ${(med(xs) / floorMed).toFixed(2)}x floor  (n=${xs.length}, min ${Math.min(...xs).toFixed(1)})`);
}
console.log(`load average at end: ${load()}`);
