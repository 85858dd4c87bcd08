// The edges of the CLI's input and output, each found by exploratory testing:
// a reader that goes away early, an environment too large for exec, the
// hidden prompt on a real terminal, and a VALUE argument that is not UTF-8.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { binPath } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";
import { BASE64_ALPHABET, filler } from "../support/values.js";

const suite = cliSuite();
const { log, run, ok } = suite;


// ~400 KB, as a base64-encoded binary file would be: more than a pipe holds, more than one environment string.
const BIG = filler(400_000, 7, BASE64_ALPHABET);
let bigFile: string;

beforeAll(() => {
  suite.keygen();
  // The whole value is too long to search every stderr for; its head and tail stand for it.
  log.secret(BIG.slice(0, 64), "the head of BIG");
  log.secret(BIG.slice(-64), "the tail of BIG");
  bigFile = join(suite.work, "big.env");
  writeFileSync(join(suite.work, "big.txt"), BIG);
  ok(["set", "BIG", "--from-file", "big.txt", "--file", bigFile]);
  ok(["set", "SMALL", log.secret("small-secret-value"), "--file", bigFile]);
});

interface EarlyClose {
  /** Close the read end of stdout after this many bytes (0: before the CLI writes anything). */
  readonly stdoutAfter?: number;
  /** Close the read end of stderr before the CLI writes anything. */
  readonly closeStderr?: boolean;
}

/** Runs the CLI with a reader that goes away early; resolves with its status and what reached stderr. */
function runWithEarlyClose(args: string[], close: EarlyClose): Promise<{ status: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: suite.work, env: suite.sb.env, stdio: ["ignore", "pipe", "pipe"] });
    const err: Buffer[] = [];
    let seen = 0;
    if (close.stdoutAfter === 0) child.stdout.destroy();
    else {
      child.stdout.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= (close.stdoutAfter ?? Infinity)) child.stdout.destroy();
      });
    }
    if (close.closeStderr === true) child.stderr.destroy();
    else child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (status, signal) => {
      const stderr = Buffer.concat(err).toString("utf8");
      log.record(args, { status, stdout: "", stderr });
      resolve({ status, signal, stderr });
    });
  });
}

describe("a reader that goes away early", () => {
  it("get --reveal | head -c 5 exits 141 (128 + SIGPIPE) without a word", async () => {
    const r = await runWithEarlyClose(["get", "BIG", "--reveal", "--file", bigFile], { stdoutAfter: 5 });
    expect(r).toEqual({ status: 141, signal: null, stderr: "" });
  });

  it("decrypt | head -c 5 exits 141 without a word", async () => {
    const r = await runWithEarlyClose(["decrypt", "--file", bigFile], { stdoutAfter: 5 });
    expect(r).toEqual({ status: 141, signal: null, stderr: "" });
  });

  it("textconv (the fast path git runs for diffs) exits 141 without a word", async () => {
    const r = await runWithEarlyClose(["textconv", bigFile], { stdoutAfter: 5 });
    expect(r).toEqual({ status: 141, signal: null, stderr: "" });
  });

  it("a stdout closed before anything is written, even for a short value or --version, exits 141", async () => {
    expect((await runWithEarlyClose(["get", "SMALL", "--reveal", "--file", bigFile], { stdoutAfter: 0 })).status).toBe(141);
    expect((await runWithEarlyClose(["--version"], { stdoutAfter: 0 })).status).toBe(141);
  });

  it("a closed stderr exits 141 too, instead of crashing while reporting", async () => {
    const r = await runWithEarlyClose(["get", "NO_SUCH_KEY", "--file", bigFile], { closeStderr: true });
    expect(r.status).toBe(141);
  });

  it("through a real `head -c 5`, the same", () => {
    const r = spawnSync("bash", ["-c", '"$0" "$1" get BIG --reveal --file "$2" | head -c 5; exit "${PIPESTATUS[0]}"', process.execPath, binPath, bigFile], {
      cwd: suite.work,
      env: suite.sb.env,
      encoding: "utf8",
    });
    log.record(["get", "BIG", "--reveal", "| head -c 5"], { status: r.status, stdout: "", stderr: r.stderr });
    expect([r.status, r.stdout, r.stderr]).toEqual([141, BIG.slice(0, 5), ""]);
  });
});

describe.skipIf(process.platform !== "linux")("run with an environment too large for exec", () => {
  it("names the key, not the value, hints at --only, and starts nothing", () => {
    const marker = join(suite.work, "ran-big");
    const r = run(["run", "--file", bigFile, "--", "sh", "-c", `touch "${marker}"`]);
    expect(r.status).toBe(126);
    expect(r.stderr).toContain("error: cannot start the command: BIG is too large for an environment variable (KEY=value must stay under 128 KiB on Linux)\n");
    expect(r.stderr).toContain("--only");
    expect(r.stderr).not.toContain("SMALL");
    expect(r.stderr).not.toContain("bug");
    expect(existsSync(marker)).toBe(false);
  });

  it("--only without the big key runs the command", () => {
    const r = run(["run", "--file", bigFile, "--only", "SMALL", "--", "sh", "-c", 'printf %s "$SMALL"']);
    expect([r.status, r.stdout]).toEqual([0, "small-secret-value"]);
  });

  it("an environment too large in total (each value under the limit) is a clear error, not a bug report", () => {
    // 64 values of 120,000 bytes: 7.7 MB, over any Linux limit on argv + environment (at most 6 MB).
    const file = join(suite.work, "many.env");
    const values = Array.from({ length: 64 }, (_, i) => filler(120_000, 1000 + i, BASE64_ALPHABET));
    writeFileSync(file, values.map((v, i) => `K${i}=${v}\n`).join(""));
    log.secret(values[0]?.slice(0, 64) as string, "the head of K0");
    const marker = join(suite.work, "ran-many");
    const r = run(["run", "--file", file, "--", "sh", "-c", `touch "${marker}"`]);
    expect(r.status).toBe(126);
    expect(r.stderr).toContain("error: cannot start sh: its environment and arguments are too large for the system (E2BIG)\n");
    expect(r.stderr).not.toContain("bug");
    expect(existsSync(marker)).toBe(false);
  });
});

describe("a VALUE argument that is not UTF-8", () => {
  it("is refused with a usage error, not echoed, and nothing is written", () => {
    const file = join(suite.work, "argv.env");
    ok(["set", "FIRST", "first-value", "--file", file]);
    const before = readFileSync(file);
    const r = spawnSync("sh", ["-c", '"$0" "$1" set BIN "abc$(printf "\\377\\376")def" --file "$2"', process.execPath, binPath, file], {
      cwd: suite.work,
      env: suite.sb.env,
      encoding: "utf8",
    });
    log.record(["set", "BIN", "<bytes ff fe>"], { status: r.status, stdout: r.stdout, stderr: r.stderr });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the VALUE argument is not valid UTF-8 text (it contains U+FFFD)");
    expect(r.stderr).toContain("--stdin or --from-file");
    expect(r.stderr).not.toMatch(/abc|def|\uFFFD/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("a valid UTF-8 VALUE is still taken as given", () => {
    const file = join(suite.work, "argv.env");
    ok(["set", "TEXT", "grüße-\u{1F511}", "--file", file]);
    expect(ok(["get", "TEXT", "--reveal", "--file", file]).stdout).toBe("grüße-\u{1F511}\n");
  });
});

const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).stdout.includes("util-linux");

/** Runs `set KEY --file FILE` on a real terminal (util-linux script), typing `keys` once the prompt shows. */
function setOnTerminal(key: string, file: string, keys: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const command = `"${process.execPath}" "${binPath}" set ${key} --file "${file}"`;
    const child = spawn("script", ["-eqc", command, "/dev/null"], { cwd: suite.work, env: suite.sb.env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let typed = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (!typed && output.includes(`value for ${key}: `)) {
        typed = true;
        child.stdin.write(keys);
      }
    });
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      log.record(["set", key, "(on a terminal)"], { status, stdout: "", stderr: output });
      resolve({ status, output });
    });
  });
}

describe.skipIf(!hasScript)("the hidden prompt on a real terminal", () => {
  const file = (): string => join(suite.work, "tty.env");

  beforeAll(() => {
    ok(["set", "FIRST", "first-value", "--file", file()]);
  });

  it("stores what was typed, without arrow keys, control characters or erased text", async () => {
    const r = await setOnTerminal("TYPED", file(), "ab\u001b[Dc\u001bOA\td\u0015typed-\u001b[1;5Cvalue!\u007f\r");
    expect(r.status).toBe(0);
    expect(r.output).not.toContain("typed-value");
    expect(ok(["get", "TYPED", "--reveal", "--file", file()]).stdout).toBe("typed-value\n");
  });

  it("Ctrl-D with text typed ends the input", async () => {
    const r = await setOnTerminal("EOF_ENDS", file(), "until-eof\u0004ignored\r");
    expect(r.status).toBe(0);
    expect(ok(["get", "EOF_ENDS", "--reveal", "--file", file()]).stdout).toBe("until-eof\n");
  });

  it("Ctrl-D on an empty line cancels like Ctrl-C: exit 130, nothing written", async () => {
    const before = readFileSync(file());
    for (const keys of ["\u0004", "oops\u0003"]) {
      const r = await setOnTerminal("CANCELLED", file(), keys);
      expect(r.status).toBe(130);
      expect(r.output).toContain("cancelled");
      expect(readFileSync(file()).equals(before)).toBe(true);
    }
  });
});
