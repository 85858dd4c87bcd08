/**
 * The tools git-vault is compared against, installed into bench/.work when
 * missing: dotenvx from npm (into bench/.work/peers, never into the project's
 * package.json), `age`, `git-crypt`, GNU `time` and (for the agent's textconv
 * client) `netcat-openbsd` from Debian.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { GNU_TIME } from "./measure.mjs";

function which(name) {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** apt-get install, with one `apt-get update` retry; false when it cannot be done here. */
function aptInstall(pkg) {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    log(`not root: cannot apt-get install ${pkg}`);
    return false;
  }
  log(`installing ${pkg} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "-q", pkg], { stdio: ["ignore", "ignore", "inherit"], env });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update", "-q"], { stdio: ["ignore", "ignore", "inherit"], env });
    r = spawnSync("apt-get", ["install", "-y", "-q", pkg], { stdio: ["ignore", "ignore", "inherit"], env });
  }
  return r.status === 0;
}

function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? (r.stdout || r.stderr).trim().split("\n")[0] : null;
}

/**
 * @param {string} work bench/.work
 * @returns {{gitCrypt: string|null, gitCryptVersion: string|null, agentClientTool: string|null, dotenvx: string|null, dotenvxVersion: string|null, age: string|null, ageKeygen: string|null, ageVersion: string|null, gnuTime: boolean, gitVersion: string|null}}
 */
export function ensurePeers(work) {
  const prefix = join(work, "peers");
  const dotenvxBin = join(prefix, "node_modules", ".bin", "dotenvx");
  if (!existsSync(dotenvxBin)) {
    mkdirSync(prefix, { recursive: true });
    log(`installing @dotenvx/dotenvx into ${prefix}`);
    const r = spawnSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", "@dotenvx/dotenvx"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (r.status !== 0) log("could not install dotenvx: its figures will be n/a");
  }
  const dotenvx = existsSync(dotenvxBin) ? dotenvxBin : null;

  if (which("age") === null) aptInstall("age");
  if (which("git-crypt") === null) aptInstall("git-crypt");
  if (which("nc") === null && which("socat") === null) aptInstall("netcat-openbsd");
  if (!existsSync(GNU_TIME)) aptInstall("time");
  if (!existsSync(GNU_TIME)) log("GNU time missing: peak memory and CPU time will be n/a");

  const age = which("age");
  const gitCrypt = which("git-crypt");
  return {
    gitCrypt,
    gitCryptVersion: gitCrypt ? versionOf(gitCrypt, ["--version"]) : null,
    agentClientTool: which("nc") ?? which("socat"),
    dotenvx,
    dotenvxVersion: dotenvx ? versionOf(dotenvx, ["--version"]) : null,
    age,
    ageKeygen: which("age-keygen"),
    ageVersion: age ? versionOf(age, ["--version"]) : null,
    gnuTime: existsSync(GNU_TIME),
    gitVersion: versionOf("git", ["--version"]),
  };
}
