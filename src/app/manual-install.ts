// `install --manual`: the commands `install` would run, printed as a POSIX sh
// script. The whole output is safe to pipe to `sh`, twice: the hook steps
// keep a foreign hook as the chained one and never overwrite a chained hook,
// and the undo steps are comments.
import { quoteShell } from "../core/shell.js";
import { escapeRegexp } from "../git/index.js";
import { CHAINED_HOOK, HOOK_MARKER, shippedHookPath } from "./hook.js";
import { DRIVER_CONFIG } from "./install.js";

/** What to print: the drivers for one repository (with the guard) or for the user's global config (no guard). */
export interface ManualOptions {
  readonly scope: "local" | "global";
  /** The guard script to copy; the one shipped in the package by default. */
  readonly scriptPath?: string;
}

/** The pre-commit framework entry, as docs/git-integration.md and .pre-commit-hooks.yaml have it. */
export const PRE_COMMIT_FRAMEWORK_ENTRY = [
  "- repo: local",
  "  hooks:",
  "    - id: git-vault-check",
  "      name: git-vault check --staged",
  "      entry: git-vault check --staged",
  "      language: system",
  "      pass_filenames: false",
  "      files: (^|/)\\.env(\\.[^/]+)?$",
];

/** What `install --manual` prints: the exact config lines and hook steps, to run by hand (or with sh). */
export function manualInstructions(options: ManualOptions): string {
  const global = options.scope === "global";
  const flag = global ? " --global" : "";
  const lines = [
    ...(global
      ? ["# 1. Drivers for every repository of this user, in your global git config:"]
      : [
          "# 1. Drivers. Run in every repository where env files are diffed or merged",
          "#    (the vault repo; the host repo too when the vault is a plain folder),",
          "#    or once for all repositories with `git vault install --manual --global`:",
        ]),
    ...DRIVER_CONFIG.map(([key, value]) => `git config${flag} ${key} ${quoteShell(value)}`),
    "#    Never set diff.git-vault.cachetextconv: its cache stores decrypted values",
    "#    in the object database. The vault's .gitattributes selects the drivers:",
    "#    .env.* diff=git-vault merge=git-vault",
    "",
    ...(global ? globalHookNote() : hookSteps(options.scriptPath ?? shippedHookPath())),
    "",
    "# Undo (remove the leading `#   ` and run; git-vault uninstall does the same):",
    ...DRIVER_CONFIG.map(([key, value]) => `#   git config${flag} --unset ${key} ${quoteShell(`^${escapeRegexp(value)}$`)}`),
    ...(global ? [] : undoHookSteps()),
    "",
  ];
  return lines.join("\n");
}

function globalHookNote(): string[] {
  return [
    "# 2. No pre-commit guard: hooks belong to each repository. In each one where",
    "#    env files are committed, run `git vault hooks install`, or the hook",
    "#    steps of `git vault install --manual` printed there.",
  ];
}

// Idempotent: a second run finds the guard in place and only refreshes it.
// A hook that is not git-vault's is moved to the chained name only when that
// name is free, holds the same bytes, or holds a copy of the guard.
function hookSteps(scriptPath: string): string[] {
  return [
    "# 2. Pre-commit guard, in the same repositories. Safe to run again: a hook",
    `#    that is not git-vault's is kept as ${CHAINED_HOOK} and run first`,
    "#    by the guard; a different chained hook is never overwritten.",
    'hooks="$(git rev-parse --git-path hooks)"   # honours core.hooksPath (husky)',
    `hook="$hooks/pre-commit" chained="$hooks/${CHAINED_HOOK}"`,
    `gv_ours() { [ -f "$1" ] && [ ! -L "$1" ] && grep -q '^${HOOK_MARKER}' "$1"; }`,
    'gv_there() { [ -e "$1" ] || [ -L "$1" ]; }',
    'mkdir -p "$hooks"',
    'if ! { gv_there "$hook" && ! gv_ours "$hook"; } && gv_ours "$chained"; then rm "$chained"; fi   # a copy of the guard, nobody\'s hook',
    'if gv_there "$hook" && ! gv_ours "$hook"; then',
    '  if gv_there "$chained" && ! gv_ours "$chained" && ! cmp -s "$hook" "$chained"; then',
    '    echo "git-vault: guard not installed: $chained (chained earlier) differs from $hook; merge them into $hook, delete $chained, run these steps again" >&2',
    "  else",
    '    mv -f "$hook" "$chained"',
    "  fi",
    "fi",
    'if ! gv_there "$hook" || gv_ours "$hook"; then',
    `  cp ${quoteShell(scriptPath)} "$hook" && chmod 755 "$hook"`,
    "fi",
    "#    With the pre-commit framework instead, in .pre-commit-config.yaml under `repos:`:",
    ...PRE_COMMIT_FRAMEWORK_ENTRY.map((line) => `#      ${line}`),
  ];
}

function undoHookSteps(): string[] {
  return [
    '#   hooks="$(git rev-parse --git-path hooks)"',
    `#   if grep -q '^${HOOK_MARKER}' "$hooks/pre-commit"; then rm "$hooks/pre-commit"`,
    `#     if [ -e "$hooks/${CHAINED_HOOK}" ]; then mv "$hooks/${CHAINED_HOOK}" "$hooks/pre-commit"; fi`,
    "#   fi",
  ];
}

