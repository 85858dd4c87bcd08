/**
 * The benchmark cases. Each variant is one command line; `role` is `ours`
 * (git-vault), `peer` (what it is compared against) or `ref` (a reference
 * point with nothing to compare to).
 */
import { mkdirSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Fixtures } from "./fixtures.mjs";

export const SIZES = [10, 100, 1000];
export const ENCRYPT_SIZES = [10, 100, 1000, 10_000];

/**
 * @param {{fx: Fixtures, distBin: string, printFile: string, emptyModule: string, env: Record<string,string>, work: string, peers: any, quick: boolean}} o
 */
export function buildCases({ fx, distBin, printFile, emptyModule, env, work, peers, quick }) {
  const node = process.execPath;
  const spec = (cmd, args, cwd = fx.root, extra = {}) => ({ cmd, args, cwd, env, ...extra });
  // Cold start runs without the hang guard: its extra fork/exec would be a
  // few per cent of a 25 ms figure.
  const bare = (s) => ({ ...s, noHangGuard: true });
  const gv = (args, cwd) => spec(node, [distBin, ...args], cwd);
  const dx = (args, cwd) => spec(peers.dotenvx, args, cwd, { timeoutMs: 1_800_000 });
  const noDotenvx = peers.dotenvx ? undefined : "dotenvx not installed";
  const dirOf = (p) => p.slice(0, p.lastIndexOf("/"));
  const cases = [];

  // `git vault agent`: two run side by side (their own XDG_CACHE_HOME, so
  // their own socket), one without and one with the answer cache, while the
  // cases that use them run; the textconv client is the shipped sh script.
  const client = join(dirOf(distBin), "git-vault-textconv");
  const noAgent = peers.agentClientTool ? undefined : "neither nc nor socat installed";
  const agentEnvs = { nocache: fx.agentEnv("nocache"), cache: fx.agentEnv("cache") };
  const agentCtl = (agentEnv, ...args) => spawnSync(node, [distBin, "agent", ...args], { env: agentEnv, encoding: "utf8" });
  const agents = {
    start() {
      for (const [name, agentEnv] of Object.entries(agentEnvs)) {
        const r = agentCtl(agentEnv, "start", "--cache-mib", name === "cache" ? "256" : "0");
        if (r.status !== 0) throw new Error(`git vault agent start (${name}): ${r.stderr}`);
      }
    },
    /** Stops both; says how many answers each gave, so a silent fallback to `git-vault textconv` shows. */
    stop() {
      const notes = [];
      for (const [name, agentEnv] of Object.entries(agentEnvs)) {
        const r = agentCtl(agentEnv, "stop", "--json");
        const status = r.status === 0 ? JSON.parse(r.stdout).status : null;
        notes.push(status ? `agent ${name}: ${status.answered} answers, cache ${status.cache.hits} hits / ${status.cache.misses} misses` : `agent ${name}: not running`);
      }
      return notes.join("; ");
    },
  };
  const viaAgent = (name, s) => ({ ...s, env: agentEnvs[name] });

  // Cold start.
  cases.push({
    id: "cold-start",
    title: "cold start",
    fastIterations: 21,
    variants: [
      { name: "node", label: "node -e 0", role: "peer", make: () => bare(spec(node, ["-e", "0"])) },
      { name: "node-esm", label: "node empty.mjs (ESM floor)", role: "peer", make: () => bare(spec(node, [emptyModule])) },
      { name: "dotenvx", label: "dotenvx --version", role: "peer", skip: noDotenvx, make: () => bare(dx(["--version"])) },
      { name: "gv-version", label: "git-vault --version", role: "ours", make: () => bare(gv(["--version"])) },
      { name: "gv-help", label: "git-vault --help", role: "ours", make: () => bare(gv(["--help"])) },
    ],
  });

  // Reading commands on 10/100/1000 keys.
  for (const n of SIZES) {
    const mid = `KEY_${Math.ceil(n / 2)}`;
    const read = [
      ["get", `get ${mid} --reveal`, `dotenvx get ${mid}`, () => gv(["get", mid, "--reveal", "--file", fx.gvEncrypted(n)]), () => dx(["get", mid, "-f", fx.dxEncrypted(n)], dirOf(fx.dxEncrypted(n)))],
      ["list", "list", "dotenvx get (all keys)", () => gv(["list", "--file", fx.gvEncrypted(n)]), () => dx(["get", "-f", fx.dxEncrypted(n)], dirOf(fx.dxEncrypted(n)))],
      ["run", "run -- true", "dotenvx run -- true", () => gv(["run", "--file", fx.gvEncrypted(n), "--", "true"]), () => dx(["run", "-f", fx.dxEncrypted(n), "--", "true"], dirOf(fx.dxEncrypted(n)))],
    ];
    for (const [cmd, ours, peer, makeOurs, makePeer] of read) {
      cases.push({
        id: `${cmd}/${n}`,
        title: `${cmd}, ${n} keys`,
        variants: [
          { name: "dotenvx", label: peer, role: "peer", skip: noDotenvx, make: makePeer },
          { name: "gv", label: `git-vault ${ours}`, role: "ours", make: makeOurs },
        ],
      });
    }
  }

  // encrypt of an all-plaintext file: a fresh copy before every run.
  for (const n of ENCRYPT_SIZES) {
    const big = n >= 10_000;
    const gvPath = join(work, `encrypt-gv-k${n}.env`);
    const dxDir = join(work, `encrypt-dx-k${n}`);
    cases.push({
      id: `encrypt/${n}/1r`,
      title: `encrypt, ${n} keys, 1 recipient`,
      variants: [
        {
          name: "dotenvx",
          label: "dotenvx encrypt",
          role: "peer",
          skip: noDotenvx ?? (big && quick ? "skipped in --quick (one run takes minutes)" : undefined),
          maxIterations: big ? 1 : undefined,
          setup: () => {
            rmSync(dxDir, { recursive: true, force: true });
            mkdirSync(dxDir, { recursive: true });
            Fixtures.fresh(fx.plain(n), join(dxDir, ".env"));
          },
          make: () => (fx.plain(n), dx(["encrypt", "-f", join(dxDir, ".env")], dxDir)),
        },
        {
          name: "gv",
          label: "git-vault encrypt",
          role: "ours",
          quickIterations: big ? 1 : undefined,
          setup: () => Fixtures.fresh(fx.plain(n), gvPath),
          make: () => (fx.identity(), gv(["encrypt", "--file", gvPath])),
        },
      ],
    });
  }
  for (const n of ENCRYPT_SIZES) {
    const gvPath = join(work, `encrypt10-gv-k${n}.env`);
    cases.push({
      id: `encrypt/${n}/10r`,
      title: `encrypt, ${n} keys, 10 recipients`,
      variants: [
        {
          name: "gv",
          label: "git-vault encrypt",
          role: "ours",
          quickIterations: 1,
          maxIterations: n >= 10_000 ? 3 : undefined,
          setup: () => Fixtures.fresh(fx.plain10(n), gvPath),
          make: () => (fx.plain10(n), gv(["encrypt", "--file", gvPath])),
        },
      ],
    });
  }

  // set of one key in a 1000-key file, and the least a Node process does for it.
  {
    const path = join(work, "set-k1000.env");
    const floorPath = join(work, "set-floor-k1000.env");
    const setFloor = fileURLToPath(new URL("./floors/set-floor.cjs", import.meta.url));
    let floorX;
    const floorRecipient = () => (floorX ??= generateKeyPairSync("x25519").publicKey.export({ format: "jwk" }).x);
    cases.push({
      id: "set/1000",
      title: "set one key, 1000-key file",
      variants: [
        {
          name: "gv",
          label: "git-vault set KEY_500 VALUE",
          role: "ours",
          setup: () => Fixtures.fresh(fx.gvEncrypted(1000), path),
          make: () => (fx.gvEncrypted(1000), gv(["set", "KEY_500", "new_value_500", "--file", path])),
        },
        {
          name: "node-floor",
          label: "node set-floor.cjs (Node's least work for it)",
          role: "ref",
          setup: () => Fixtures.fresh(fx.gvEncrypted(1000), floorPath),
          make: () => (fx.gvEncrypted(1000), spec(node, [setFloor, floorPath, "KEY_500", "new_value_500", floorRecipient()])),
        },
      ],
    });
  }

  // recipients add --reencrypt on 1000 keys (1 -> 2 recipients).
  {
    const path = join(work, "recipients-k1000.env");
    cases.push({
      id: "recipients-add/1000",
      title: "recipients add --reencrypt, 1000 keys",
      variants: [
        {
          name: "gv",
          label: "git-vault recipients add R --reencrypt",
          role: "ours",
          // The fresh copy lists one recipient again; the trust store still holds the
          // two-recipient set the last run recorded as its own, which would stop this run.
          setup: () => {
            Fixtures.fresh(fx.gvEncrypted(1000), path);
            fx.gv(["trust", "forget", "--file", path]);
          },
          make: () => {
            fx.gvEncrypted(1000);
            return gv(["recipients", "add", fx.extraRecipients()[0], "--reencrypt", "--file", path]);
          },
        },
      ],
    });
  }

  // textconv vs the print-only floor.
  for (const n of [100, 1000]) {
    cases.push({
      id: `textconv/${n}`,
      title: `textconv, ${n} keys`,
      before: noAgent ? undefined : agents.start,
      after: noAgent ? undefined : agents.stop,
      variants: [
        { name: "print", label: "node print-only script", role: "peer", make: () => spec(node, [printFile, fx.gvEncrypted(n)]) },
        { name: "gv", label: "git-vault textconv", role: "ours", make: () => gv(["textconv", fx.gvEncrypted(n)]) },
        { name: "gv-agent", label: "git-vault-textconv (sh client), agent, no cache", role: "ours", skip: noAgent, make: () => viaAgent("nocache", spec("sh", [client, fx.gvEncrypted(n)])) },
        { name: "gv-agent-cache", label: "git-vault-textconv (sh client), agent, cache", role: "ours", skip: noAgent, make: () => viaAgent("cache", spec("sh", [client, fx.gvEncrypted(n)])) },
      ],
    });
  }

  // git log -p over 50 revisions of a 100-key file.
  {
    const git = (config) => () => {
      const dir = fx.gitlog();
      return spec("git", [...config, "--no-pager", "log", "-p"], dir);
    };
    const noGitCrypt = peers.gitCrypt ? undefined : "git-crypt not installed";
    cases.push({
      id: "git-log-p/100x50",
      title: "git log -p, 50 revisions, 100 keys",
      before: noAgent ? undefined : agents.start,
      after: noAgent ? undefined : agents.stop,
      variants: [
        { name: "git-crypt", label: "git log -p, git-crypt (same plaintext history)", role: "peer", skip: noGitCrypt, make: () => spec("git", ["--no-pager", "log", "-p"], fx.gitcrypt(peers.gitCrypt)) },
        { name: "no-textconv", label: "git log -p --no-textconv", role: "peer", make: () => { const s = git([])(); s.args.push("--no-textconv"); return s; } },
        { name: "cat", label: "git log -p, textconv cat", role: "peer", make: git(["-c", "diff.git-vault.textconv=cat"]) },
        { name: "print", label: "git log -p, textconv node print-only", role: "peer", make: git(["-c", `diff.git-vault.textconv=node ${printFile}`]) },
        { name: "gv", label: "git log -p, textconv git-vault", role: "ours", make: git([]) },
        { name: "gv-agent", label: "git log -p, textconv sh client + agent, no cache", role: "ours", skip: noAgent, make: () => viaAgent("nocache", git(["-c", `diff.git-vault.textconv=sh ${client}`])()) },
        { name: "gv-agent-cache", label: "git log -p, textconv sh client + agent, cache", role: "ours", skip: noAgent, make: () => viaAgent("cache", git(["-c", `diff.git-vault.textconv=sh ${client}`])()) },
      ],
    });
  }

  // Starting the agent (stopped again, untimed, before each run): what the
  // first diff of a session pays once.
  {
    const coldEnv = fx.agentEnv("cold");
    cases.push({
      id: "agent-start",
      title: "git vault agent start (cold)",
      after: () => (agentCtl(coldEnv, "stop"), ""),
      variants: [
        { name: "node", label: "node -e 0", role: "peer", make: () => spec(node, ["-e", "0"]) },
        {
          name: "gv",
          label: "git-vault agent start",
          role: "ours",
          skip: noAgent,
          setup: () => agentCtl(coldEnv, "stop"),
          make: () => (fx.identity(), { ...gv(["agent", "start"]), env: coldEnv }),
        },
      ],
    });
  }

  // verify on 1000 keys.
  cases.push({
    id: "verify/1000",
    title: "verify, 1000 keys",
    variants: [{ name: "gv", label: "git-vault verify", role: "ours", make: () => gv(["verify", "--file", fx.gvEncrypted(1000)]) }],
  });

  // The age CLI on one small value: what one encryption costs in a native tool.
  const noAge = peers.age && peers.ageKeygen ? undefined : "age not installed";
  cases.push({
    id: "age/1",
    title: "age CLI, one small value",
    variants: [
      { name: "age-encrypt", label: "age -r R (encrypt)", role: "ref", skip: noAge, make: () => spec(peers.age, ["-r", fx.ageFiles().recipient, "-o", "/dev/null", fx.ageFiles().plain]) },
      { name: "age-decrypt", label: "age -d -i ID (decrypt)", role: "ref", skip: noAge, make: () => spec(peers.age, ["-d", "-i", fx.ageFiles().identity, "-o", "/dev/null", fx.ageFiles().encrypted]) },
    ],
  });

  return cases;
}
