// `run --as-files`: secrets as 0400 files in a 0700 folder on a real tmpfs
// (/dev/shm here; $XDG_RUNTIME_DIR when it is one), KEY_FILE in the child's
// environment, and no file left after the child exits, after SIGTERM to
// git-vault, and after SIGKILL followed by the next run.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { binPath } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;

const PW = log.secret("db-password-as-file-secret");
const TLS = log.secret("-----BEGIN PRIVATE KEY-----\ntls-key-body-secret\n-----END PRIVATE KEY-----\n");
const onLinux = process.platform === "linux";
const shmIsTmpfs = onLinux && spawnSync("stat", ["-f", "-c", "%T", "/dev/shm"], { encoding: "utf8" }).stdout.trim() === "tmpfs";
let host: string;

beforeAll(() => {
  suite.keygen();
  host = suite.sb.repo("host");
  ok(["init", "--no-submodule"], {}, host);
  writeFileSync(join(host, ".git-vaultrc.yaml"), 'secrets:\n  DB_PASSWORD: {}\n  TLS_KEY: { file: { path: tls/server.key, mode: "0440" } }\n');
  ok(["set", "DB_PASSWORD", "--stdin"], { input: PW }, host);
  writeFileSync(join(suite.work, "tls"), TLS);
  ok(["set", "TLS_KEY", "--from-file", join(suite.work, "tls")], {}, host);
});

/** Starts `git vault run --as-files -- sh -c SCRIPT` and resolves with the first line it prints. */
function startLong(script: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [binPath, "run", "--as-files", "--", "sh", "-c", script], { cwd: host, env: suite.sb.env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl !== -1) resolve({ child, line: out.slice(0, nl) });
    });
    child.once("exit", (code) => reject(new Error(`exited early (${code})`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

it.runIf(!shmIsTmpfs)("needs /dev/shm on a tmpfs (Linux)", () => {
  if (process.env["CI"] !== undefined) throw new Error("/dev/shm is not a tmpfs in CI: run --as-files cannot be tested");
  console.warn("SKIPPED: run --as-files tests need /dev/shm on a tmpfs (Linux)");
});

describe.skipIf(!shmIsTmpfs)("run --as-files on /dev/shm", () => {
  it("the child reads the value from $KEY_FILE; folder 0700, files 0400 (or the manifest's mode), on a tmpfs, values not in its environment", () => {
    const r = ok(["run", "--as-files", "--", "sh", "-c", 'cat "$DB_PASSWORD_FILE"'], {}, host);
    expect(r.stdout).toBe(PW);
    const info = ok(
      ["run", "--as-files", "--", "sh", "-c", 'echo "$DB_PASSWORD_FILE"; echo "$TLS_KEY_FILE"; stat -c %a "$(dirname "$DB_PASSWORD_FILE")" "$DB_PASSWORD_FILE" "$TLS_KEY_FILE"; stat -f -c %T "$DB_PASSWORD_FILE"; env | grep -c db-password-as-file || true'],
      {},
      host,
    ).stdout.split("\n");
    const [pwPath, tlsPath, dirMode, pwMode, tlsMode, fsType, inEnv] = info;
    expect(pwPath).toMatch(/^\/dev\/shm\/git-vault-\d+\/run-\d+-\d+-[0-9a-f]{8}\/DB_PASSWORD$/);
    expect(tlsPath).toBe(join(dirname(pwPath as string), "tls", "server.key"));
    expect([dirMode, pwMode, tlsMode, fsType, inEnv]).toEqual(["700", "400", "440", "tmpfs", "0"]);
    expect(existsSync(dirname(pwPath as string))).toBe(false);
    expect(ok(["run", "--as-files", "--only", "TLS_KEY", "--", "sh", "-c", 'cat "$TLS_KEY_FILE"'], {}, host).stdout).toBe(TLS);
  });

  it("a key named . or .. (which names a folder, not a file) is refused before anything is written, naming the key", () => {
    ok(["set", "..", "--env", "dots", "--stdin"], { input: log.secret("dot-dot-value-3e1") }, host);
    const r = run(["run", "--env", "dots", "--only", "..", "--as-files", "--", "true"], {}, host);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: vault/.env.dots: .. cannot be the name of its file (. and .. name folders)\nhint: give it a file.path in");
    expect(r.stderr).not.toContain("EEXIST");
  });

  it("the folder is removed when the command fails too, and its exit code is returned", () => {
    const r = run(["run", "--as-files", "--", "sh", "-c", 'echo "$DB_PASSWORD_FILE"; exit 7'], {}, host);
    expect(r.status).toBe(7);
    expect(existsSync(r.stdout.trim())).toBe(false);
  });

  it("$XDG_RUNTIME_DIR that is not a tmpfs is passed over for /dev/shm", () => {
    const notTmpfs = suite.sb.dir("runtime-on-disk");
    const r = ok(["run", "--as-files", "--", "sh", "-c", 'echo "$DB_PASSWORD_FILE"'], { env: { XDG_RUNTIME_DIR: notTmpfs } }, host);
    expect(r.stdout).toMatch(/^\/dev\/shm\//);
    expect(readdirSync(notTmpfs)).toEqual([]);
  });

  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)("after %s to git-vault no secret file remains", async (signal) => {
    const { child, line } = await startLong('echo "$DB_PASSWORD_FILE"; exec sleep 30');
    expect(existsSync(line)).toBe(true);
    child.kill(signal);
    await exited(child);
    expect(existsSync(dirname(line))).toBe(false);
  });

  it("after SIGKILL to git-vault the folder is left, and the next run removes it", async () => {
    const { child, line } = await startLong('echo "$DB_PASSWORD_FILE"; echo $$ >&2; exec sleep 30');
    let sleeper = "";
    child.stderr?.on("data", (chunk: Buffer) => (sleeper += chunk.toString("utf8")));
    child.kill("SIGKILL");
    await exited(child);
    expect(existsSync(line)).toBe(true);
    const pid = Number(sleeper.trim());
    if (pid > 0) process.kill(pid, "SIGTERM");
    ok(["run", "--", "true"], {}, host);
    expect(existsSync(dirname(line))).toBe(false);
  });

  it("a run folder of a live git-vault is not swept by another run", async () => {
    const { child, line } = await startLong('echo "$DB_PASSWORD_FILE"; exec sleep 30');
    ok(["run", "--", "true"], {}, host);
    expect(existsSync(line)).toBe(true);
    child.kill("SIGTERM");
    await exited(child);
    expect(existsSync(dirname(line))).toBe(false);
  });

  it("$XDG_RUNTIME_DIR on a tmpfs is used; a files folder there that others can enter is refused", () => {
    const runtime = mkdtempSync("/dev/shm/git-vault-e2e-runtime-");
    try {
      const r = ok(["run", "--as-files", "--", "sh", "-c", 'echo "$DB_PASSWORD_FILE"'], { env: { XDG_RUNTIME_DIR: runtime } }, host);
      expect(r.stdout.startsWith(`${runtime}/git-vault-`)).toBe(true);
      const base = dirname(dirname(r.stdout.trim()));
      chmodSync(base, 0o777);
      const refused = run(["run", "--as-files", "--", "true"], { env: { XDG_RUNTIME_DIR: runtime } }, host);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`error: ${base} is not a private folder of this user (a link, someone else's, or open to others)`);
    } finally {
      rmSync(runtime, { recursive: true, force: true });
    }
  });
});
