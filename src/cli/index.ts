/** Builds the command-line interface and runs one invocation with a single top-level error handler. */
import { Builtins, Cli, Command } from "clipanion";
import { ExitCode } from "../errors.js";
import { VERSION } from "../version.js";
import { type CliContext, VaultCommand } from "./base.js";
import { commands } from "./commands/index.js";
import { withValueNames } from "./placeholders.js";
import { groupHelpRequest, subcommandProblem, unknownCommandText, unknownCommandWord, unknownOption, unknownOptionText } from "./suggest.js";
import { colorEnabled, reportError } from "./ui.js";


/** `git vault help`, as git users type it (git itself maps `--help` to the man page). */
class HelpWordCommand extends Builtins.HelpCommand {
  static override paths = [["help"]];
}

/**
 * The commands argv can reach: those whose path starts with argv[0] (every
 * command when none does, for help, suggestions and the man page). Clipanion
 * compiles a parser over every registered command on each run, which costs
 * more than most commands' own work.
 */
export function reachableCommands(argv: readonly string[]): typeof commands {
  const first = argv[0];
  // __man renders the definitions of every command.
  if (first === undefined || first === "__man") return commands;
  const matching = commands.filter((command) => command.paths.some((path) => path[0] === first));
  return matching.length > 0 ? matching : commands;
}

/** Clipanion's Cli, with option values named in every help and usage text it makes. */
class VaultCli extends Cli<CliContext> {
  override usage(...args: Parameters<Cli<CliContext>["usage"]>): string {
    return withValueNames(super.usage(...args));
  }

  override definitions(...args: Parameters<Cli<CliContext>["definitions"]>): ReturnType<Cli<CliContext>["definitions"]> {
    return super.definitions(...args).map((d) => ({
      ...d,
      usage: withValueNames(d.usage),
      options: d.options.map((o) => ({ ...o, definition: withValueNames(o.definition) })),
    }));
  }
}

/** The configured clipanion Cli with the commands argv can reach (all without argv). */
export function buildCli(enableColors: boolean, argv: readonly string[] = []): Cli<CliContext> {
  const cli = new VaultCli({ binaryLabel: "git-vault", binaryName: "git vault", binaryVersion: VERSION, enableCapture: false, enableColors });
  for (const command of reachableCommands(argv)) cli.register(command);
  cli.register(Builtins.HelpCommand);
  cli.register(HelpWordCommand);
  cli.register(Builtins.VersionCommand);
  return cli;
}

/**
 * A usage error without the parts that repeat the command line: clipanion
 * quotes the whole argv ("While running …") and the offending token, and a
 * positional secret value would land on stderr.
 */
export function usageErrorText(error: unknown, argv: readonly string[] = [], optionNames: ReadonlySet<string> = new Set()): string {
  const message = error instanceof Error ? error.message : String(error);
  let kept = message.split(/\n+While running/)[0] ?? message;
  // Clipanion says "Command not found" when a known command gets an option it
  // does not have before a value, or more positional arguments than it takes
  // (`set KEY two words`).
  const command = argv[0];
  if (command !== undefined && /^Command not found/.test(kept) && commands.some((c) => c.paths.some((p) => p.length === 1 && p[0] === command))) {
    const option = unknownOption(argv.slice(1), optionNames);
    const what = option !== null ? unknownOptionText(option, command, optionNames) : `too many arguments for \`git vault ${command}\` (quote a value that has spaces)`;
    kept = kept.replace(/^Command not found; did you mean one of:/, `${what}; its usage:`);
  }
  // A quoted `--long-option` is named; any other quoted token could be a value and is dropped.
  const named = kept.replace(/ \("([^"]*)"\)/g, (_m, token: string) => (/^--[A-Za-z][A-Za-z0-9-]{0,40}$/.test(token) ? ` ${token}` : ""));
  const lines = [...new Set(named.split("\n").map((l) => l.replace(/^\s*\d+\. /, "  ")))];
  return `usage error: ${withValueNames(lines.join("\n").trim())}\nhint: see \`git vault --help\` or \`git vault <command> --help\`\n`;
}

/** The option names (`--file`, `-f`, …) of the one-word command `command`. */
function optionNamesOf(cli: Cli<CliContext>, command: string | undefined): Set<string> {
  const definition = cli.definitions().find((d) => d.path === `${cli.binaryName} ${command ?? ""}`);
  const names = definition?.options.flatMap((o) => o.definition.split(/[ ,]/).filter((t) => t.startsWith("-"))) ?? [];
  return new Set(["--help", "-h", ...names]);
}

/** Runs argv and returns the exit code: 0 ok, 1 failure, 2 usage, 128 not in a repo. */
export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const words = new Set(["help", ...commands.flatMap((command) => command.paths.map((path) => path[0] ?? ""))]);
  const unknown = unknownCommandWord(argv, words);
  if (unknown !== null) {
    context.stderr.write(unknownCommandText(unknown, words));
    return ExitCode.usage;
  }
  const paths = commands.flatMap((command) => command.paths);
  const subcommand = subcommandProblem(argv, paths);
  if (subcommand !== null) {
    context.stderr.write(subcommand);
    return ExitCode.usage;
  }
  const cli = buildCli(colorEnabled(context, context.stdout), argv);
  const group = groupHelpRequest(argv, paths);
  if (group !== null) {
    // `git vault keys --help`: the synopsis of each command of the group.
    const members = commands.filter((command) => command.paths.some((p) => p.length === 2 && p[0] === group));
    const entries = members.map((command) => `${cli.usage(command, { colored: cli.enableColors })}  ${command.usage?.description ?? ""}\n`);
    context.stdout.write(`${entries.join("\n")}\nhint: \`git vault ${group} <command> --help\` for one command in full\n`);
    return ExitCode.ok;
  }
  let command: Command<CliContext>;
  try {
    command = cli.process(argv, context);
  } catch (error) {
    context.stderr.write(usageErrorText(error, argv, optionNamesOf(cli, argv[0])));
    return ExitCode.usage;
  }
  // Help, version and clipanion's own help-for-a-command go through clipanion.
  if (command.help || !(command instanceof VaultCommand)) return cli.run(command, context);
  // Use cases ask through the context (trust changes); the prompt module loads only when one does.
  command.context = { ...context, ask: async (question) => (await import("./prompt.js")).askYesNo(context, question) };
  // The same view of the Cli that clipanion's own run() gives a command.
  command.cli = {
    binaryLabel: cli.binaryLabel,
    binaryName: cli.binaryName,
    binaryVersion: cli.binaryVersion,
    enableCapture: cli.enableCapture,
    enableColors: cli.enableColors,
    definitions: () => cli.definitions(),
    error: (error, opts) => cli.error(error, opts),
    format: (colored) => cli.format(colored),
    process: (input, subContext) => cli.process(input, { ...context, ...subContext }),
    run: (input, subContext) => cli.run(input, { ...context, ...subContext }),
    usage: (target, opts) => cli.usage(target, opts),
  };
  try {
    return await command.validateAndExecute();
  } catch (error) {
    return reportError(context, error);
  }
}
