/**
 * The entry point: the only place that reads process.argv and sets the exit
 * code. `--version` answers before anything else is loaded.
 */
import { VERSION } from "./version.js";

const argv = process.argv.slice(2);

if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(`git-vault ${VERSION}\n`);
} else {
  const { runCli } = await import("./cli/index.js");
  process.exitCode = await runCli(argv, {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    colorDepth: 1,
    clock: () => new Date(),
    signals: process,
  });
}
