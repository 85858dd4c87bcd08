/**
 * The entry point: the only place that reads process.argv and sets the exit
 * code. `--version` and `--help` answer before any module is loaded: the help
 * text is rendered at build time (dist/help*.txt), so the commands most often
 * typed first cost no more than starting Node. `textconv FILE`, which git runs
 * once per blob in `git log -p`, goes straight to its use case without the
 * command-line framework.
 */
import { readFileSync } from "node:fs";
import { shouldColor } from "./cli/color.js";

declare const __GIT_VAULT_VERSION__: string | undefined;

const argv = process.argv.slice(2);
const only = argv.length === 1 ? argv[0] : undefined;

function prerenderedHelp(): string | null {
  const name = shouldColor(process.env, process.stdout.isTTY) ? "help-color.txt" : "help.txt";
  try {
    return readFileSync(new URL(name, import.meta.url), "utf8");
  } catch {
    return null; // running from source, or a build without it: render it below
  }
}

const context = {
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  clock: () => new Date(),
};

const help = only === "--help" || only === "-h" ? prerenderedHelp() : null;
const textconvFile = argv.length === 2 && argv[0] === "textconv" ? argv[1] : undefined;
if (only === "--version" || only === "-v") {
  process.stdout.write(`git-vault ${typeof __GIT_VAULT_VERSION__ === "string" ? __GIT_VAULT_VERSION__ : "0.0.0-dev"}\n`);
} else if (help !== null) {
  process.stdout.write(help);
} else if (textconvFile !== undefined) {
  const { textconvText } = await import("./app/textconv.js");
  process.stdout.write(await textconvText(context, textconvFile));
} else {
  const { runCli } = await import("./cli/index.js");
  process.exitCode = await runCli(argv, { ...context, colorDepth: 1, signals: process });
}
