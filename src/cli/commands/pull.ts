import { Command, Option } from "clipanion";
import type { EnvFileChanges } from "../../app/pull.js";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";

/** `  + NAME, NAME` lines of one file's changes, never values. */
export function changeLines(c: EnvFileChanges): string[] {
  const label = (l: string | null): string => (l ? ` (${l})` : "");
  const keys = (sign: string, what: string, list: readonly string[]) => (list.length === 0 ? [] : [`  ${sign} ${what}: ${list.join(", ")}`]);
  return [
    `${c.file}:`,
    ...keys("+", "keys added", c.added),
    ...keys("~", "keys changed", c.changed),
    ...keys("-", "keys removed", c.removed),
    ...c.recipientsAdded.map((r) => `  + recipient ${r.recipient}${label(r.label)}`),
    ...c.recipientsRemoved.map((r) => `  - recipient ${r.recipient}${label(r.label)}`),
  ];
}

export class PullCommand extends VaultCommand {
  static override paths = [["pull"]];
  static override usage = Command.Usage({
    category: "Team",
    description: "fetch and fast-forward the vault, check trust, and summarize what changed (no values)",
    details: `
      Runs in the vault repo: fetches origin, puts a detached vault back on its branch, fast-forwards it to its upstream (with \`--rebase\`, replays local vault commits when the two diverged; without it, stops and says so). Prints, per env file, the keys added, changed and removed and the recipients added and removed since the last pull, then any recipient change this device has not trusted yet (\`git vault trust accept\` names it). Exit 0 when the vault was updated or already up to date.
    `,
    examples: [
      ["Pick up your team's changes", "git vault pull"],
      ["Your own vault commits were not pushed yet", "git vault pull --rebase"],
    ],
  });
  vaultDir = Option.String("--vault-dir", { description: "Vault folder (default: vault/ at the repository root)" });
  rebase = Option.Boolean("--rebase", false, { description: "Rebase local vault commits onto the upstream when they diverged" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { pullVault } = await import("../../app/pull.js");
    const result = await pullVault(this.context, { vaultDir: this.vaultDir, rebase: this.rebase });
    if (this.json) {
      printJson(this.context, result);
      return 0;
    }
    const short = (c: string | null) => (c === null ? "(none)" : c.slice(0, 7));
    const headline = {
      "up-to-date": `vault already up to date with ${result.upstream}`,
      ahead: `vault is ahead of ${result.upstream} (push your vault commits)`,
      "fast-forward": `vault ${short(result.before)}..${short(result.after)} fast-forwarded to ${result.upstream}`,
      rebased: `vault rebased onto ${result.upstream} (now ${short(result.after)})`,
    }[result.how];
    say(this.context, headline);
    const lines = result.files.flatMap(changeLines);
    if (lines.length > 0) this.context.stdout.write(`${lines.join("\n")}\n`);
    for (const row of result.untrusted) {
      say(this.context, `warning: ${row.file}: recipients changed since this device trusted them; encrypting to it stops until you check and run: ${row.accept}`);
    }
    if (result.vaultPath !== null && !result.pinned && (result.how === "fast-forward" || result.how === "rebased")) {
      say(this.context, `to pin this vault commit in the host: git add ${result.vaultPath} && git commit -m "Update vault"`);
    }
    return 0;
  }
}
