/**
 * An unknown command word, answered the way git answers `git stauts`: name
 * it and suggest the commands it is close to, instead of clipanion's list of
 * every command.
 */
import { distance } from "fastest-levenshtein";

/** At most this many edits, and at most one per two letters typed, make a command worth offering. */
const MAX_EDITS = 2;

/**
 * The first argument when it is meant as a command (not an option) and no
 * command starts with it; null otherwise.
 */
export function unknownCommandWord(argv: readonly string[], words: ReadonlySet<string>): string | null {
  const first = argv[0];
  if (first === undefined || first.startsWith("-") || words.has(first)) return null;
  return first;
}

/** The commands `word` is probably a misspelling or the start of, closest first. */
export function similarCommands(word: string, words: Iterable<string>): string[] {
  const scored: Array<[string, number]> = [];
  const limit = Math.min(MAX_EDITS, Math.floor(word.length / 2));
  for (const candidate of words) {
    if (candidate.startsWith("_")) continue; // internal commands
    const edits = distance(word.toLowerCase(), candidate);
    if (edits <= limit || (word.length >= 2 && candidate.startsWith(word))) scored.push([candidate, edits]);
  }
  return scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([candidate]) => candidate);
}

/**
 * Only a word that looks like a command name is quoted back, as git does
 * (`'stauts' is not a git command`); argv can hold a secret, so anything
 * longer, with other characters, or shaped like a private key is not.
 */
function isQuotable(word: string): boolean {
  return /^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(word) && !/^AGE-SECRET-KEY-/i.test(word);
}

/** `--help` or `-h`. */
export function isHelpFlag(word: string | undefined): boolean {
  return word === "--help" || word === "-h";
}

/** The command group argv asks help for (`git vault keys --help`), or null. */
export function groupHelpRequest(argv: readonly string[], paths: readonly (readonly string[])[]): string | null {
  const group = argv[0];
  if (group === undefined || !isHelpFlag(argv[1]) || argv.length !== 2) return null;
  return paths.some((p) => p.length === 2 && p[0] === group) ? group : null;
}

/** The message for an unknown command word. */
export function unknownCommandText(word: string, words: Iterable<string>): string {
  const shown = isQuotable(word) ? `'${word}' is not a git-vault command` : "unknown command";
  const similar = similarCommands(word, words);
  const suggestion = similar.length === 0 ? "" : `did you mean: ${similar.join(", ")}?\n`;
  return `usage error: ${shown}\n${suggestion}hint: see \`git vault --help\` for the commands\n`;
}

/**
 * For a command group (`keys`, `hooks`, `recipients`): the message when argv
 * names no subcommand of it, or one it does not have; null when argv is fine
 * or not a group. `paths` are the command paths (`["keys", "show"]`, …).
 */
export function subcommandProblem(argv: readonly string[], paths: readonly (readonly string[])[]): string | null {
  const group = argv[0];
  if (group === undefined) return null;
  const subcommands = paths.filter((p) => p.length === 2 && p[0] === group).map((p) => p[1] as string);
  if (subcommands.length === 0) return null;
  const word = argv[1];
  const bareAllowed = paths.some((p) => p.length === 1 && p[0] === group);
  const list = `the ${group} commands: ${subcommands.join(", ")}`;
  if (word === undefined || word.startsWith("-")) {
    if (bareAllowed || isHelpFlag(word)) return null;
    return `usage error: \`git vault ${group}\` needs a command\n${list}\nhint: see \`git vault ${group} <command> --help\`\n`;
  }
  if (subcommands.includes(word)) return null;
  const shown = isQuotable(word) ? `'${word}' is not a \`git vault ${group}\` command` : `unknown \`git vault ${group}\` command`;
  const similar = similarCommands(word, subcommands);
  const suggestion = similar.length === 0 ? "" : `did you mean: ${similar.join(", ")}?\n`;
  return `usage error: ${shown}\n${suggestion}${list}\nhint: see \`git vault ${group} <command> --help\`\n`;
}

/**
 * The first option in a command's arguments (before `--`) that is not one of
 * `names`, or null. `--name=value`, `--no-name` for a known `--name`, and
 * bundled short flags (`-ab`) count as known when their parts are.
 */
export function unknownOption(args: readonly string[], names: ReadonlySet<string>): string | null {
  for (const arg of args) {
    if (arg === "--") return null;
    if (!arg.startsWith("-") || arg === "-") continue;
    const name = arg.startsWith("--") ? (arg.split("=")[0] as string) : arg;
    if (names.has(name) || (name.startsWith("--no-") && names.has(`--${name.slice(5)}`))) continue;
    if (!name.startsWith("--") && /^-[A-Za-z]+$/.test(name) && name.slice(1).split("").every((letter) => names.has(`-${letter}`))) continue;
    return name;
  }
  return null;
}

/** How a usage error names an unknown option: itself when it looks like one, with close matches. */
export function unknownOptionText(option: string, command: string, names: Iterable<string>): string {
  const shown = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(option) ? `unknown option ${option}` : "unknown option";
  // Long options only: one edit away from a one-letter flag is every other flag.
  const similar = /^--[A-Za-z]/.test(option) ? similarCommands(option, [...names].filter((n) => n.startsWith("--"))) : [];
  const suggestion = similar.length === 0 ? "" : ` (did you mean ${similar.join(", ")}?)`;
  return `${shown} for \`git vault ${command}\`${suggestion}`;
}
