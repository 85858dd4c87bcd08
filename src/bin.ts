/**
 * The entry point (built as CommonJS, dist/bin.cjs, because a CommonJS entry
 * starts faster than an ES module): the only place that reads process.argv
 * and sets the exit code. `--version` and `--help` answer before anything
 * else is loaded: the help text is rendered at build time (dist/help*.txt),
 * so the commands most often typed first cost no more than starting Node.
 * `textconv FILE`, which git runs once per blob in `git log -p`, loads one
 * CommonJS bundle of its use case (dist/textconv.cjs) and not the CLI.
 * Everything else requires the program (dist/cli.cjs). Both come with the
 * V8 code cache the build made for them.
 */
import { closeSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { shouldColor } from "./cli/color.js";
import { ExitCode } from "./errors.js";

declare const __GIT_VAULT_VERSION__: string | undefined;

/**
 * A reader that went away (`git vault decrypt | head`) is not an error: exit at
 * once, silently, with the status a shell reports for a process killed by
 * SIGPIPE, as git and coreutils do. Node ignores SIGPIPE, so the write fails
 * with EPIPE instead, which without a listener crashes with a stack trace.
 */
function exitQuietlyWhenClosed(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(ExitCode.closedPipe);
  });
}
exitQuietlyWhenClosed(process.stdout);
exitQuietlyWhenClosed(process.stderr);

/**
 * At exit Node restores the terminal settings of stdin, stdout and stderr, and
 * Node 20 aborts (SIGABRT, a core file) when that fails, as it does on a
 * terminal that hung up while `run` waited for its command (nodejs/node#51519).
 * A descriptor that was a terminal and is one no longer is closed: Node then
 * skips it. Nothing more is written to a terminal that is gone.
 */
function closeHungUpTerminals(wereTerminals: readonly number[], isatty: (fd: number) => boolean): void {
  for (const fd of wereTerminals) {
    if (!isatty(fd)) closeSync(fd);
  }
}

const argv = process.argv.slice(2);
const only = argv.length === 1 ? argv[0] : undefined;

function prerenderedHelp(): string | null {
  const name = shouldColor(process.env, process.stdout.isTTY) ? "help-color.txt" : "help.txt";
  try {
    return readFileSync(join(dirname(realpathSync(process.argv[1] ?? "")), name), "utf8");
  } catch {
    return null; // a build without it: render it below
  }
}

// stdin is a getter: Node sets the stream up on first use, and textconv never reads it.
const context = {
  cwd: process.cwd(),
  env: process.env,
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  clock: () => new Date(),
};

/**
 * Requires dist/NAME.cjs with the V8 code cache the build made for it
 * (dist/NAME.ccache). The loader is required here, not imported above, so
 * --version and --help do not load node:vm.
 */
function requireBundle(name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { requireWithCodeCache } = require("./launcher/code-cache.mjs") as typeof import("./launcher/code-cache.mjs");
  return requireWithCodeCache(join(__dirname, `${name}.cjs`), join(__dirname, `${name}.ccache`));
}

const help = only === "--help" || only === "-h" ? prerenderedHelp() : null;
if (only === "--version" || only === "-v") {
  process.stdout.write(`git-vault ${typeof __GIT_VAULT_VERSION__ === "string" ? __GIT_VAULT_VERSION__ : "0.0.0-dev"}\n`);
} else if (help !== null) {
  process.stdout.write(help);
} else if (argv.length === 2 && argv[0] === "textconv" && argv[1] !== undefined && !argv[1].startsWith("-")) {
  // (`textconv --help` goes to the CLI: git always passes a path, never an option.)
  const path = argv[1];
  // A separate bundle: the same use case as `git vault textconv`, without the CLI.
  const { textconvText } = requireBundle("textconv") as typeof import("./app/textconv.js");
  void textconvText(context, path).then((text) => process.stdout.write(text));
} else {
  // The program (src/main.ts).
  // node:tty is required here, not imported above: it loads Node's stream modules, which --version does not need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isatty } = require("node:tty") as typeof import("node:tty");
  const terminals = [0, 1, 2].filter((fd) => isatty(fd));
  const { main } = requireBundle("cli") as typeof import("./main.js");
  void main(argv, context, process).then((code) => {
    process.exitCode = code;
    closeHungUpTerminals(terminals, isatty);
  });
}
