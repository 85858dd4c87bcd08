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

/** The message for an unknown command word. */
export function unknownCommandText(word: string, words: Iterable<string>): string {
  // Only a word that looks like a command name is quoted back: argv can hold a secret.
  const shown = /^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(word) ? `'${word}' is not a git-vault command` : "unknown command";
  const similar = similarCommands(word, words);
  const suggestion = similar.length === 0 ? "" : `did you mean: ${similar.join(", ")}?\n`;
  return `usage error: ${shown}\n${suggestion}hint: see \`git vault --help\` for the commands\n`;
}
