// `git vault agent` and the git-vault-textconv client under real git: the
// same `git log -p` bytes with the agent, with its cache and without it (a
// recipient change and blobs that are not env files included); a SIGKILLed
// agent mid-log, a cut answer and a stale socket; the socket's modes and a
// connection attempt by another user; lock, a rotated identity, the idle
// timeout. The agent is the real daemon the built CLI starts.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeVaultHost } from "../support/git.js";
import { type Sandbox, binPath, makeSandbox } from "../support/sandbox.js";

interface BytesResult {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

const hasClientTool = ["nc", "socat"].some((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0);
const inCi = process.env["CI"] !== undefined;
if (!hasClientTool && !inCi) {
  console.warn("\n*** SKIPPING test/e2e/agent.test.ts: neither nc (netcat-openbsd) nor socat is installed; .ci/run installs netcat-openbsd ***\n");
}

/** Whether this run can try a connection as `nobody` (root, with setpriv). */
const canSwitchUser = process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v setpriv && id nobody"]).status === 0;
if (!canSwitchUser) {
  console.warn("\n*** SKIPPING the connection attempt as `nobody` in test/e2e/agent.test.ts: it needs root and setpriv (CI runs as root); the socket and folder modes are still checked ***\n");
}

describe.skipIf(!hasClientTool && !inCi)("git vault agent and the git-vault-textconv client", () => {
  let sb: Sandbox;
  let vault: string;
  let identityFile: string;
  let socket: string;
  /** The environment of a git with no identity of its own (only the agent may hold one). */
  let noIdentity: NodeJS.ProcessEnv;
  /** `git log -p` of the vault without any agent: the bytes every other way must print. */
  let reference: Buffer;
  /** The same without an identity: markers where values were. */
  let referenceNoIdentity: Buffer;
  /**
   * The reference without the blob whose textconv output holds a NUL byte,
   * which the client always leaves to `git-vault textconv` (a shell variable
   * cannot hold one): that one decrypts with the caller's own identity, so it
   * is left out where only the agent holds one.
   */
  const noNul = ["--", ".", ":(exclude).env.binary"];
  let referenceNoNul: Buffer;
  let referenceNoNulNoIdentity: Buffer;

  const vaultCmd = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = sb.vault(vault, args, { env });
    expect(r.status, `git-vault ${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  const agent = (...args: string[]) => vaultCmd(["agent", ...args]);
  const statusJson = (): { running: boolean; status: { pid: number; locked: boolean; answered: number; identity: string | null; cache: { entries: number; hits: number } } } =>
    JSON.parse(sb.vault(vault, ["agent", "status", "--json"]).stdout) as never;

  const gitBytes = (args: string[], env: NodeJS.ProcessEnv = {}): BytesResult => {
    const r = spawnSync("git", args, { cwd: vault, env: { ...sb.env, ...env }, input: "", maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
  };
  const logP = (env: NodeJS.ProcessEnv = {}, pathspec: string[] = []): Buffer => {
    const r = gitBytes(["log", "-p", "--all", ...pathspec], env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    return r.stdout;
  };
  const isAlive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waitFor = async (condition: () => boolean, seconds: number): Promise<boolean> => {
    for (const end = Date.now() + seconds * 1000; Date.now() < end; ) {
      if (condition()) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return condition();
  };
  const stopAgent = async (): Promise<void> => {
    const s = statusJson();
    if (!s.running) return;
    agent("stop");
    expect(await waitFor(() => !isAlive(s.status.pid), 20)).toBe(true);
  };

  // The set-up runs ~60 processes synchronously: yielding between steps lets
  // vitest's worker answer its runner on a busy machine.
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  beforeAll(async () => {
    sb = makeSandbox();
    ({ vault } = makeVaultHost(sb));
    identityFile = join(sb.env.XDG_CONFIG_HOME as string, "git-vault", "identity");
    socket = join(sb.home, ".cache", "git-vault", "agent", "agent.sock");
    noIdentity = { XDG_CONFIG_HOME: sb.dir("no-identity-config") };
    // A history: values changing over several commits, a recipient added
    // (every value re-encrypted), values of another identity only, and two
    // blobs that are not env files (one with a NUL byte, invalid UTF-8 and a
    // broken value; one with lines dotenv skips).
    for (let i = 1; i <= 6; i++) {
      sb.vault(vault, ["set", `KEY_${i}`, "--stdin"], { input: `value ${i} with "quotes" and #hash` });
      sb.vault(vault, ["set", "CHANGING", "--stdin"], { input: `revision-${i}\nsecond line` });
      sb.git(vault, "add", "-A");
      sb.git(vault, "commit", "-q", "--no-verify", "-m", `revision ${i}`); // the guard is not under test here
      await tick();
    }
    const other = join(sb.root, "other.key");
    const keygen = spawnSync("age-keygen", ["-o", other], { encoding: "utf8" });
    expect(keygen.status, keygen.stderr).toBe(0);
    const otherRecipient = /age1[0-9a-z]+/.exec(keygen.stderr)?.[0] as string;
    vaultCmd(["recipients", "add", otherRecipient, "--label", "other", "--reencrypt", "--yes"]);
    sb.git(vault, "commit", "-q", "--no-verify", "-am", "add a recipient");
    writeFileSync(join(vault, ".env.theirs"), `# git-vault v1\n# recipient: ${otherRecipient}\n\nTHEIRS=only theirs\n`);
    vaultCmd(["encrypt", "--file", join(vault, ".env.theirs")]);
    writeFileSync(join(vault, ".env.binary"), Buffer.concat([Buffer.from("not an env file\n\0\xff\xfe"), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from("K=encrypted:gv1:deadbeef:AAAA\n")]));
    writeFileSync(join(vault, ".env.broken"), "export\n  = nothing\nNO_EQUALS\n'unterminated=\nBAD=encrypted:gv1:00000000:!!!\nOK=plain\n\u00ff\n");
    sb.git(vault, "add", "-A");
    sb.git(vault, "commit", "-q", "--no-verify", "-m", "odd blobs"); // past the guard, as a careless commit would
    writeFileSync(join(vault, ".env.broken"), "export\nBAD=encrypted:gv1:00000001:AAAA\n");
    sb.git(vault, "commit", "-q", "--no-verify", "-am", "odd blobs, changed");

    await tick();
    reference = logP();
    await tick();
    referenceNoIdentity = logP(noIdentity);
    await tick();
    referenceNoNul = logP({}, noNul);
    await tick();
    referenceNoNulNoIdentity = logP(noIdentity, noNul);
    // What the reference shows, so that equal bytes below mean decrypted values.
    const text = reference.toString("utf8");
    expect(text).toMatch(/^\+CHANGING=.*revision-6/m);
    expect(text).toMatch(/^\+KEY_6=/m);
    expect(text).toContain("value 6 with");
    expect(text).toContain("[git-vault: not a recipient");
    expect(referenceNoIdentity.toString("utf8")).not.toContain("value 6 with");
    expect(referenceNoIdentity.toString("utf8")).toContain("[git-vault: encrypted, no identity");
  }, 300_000); // a busy 2-core machine: about 60 processes
  afterEach(async () => {
    await stopAgent();
  });
  afterAll(() => sb.cleanup());

  it("git log -p prints the same bytes with the agent, with its cache warm and cold, and without it", async () => {
    agent("start", "--cache-mib", "0");
    expect(logP()).toEqual(reference);
    const noCache = statusJson().status;
    expect(noCache.answered).toBeGreaterThan(10); // the agent answered (the NUL blob went to git-vault textconv)
    expect(noCache.cache.entries).toBe(0);
    await stopAgent();

    agent("start");
    expect(logP()).toEqual(reference);
    const cold = statusJson().status.cache;
    expect(cold.entries).toBeGreaterThan(10);
    expect(logP()).toEqual(reference);
    expect(statusJson().status.cache.hits).toBeGreaterThanOrEqual(cold.entries);
    // git diff of the worktree too, and nothing cached in git.
    writeFileSync(join(vault, ".env.dev"), readFileSync(join(vault, ".env.dev"), "utf8").replace(/^KEY_1=.*$/m, "KEY_1=plain now"));
    const withAgent = gitBytes(["diff"]);
    await stopAgent();
    const withoutAgent = gitBytes(["diff"]);
    sb.git(vault, "checkout", "--", ".env.dev");
    expect(withAgent.status).toBe(0);
    expect(withAgent.stdout).toEqual(withoutAgent.stdout);
    expect(withAgent.stdout.toString("utf8")).toMatch(/^-KEY_1=.*value 1 with/m);
    expect(sb.git(vault, "for-each-ref", "refs/notes/")).toBe("");
    expect(gitBytes(["config", "diff.git-vault.cachetextconv"]).status).toBe(1);
  });

  it("with socat instead of nc, and with neither, git log -p prints the same bytes", () => {
    agent("start", "--cache-mib", "0");
    // A PATH with git, git-vault and its client, and one socket tool or none.
    const pathWith = (tools: string[]): string => {
      const dir = sb.dir(`path-${tools.join("-") || "none"}`);
      for (const tool of ["git", "git-vault", "git-vault-textconv", ...tools]) {
        const found = spawnSync("sh", ["-c", `command -v ${tool}`], { env: sb.env, encoding: "utf8" }).stdout.trim();
        if (found !== "" && !existsSync(join(dir, tool))) symlinkSync(found, join(dir, tool));
      }
      return dir;
    };
    const before = statusJson().status.answered;
    if (spawnSync("sh", ["-c", "command -v socat"]).status === 0) {
      expect(logP({ PATH: pathWith(["socat"]) })).toEqual(reference);
      expect(statusJson().status.answered).toBeGreaterThan(before + 10); // socat reached the agent
    } else {
      console.warn("*** socat is not installed: only the no-tool fallback of the client is checked ***");
    }
    const viaSocat = statusJson().status.answered;
    expect(logP({ PATH: pathWith([]) })).toEqual(reference);
    expect(statusJson().status.answered).toBe(viaSocat); // no tool: every blob went to git-vault textconv
  });

  it("the agent's folder is 0700 and its socket 0600, both the user's own; core dumps are off", () => {
    const started = JSON.parse(agent("start", "--json").stdout) as { started: boolean; status: { pid: number; socket: string } };
    expect(started.started).toBe(true);
    expect(started.status.socket).toBe(socket);
    const folder = statSync(dirname(socket));
    const sock = statSync(socket);
    expect(sock.isSocket()).toBe(true);
    expect(folder.mode & 0o777).toBe(0o700);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(folder.uid).toBe(process.getuid?.());
    expect(sock.uid).toBe(process.getuid?.());
    const limits = readFileSync(`/proc/${started.status.pid}/limits`, "utf8");
    expect(limits).toMatch(/^Max core file size\s+0\s+0\s+bytes/m);
    // The key text never reaches the daemon's argv or environment.
    const key = readFileSync(identityFile, "utf8");
    expect(readFileSync(`/proc/${started.status.pid}/cmdline`, "utf8")).not.toContain("AGE-SECRET-KEY");
    expect(readFileSync(`/proc/${started.status.pid}/environ`, "utf8")).not.toContain(key.trim().split("\n").pop() as string);
  });

  it.skipIf(!canSwitchUser)("another user cannot connect: not through the folder, and not to the socket itself", () => {
    agent("start");
    // Let `nobody` walk up to the agent's folder: only its own modes stand in the way.
    for (let dir = dirname(dirname(socket)); dir.startsWith(sb.root); dir = dirname(dir)) chmodSync(dir, 0o755);
    const asNobody = () =>
      spawnSync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c", `printf 'status\\n\\n' | nc -U "$0" 2>&1; echo "exit=$?"`, socket], { encoding: "utf8" });
    const throughFolder = asNobody();
    expect(throughFolder.stdout).not.toMatch(/^ok /m);
    expect(throughFolder.stdout).toMatch(/Permission denied|exit=1/);
    // Even with the folder opened, the socket's 0600 refuses the connection.
    chmodSync(dirname(socket), 0o711);
    const toSocket = asNobody();
    chmodSync(dirname(socket), 0o700);
    expect(toSocket.stdout).not.toMatch(/^ok /m);
    expect(toSocket.stdout).toMatch(/Permission denied/);
    // The owner still gets answers.
    expect(spawnSync("sh", ["-c", `printf 'status\\n\\n' | nc -U "$0"`, socket], { encoding: "utf8" }).stdout).toMatch(/^ok \d+\n\{/);
  });

  it("SIGKILL of the agent in the middle of git log -p: git exits 0 with the same bytes; a later start replaces the stale socket", async () => {
    agent("start", "--cache-mib", "0");
    const pid = statusJson().status.pid;
    const child = spawn("git", ["log", "-p", "--all"], { cwd: vault, env: sb.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk);
      if (!killed) {
        killed = true;
        process.kill(pid, "SIGKILL");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(killed).toBe(true);
    expect(status, stderr).toBe(0);
    expect(Buffer.concat(out)).toEqual(reference);
    expect(await waitFor(() => !isAlive(pid), 10)).toBe(true);

    expect(existsSync(socket)).toBe(true); // SIGKILL left it behind
    const stale = sb.vault(vault, ["agent", "status"]);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toContain("stale socket");
    const started = JSON.parse(agent("start", "--json").stdout) as { started: boolean; replaced: string | null };
    expect(started).toMatchObject({ started: true, replaced: "stale-socket" });
    expect(logP()).toEqual(reference);
    expect(statusJson().status.answered).toBeGreaterThan(10);
  });

  it("a cut, refused or garbled answer is never printed: the client runs git-vault textconv", async () => {
    mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
    rmSync(socket, { force: true });
    const answers = ["ok 100000\nKEY_1=only the start", "ok 5\nabc.", "ok 3\nabc", "pass the caller uses another identity\n", "error no\n", "garbage", ""];
    let served = 0;
    const fake = createServer((conn) => {
      conn.once("data", () => {
        conn.end(answers[served++ % answers.length] ?? "");
      });
      conn.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => fake.listen(socket, resolve));
    try {
      const child = spawn("git", ["log", "-p", "--all"], { cwd: vault, env: sb.env, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(status).toBe(0);
      expect(served).toBeGreaterThan(answers.length);
      expect(Buffer.concat(out)).toEqual(reference);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it("after agent lock, values show only once the identity is loaded again", () => {
    // The identity reaches the agent only (GIT_VAULT_IDENTITY of `agent start`); git has none of its own.
    const key = readFileSync(identityFile, "utf8");
    vaultCmd(["agent", "start"], { ...noIdentity, GIT_VAULT_IDENTITY: key });
    expect(logP(noIdentity, noNul)).toEqual(referenceNoNul);
    expect(statusJson().status.cache.entries).toBeGreaterThan(0);

    agent("lock");
    const locked = statusJson().status;
    expect(locked).toMatchObject({ locked: true, identity: null });
    expect(locked.cache.entries).toBe(0);
    expect(logP(noIdentity, noNul)).toEqual(referenceNoNulNoIdentity);
    expect(statusJson().status.answered).toBeGreaterThan(locked.answered); // the locked agent answered, with markers

    const again = JSON.parse(sb.vault(vault, ["agent", "start", "--json"], { env: { ...noIdentity, GIT_VAULT_IDENTITY: key } }).stdout) as { replaced: string };
    expect(again.replaced).toBe("locked-agent");
    expect(logP(noIdentity, noNul)).toEqual(referenceNoNul);
  });

  it("notices a rotated identity file, and never answers one identity from another's cache", () => {
    const held = join(sb.root, "held.key");
    writeFileSync(held, readFileSync(identityFile), { mode: 0o600 });
    agent("start", "-i", held);
    expect(logP(noIdentity, noNul)).toEqual(referenceNoNul);
    const warm = statusJson().status.cache.entries;
    expect(warm).toBeGreaterThan(0);
    // Another key in its place: the same blobs, asked again, show markers, not cached values.
    const keygen = spawnSync("age-keygen", ["-o", `${held}.new`], { encoding: "utf8" });
    expect(keygen.status).toBe(0);
    rmSync(held);
    writeFileSync(held, readFileSync(`${held}.new`), { mode: 0o600 });
    const rotated = logP(noIdentity, noNul).toString("utf8");
    expect(rotated).not.toContain("value 6 with");
    expect(rotated).toContain("[git-vault: not a recipient");
    // The caller naming its own identity file is answered by git-vault textconv, with that file.
    const own = logP({ ...noIdentity, GIT_VAULT_IDENTITY_FILE: identityFile });
    expect(own).toEqual(reference);
  });

  it("run takes its values from an agent holding the caller's identity file, the same as decrypted locally; any other identity or agent problem decrypts locally", async () => {
    // What the child receives: the vault's keys and values (quotes, #, a two-line value).
    const printEnv = ["run", "--", process.execPath, "-e", "const e=process.env;process.stdout.write(JSON.stringify(Object.keys(e).filter((k)=>/^(KEY_|CHANGING)/.test(k)).sort().map((k)=>[k,e[k]])))"];
    const local = vaultCmd(printEnv).stdout;
    expect(local).toContain('value 6 with \\"quotes\\" and #hash');
    expect(local).toContain("revision-6\\nsecond line");
    const answered = () => statusJson().status.answered;

    agent("start", "--cache-mib", "0");
    let count = answered();
    expect(vaultCmd(printEnv).stdout).toBe(local);
    expect(answered()).toBe(count + 1); // the agent answered it
    count = answered();
    // The caller's own identity (GIT_VAULT_IDENTITY, or an identity file at another path): never the agent's.
    const key = readFileSync(identityFile, "utf8");
    expect(vaultCmd(printEnv, { GIT_VAULT_IDENTITY: key }).stdout).toBe(local);
    const copy = join(sb.root, "copy.key");
    writeFileSync(copy, key, { mode: 0o600 });
    expect(vaultCmd(printEnv, { GIT_VAULT_IDENTITY_FILE: copy }).stdout).toBe(local);
    const other = join(sb.root, "run-other.key");
    expect(spawnSync("age-keygen", ["-o", other]).status).toBe(0);
    const notMine = sb.vault(vault, printEnv, { env: { GIT_VAULT_IDENTITY_FILE: other } });
    expect(notMine.status).toBe(1);
    expect(notMine.stderr).toContain(".env.dev:");
    expect(notMine.stdout).toBe("");
    // --only decrypts just those values, here.
    expect(vaultCmd(["run", "--only", "KEY_1", ...printEnv.slice(1)]).stdout).toBe(JSON.stringify([["KEY_1", 'value 1 with "quotes" and #hash']]));
    expect(answered()).toBe(count);
    // A locked agent answers with markers: run decrypts here.
    agent("lock");
    expect(vaultCmd(printEnv).stdout).toBe(local);
    await stopAgent();

    // A cut, refused or garbled answer, or one that does not match the file: decrypted here, same values.
    mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
    rmSync(socket, { force: true });
    const lines = readFileSync(join(vault, ".env.dev"), "utf8");
    const wrong = lines.replace(/^KEY_1=/m, "KEY_X="); // another key: not this file's answer
    const answers = [`ok 100000\n${lines}`, `ok ${Buffer.byteLength(wrong)}\n${wrong}.`, "pass no\n", "error no\n", "garbage", ""];
    let served = 0;
    const fake = createServer((conn) => {
      conn.once("data", () => {
        conn.end(answers[served++] ?? "");
      });
      conn.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => fake.listen(socket, resolve));
    try {
      for (let i = 0; i < answers.length; i++) {
        // Asynchronously: this process serves the fake agent meanwhile.
        const child = spawn(process.execPath, [binPath, ...printEnv], { cwd: vault, env: sb.env, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        expect(await new Promise<number | null>((resolve) => child.on("close", resolve))).toBe(0);
        expect(Buffer.concat(out).toString("utf8"), `answer ${i}`).toBe(local);
      }
      expect(served).toBe(answers.length);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it("writes textconv's audit entries to the log of the caller, not of the agent; run through the agent adds only run's entry", () => {
    const ownLog = join(sb.env["XDG_STATE_HOME"] as string, "git-vault", "audit.jsonl");
    const commands = (log: string): string[] =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => (JSON.parse(line) as { command: string }).command)
        : [];
    agent("start", "--cache-mib", "0");
    const answered = () => statusJson().status.answered;
    const before = commands(ownLog);
    let count = answered();

    // A caller naming another log, and one with another state folder: git diff's textconv entries go there.
    const callerLog = join(sb.root, "caller-audit.jsonl");
    const otherState = sb.dir("caller-state");
    const expected = logP({}, ["--", ".env.dev"]);
    const answersPerRun = answered() - count;
    expect(answersPerRun).toBeGreaterThan(0);
    const perRun = commands(ownLog).length - before.length;
    expect(perRun).toBeGreaterThan(0);
    count = answered();
    expect(logP({ GIT_VAULT_AUDIT_LOG: callerLog }, ["--", ".env.dev"])).toEqual(expected);
    expect(logP({ XDG_STATE_HOME: otherState }, ["--", ".env.dev"])).toEqual(expected);
    expect(answered()).toBe(count + 2 * answersPerRun); // the agent answered each one
    expect(commands(callerLog)).toEqual(Array<string>(perRun).fill("textconv"));
    expect(commands(join(otherState, "git-vault", "audit.jsonl"))).toEqual(Array<string>(perRun).fill("textconv"));
    expect(commands(ownLog)).toHaveLength(before.length + perRun);

    // run: one entry, its own, though the agent decrypted the values.
    count = answered();
    const logged = commands(ownLog).length;
    vaultCmd(["run", "--", "true"]);
    expect(answered()).toBe(count + 1);
    expect(commands(ownLog).slice(logged)).toEqual(["run"]);
  });

  it("run through the agent hands the child exactly the values, also those textconv can only show as a JSON string", () => {
    // Each mixes all three quote characters with # or a backslash-n: dotenv syntax cannot hold them, and
    // textconv's JSON text for them also reads as a (different) double-quoted dotenv value.
    const values: Record<string, string> = { TRICKY_1: `p'w"d\`x#1`, TRICKY_2: `x\\n'"\`#`, TRICKY_3: `a\\"b'c\`` };
    for (const [key, value] of Object.entries(values)) {
      const r = sb.vault(vault, ["set", key, "--env", "tricky", "--stdin"], { input: value });
      expect(r.status, r.stderr).toBe(0);
    }
    const printEnv = ["run", "--env", "tricky", "--", process.execPath, "-e", "const e=process.env;process.stdout.write(JSON.stringify(Object.fromEntries(Object.keys(e).filter((k)=>k.startsWith('TRICKY_')).sort().map((k)=>[k,e[k]]))))"];
    const expected = JSON.stringify(values);
    expect(vaultCmd(printEnv).stdout).toBe(expected);
    agent("start", "--cache-mib", "0");
    const count = statusJson().status.answered;
    expect(vaultCmd(printEnv).stdout).toBe(expected);
    expect(statusJson().status.answered).toBe(count + 1); // the agent was asked
  });

  it("exits after its idle timeout, removing its socket", async () => {
    agent("start", "--timeout", "2s");
    const pid = statusJson().status.pid;
    expect(await waitFor(() => !isAlive(pid), 30)).toBe(true);
    expect(existsSync(socket)).toBe(false);
    expect(sb.vault(vault, ["agent", "status"]).status).toBe(1);
  });
});
