// `git vault run` at the edges found by exploratory testing: values exec
// cannot carry, commands that cannot start, signals on a real terminal, a
// terminal that hangs up, and core dumps through the installed launcher.
import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Encrypter } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { binPath, repoRoot } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const onLinux = process.platform === "linux";
const terminalPy = join(repoRoot, "test", "support", "terminal.py");
const countSignalsPy = join(repoRoot, "test", "support", "count-signals.py");

let recipient: string;
let file: string;

beforeAll(() => {
  recipient = suite.keygen().recipient;
  file = join(suite.work, "app.env");
  ok(["set", "TOKEN", log.secret("run-token-secret-value"), "--file", file]);
});

describe("a value holding a NUL byte", () => {
  // Halves a leak would show on either side of the NUL (Node's own error printed them as 'head\x00tail').
  const head = "nul-head-secret";
  const tail = "nul-tail-secret";
  let nulFile: string;

  beforeAll(async () => {
    log.secret(head, "the part of NULV before its NUL");
    log.secret(tail, "the part of NULV after its NUL");
    nulFile = join(suite.work, "nul.env");
    ok(["set", "OTHER", log.secret("other-secret-value"), "--file", nulFile]);
    // Encrypted the way `set` does it (payload KEY=value), so that the value is only seen once decrypted.
    const fingerprint = /encrypted:gv1:([0-9a-f]{8}):/.exec(readFileSync(nulFile, "utf8"))?.[1] as string;
    const encrypter = new Encrypter();
    encrypter.addRecipient(recipient);
    const ageFile = await encrypter.encrypt(`NULV=${head}\0${tail}`);
    appendFileSync(nulFile, `NULV=encrypted:gv1:${fingerprint}:${Buffer.from(ageFile).toString("base64")}\n`);
  });

  it("is refused before anything starts, naming file, line and key, never the value (exit 126)", () => {
    const marker = join(suite.work, "ran-nul");
    const r = run(["run", "--file", nulFile, "--", "sh", "-c", `touch "${marker}"`]);
    expect(r.status).toBe(126);
    expect(r.stderr).toMatch(/^error: cannot start the command: nul\.env:5: NULV holds a NUL byte, which no environment variable can hold\n/);
    expect(r.stderr).toContain("hint: leave it out with --only KEY,KEY");
    expect(r.stderr).not.toContain("OTHER");
    expect(r.stderr).not.toMatch(/internal error|bug/);
    expect(existsSync(marker)).toBe(false);
  });

  it("a plaintext value with a NUL byte too", () => {
    const plain = join(suite.work, "nul-plain.env");
    writeFileSync(plain, `PLAIN=${head}\0${tail}\n`);
    const r = run(["run", "--file", plain, "--", "true"]);
    expect(r.status).toBe(126);
    expect(r.stderr).toMatch(/nul-plain\.env:1: PLAIN holds a NUL byte/);
  });

  it("--only without it runs the command with the other values", () => {
    const r = run(["run", "--file", nulFile, "--only", "OTHER", "--", "sh", "-c", 'printf %s "$OTHER"']);
    expect([r.status, r.stdout]).toEqual([0, "other-secret-value"]);
  });
});

describe("a command that cannot start", () => {
  it("an empty command name is a usage error (exit 2), not a bug", () => {
    const r = run(["run", "--file", file, "--", ""]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: empty command name\n");
    expect(r.stderr).not.toMatch(/internal error|bug/);
  });

  it("a script whose #! interpreter is missing is not 'command not found': exit 126, naming the interpreter", () => {
    writeFileSync(join(suite.work, "bad-interp.sh"), "#!/nonexistent/interp\necho hi\n");
    chmodSync(join(suite.work, "bad-interp.sh"), 0o755);
    const r = run(["run", "--file", file, "--", "./bad-interp.sh"]);
    expect(r.status).toBe(126);
    expect(r.stderr).toContain("error: cannot run ./bad-interp.sh: its interpreter /nonexistent/interp was not found\n");
    expect(r.stderr).not.toContain("command not found");
  });

  it("the same script found on PATH is named with where it was found", () => {
    const bin = suite.sb.dir("path-bin");
    writeFileSync(join(bin, "bad-interp-on-path"), "#!/nonexistent/interp\n", { mode: 0o755 });
    const r = run(["run", "--file", file, "--", "bad-interp-on-path"], { env: { PATH: `${bin}:${suite.sb.env["PATH"] ?? ""}` } });
    expect(r.status).toBe(126);
    expect(r.stderr).toContain(`error: cannot run bad-interp-on-path (${join(bin, "bad-interp-on-path")}): its interpreter /nonexistent/interp was not found\n`);
  });

  it("a command that does not exist is still 'command not found' (exit 127)", () => {
    const r = run(["run", "--file", file, "--", "./no-such-program"]);
    expect(r.status).toBe(127);
    expect(r.stderr).toContain("error: command not found: ./no-such-program\n");
  });
});

interface TerminalRun {
  readonly output: string;
  readonly status: number;
}

/** `git vault run --file FILE -- CMD…` driven by test/support/terminal.py in `mode`; output is the terminal's (stdout and stderr). */
function onTerminal(mode: "keys" | "background" | "detached" | "hangup", command: string[]): TerminalRun {
  const args = ["run", "--file", file, "--", ...command];
  const r = spawnSync("python3", [terminalPy, mode, "--", process.execPath, binPath, ...args], {
    cwd: suite.work,
    env: suite.sb.env,
    encoding: "utf8",
    timeout: 30_000,
  });
  const result = JSON.parse(r.stdout || "null") as TerminalRun | null;
  log.record([...args, `(terminal.py ${mode})`], { status: result?.status ?? null, stdout: "", stderr: `${result?.output ?? ""}${r.stderr}` });
  if (result === null) throw new Error(`terminal.py ${mode} failed: ${r.stderr}`);
  return result;
}

describe.skipIf(!onLinux || !hasPython)("signals on a real terminal", () => {
  const countSignals = ["python3", countSignalsPy];

  it("one Ctrl-C (and one Ctrl-\\) on the terminal is one SIGINT (one SIGQUIT) for the command, not two", () => {
    const r = onTerminal("keys", countSignals);
    expect(r.output).toContain("SIGINT=1 SIGQUIT=1\n");
    expect(r.status).toBe(0);
  });

  it("kill -INT (and -QUIT) sent to git-vault alone reaches the command when git-vault has no terminal", () => {
    const r = onTerminal("detached", countSignals);
    expect(r.output).toContain("SIGINT=1 SIGQUIT=1\n");
    expect(r.status).toBe(0);
  });

  it("… and when it runs on a terminal in a background process group", () => {
    const r = onTerminal("background", countSignals);
    expect(r.output).toContain("SIGINT=1 SIGQUIT=1\n");
    expect(r.status).toBe(0);
  });
});

describe.skipIf(!onLinux || !hasPython)("a terminal that hangs up while run waits", () => {
  it("git-vault forwards SIGHUP and ends with the command's status, 129, without aborting", () => {
    const r = onTerminal("hangup", ["sh", "-c", "echo ready $$; exec sleep 20"]);
    expect(r.status).toBe(129);
  });

  it("a command that handles SIGHUP and exits 7 gives 7", () => {
    const marker = join(suite.work, "got-hup");
    const r = onTerminal("hangup", ["sh", "-c", `trap 'kill $! 2>/dev/null; touch "${marker}"; exit 7' HUP; echo ready $$; sleep 20 & wait`]);
    expect(r.status).toBe(7);
    expect(existsSync(marker)).toBe(true);
  });
});

describe.skipIf(!onLinux)("core dumps through the installed launcher (install.sh)", () => {
  // Only meaningful where the core size limit can be raised: otherwise it is 0 whatever the launcher does.
  const hardLimit = spawnSync("sh", ["-c", "ulimit -H -c"], { encoding: "utf8" }).stdout.trim();

  it.skipIf(hardLimit === "0")("git-vault runs with a core size limit of 0, which the command may raise again", () => {
    const prefix = suite.sb.dir("prefix");
    const install = spawnSync(join(repoRoot, "install.sh"), ["--prefix", prefix, "--no-build"], { cwd: repoRoot, env: suite.sb.env, encoding: "utf8" });
    expect(install.status, install.stderr).toBe(0);
    const launcher = join(prefix, "bin", "git-vault");
    expect(readFileSync(launcher, "utf8")).toContain("ulimit -S -c 0");
    // From a shell whose own limit is not 0: $PPID of the command is git-vault (node, which the launcher exec'd).
    const command = `ulimit -S -c ${hardLimit}; exec "$0" run --file "$1" -- sh -c 'grep "^Max core file size" /proc/$PPID/limits; ulimit -S -c ${hardLimit} && echo raised'`;
    const r = spawnSync("sh", ["-c", command, launcher, file], { cwd: suite.work, env: suite.sb.env, encoding: "utf8" });
    log.record(["run", "(installed launcher)"], { status: r.status, stdout: r.stdout, stderr: r.stderr });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Max core file size\s+0\s+\S+\s+bytes\s*\nraised\n$/);
  });
});
