/** Renders the man page (`man git-vault`, what `git vault --help` opens) from the command definitions. */
import type { Definition } from "clipanion";
import { VERSION } from "../version.js";

function roff(text: string): string {
  return text
    .replace(/\\/g, "\\e")
    .replace(/`([^`]+)`/g, "\\fB$1\\fR")
    .split("\n")
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join("\n");
}

/** The whole man page in roff. */
export function renderManPage(definitions: readonly Definition[], date: string): string {
  const out: string[] = [
    `.TH GIT-VAULT 1 "${date}" "git-vault ${VERSION}" "Git Manual"`,
    ".SH NAME",
    "git-vault \\- keep .env secrets in git, encrypted per value with age",
    ".SH SYNOPSIS",
    ".B git vault",
    ".I command",
    "[\\fIoptions\\fR]",
    ".SH DESCRIPTION",
    roff(
      "git-vault keeps `.env.<env>` files in a separate private vault repository, mounted as a git submodule at `vault/`. Every value is encrypted inline with age to the recipients listed in the file header, one line per secret, so diffs stay small and reviewable. Locally, `git diff` shows decrypted values through a textconv driver; files on disk and in history stay encrypted. A pre-commit guard blocks plaintext, and `git vault verify` is the same gate for CI.",
    ),
    ".SH COMMANDS",
  ];
  const sorted = [...definitions].filter((d) => d.description).sort((a, b) => a.path.localeCompare(b.path));
  for (const d of sorted) {
    out.push(".TP", `.B ${roff(d.usage.replace(/^\$ /, "").split("\n")[0] ?? d.path)}`, roff(d.description ?? ""));
    if (d.details) out.push(".RS", roff(d.details.trim()), ".RE");
    for (const o of d.options) if (o.description) out.push(".RS", `.TP`, `.B ${roff(o.definition)}`, roff(o.description), ".RE");
    for (const [what, command] of d.examples ?? []) out.push(".RS", ".PP", roff(what), ".PP", `.RS\n.B ${roff(command.replace(/\$0/g, "git vault"))}\n.RE`, ".RE");
  }
  out.push(
    ".SH EXIT STATUS",
    "0 success; 1 failure or finding; 2 usage error; 128 not in a git repository; 130 the hidden value prompt was cancelled; 141 the reader of the output went away (128 + SIGPIPE); \\fBrun\\fR returns the exit code of the command it ran (126 when it cannot be started, 127 when it is not found).",
    ".SH ENVIRONMENT",
    ".TP\n.B GIT_VAULT_IDENTITY\nage identity text (for CI); never passed to child processes.",
    ".TP\n.B GIT_VAULT_IDENTITY_FILE\nPath of an age identity file.",
    ".TP\n.B GIT_VAULT_ENV, GIT_VAULT_DIR\nDefault env name and vault dir.",
    ".TP\n.B GIT_VAULT_TRUST_FINGERPRINT\nExpected recipient-set fingerprint for \\fBverify\\fR.",
    ".TP\n.B GIT_VAULT_REMOTE\nMarks a worker environment: commands that would decrypt locally refuse and point to \\fBremote get\\fR and \\fBremote run\\fR.",
    ".TP\n.B NO_COLOR\nDisables colour.",
    ".SH FILES",
    ".TP\n.I $XDG_CONFIG_HOME/git-vault/identity\nThis device's age identity (mode 0600).",
    ".TP\n.I $XDG_STATE_HOME/git-vault/serve/ID/tokens.json\nHashes of the tokens \\fBserve\\fR accepts for one vault dir, with their names, scopes and expiry (mode 0600).",
    ".SH SEE ALSO",
    "\\fBage\\fR(1), \\fBgitattributes\\fR(5), \\fBgit-submodule\\fR(1)",
    "",
  );
  return out.join("\n");
}
