/** Quoting for the shell commands git-vault prints for the user to run. */

/** Quotes a word for POSIX sh: single quotes, each `'` written as `'\''`. */
export function quoteShell(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A word as it is best printed in a command: bare when it holds only safe characters, else quoted. */
export function quoteShellIfNeeded(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : quoteShell(word);
}
