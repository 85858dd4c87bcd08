/**
 * Starting a long-running helper (the agent): detached from the terminal in a
 * session of its own, core dumps off before it starts (it holds keys and
 * decrypted values; Node has no setrlimit), stdin fed `input` then closed,
 * and its first line of output awaited as its word that it is ready.
 */
import { spawn } from "node:child_process";

/** How a daemon start went: its first line (`ready …` or why not), or null when it wrote none. */
export interface DaemonStart {
  readonly pid: number | undefined;
  readonly firstLine: string | null;
}

/** Starts `argv` as a daemon and waits (at most `timeoutMs`) for the first line it prints. */
export function startDaemon(argv: readonly string[], options: { env: Record<string, string | undefined>; input: string; timeoutMs: number }): Promise<DaemonStart> {
  // `ulimit -c 0` sets both limits in sh: the daemon cannot raise them again.
  const child = spawn("/bin/sh", ["-c", 'ulimit -c 0 && exec "$@"', "git-vault-agent", ...argv], {
    cwd: "/",
    env: options.env,
    detached: true,
    stdio: ["pipe", "pipe", "ignore"],
  });
  return new Promise((resolve) => {
    let output = "";
    let settled = false;
    const settle = (firstLine: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.destroy();
      child.unref();
      resolve({ pid: child.pid, firstLine });
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle(null);
    }, options.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const nl = output.indexOf("\n");
      if (nl !== -1) settle(output.slice(0, nl));
    });
    child.on("error", () => { settle(null); });
    child.on("exit", () => { settle(output === "" ? null : output); });
    child.stdin.on("error", () => undefined); // a daemon that exits at once closes it first
    child.stdin.end(options.input);
  });
}
