import { Command, Option } from "clipanion";
import type { TrustRow } from "../../app/trust.js";
import { TargetCommand } from "../base.js";
import { printJson, say } from "../ui.js";

function recipientLines(row: TrustRow): string[] {
  const label = (l: string | null): string => (l ? ` (${l})` : "");
  return [...row.added.map((r) => `  + ${r.recipient}${label(r.label)}`), ...row.removed.map((r) => `  - ${r.recipient}${label(r.label)}`)];
}

function describeRow(row: TrustRow): string {
  const head = `${row.file}: ${row.state === "new" ? "not recorded yet (trusted on first use)" : row.state === "changed" ? "CHANGED since trusted" : "trusted"}, fingerprint ${row.fingerprint.slice(0, 16)}`;
  const url = row.url !== null && row.trustedUrl !== null && row.url !== row.trustedUrl ? [`  vault URL: ${row.trustedUrl} -> ${row.url}`] : [];
  const fix = row.state === "changed" ? [`  if you expected this change: ${row.accept}`] : [];
  return [head, ...recipientLines(row), ...url, ...fix].join("\n");
}

abstract class TrustCommand extends TargetCommand {
  all = Option.Boolean("--all", false, { description: "Every env file of the vault dir" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });
}

export class TrustStatusCommand extends TrustCommand {
  static override paths = [["trust", "status"], ["trust"]];
  static override usage = Command.Usage({
    category: "Recipients",
    description: "show each env file's recipient set against the one this device trusted",
    details: `
      git-vault records, on first use, the recipients of every env file (and the vault URL in the host's \`.gitmodules\`) in \`$XDG_STATE_HOME/git-vault/trust.json\`. A later change that this device did not make itself stops every command that encrypts until it is accepted. Exit 1 when a file changed.
    `,
    examples: [
      ["The default env file", "git vault trust status"],
      ["Every env file, as JSON", "git vault trust status --all --json"],
    ],
  });

  async execute(): Promise<number> {
    const { trustStatus } = await import("../../app/trust.js");
    const rows = await trustStatus(this.context, { ...this.target(), all: this.all });
    if (this.json) printJson(this.context, { files: rows });
    else this.context.stdout.write(rows.map((r) => `${describeRow(r)}\n`).join(""));
    return rows.some((r) => r.state === "changed") ? 1 : 0;
  }
}

export class TrustAcceptCommand extends TrustCommand {
  static override paths = [["trust", "accept"]];
  static override usage = Command.Usage({
    category: "Recipients",
    description: "trust the current recipient set (and vault URL) of an env file",
    details: "Check the change first (`git vault trust status`, `git log -p` in the vault): accepting means the next `set` encrypts to every recipient now listed.",
    examples: [
      ["After checking that prod's new recipient is your new colleague", "git vault trust accept --env prod"],
      ["Every env file", "git vault trust accept --all"],
    ],
  });

  async execute(): Promise<number> {
    const { acceptTrust } = await import("../../app/trust.js");
    const rows = await acceptTrust(this.context, { ...this.target(), all: this.all });
    if (this.json) printJson(this.context, { accepted: rows });
    else for (const r of rows) say(this.context, `trusted ${r.file}: fingerprint ${r.fingerprint.slice(0, 16)}`);
    return 0;
  }
}

export class TrustForgetCommand extends TrustCommand {
  static override paths = [["trust", "forget"]];
  static override usage = Command.Usage({
    category: "Recipients",
    description: "forget the trusted recipient set of an env file (the next use records it again)",
    examples: [
      ["Forget dev", "git vault trust forget"],
      ["Forget every env file of the vault and its URL", "git vault trust forget --all"],
    ],
  });

  async execute(): Promise<number> {
    const { forgetTrust } = await import("../../app/trust.js");
    const files = await forgetTrust(this.context, { ...this.target(), all: this.all });
    if (this.json) printJson(this.context, { forgotten: files });
    else for (const f of files) say(this.context, `forgot the trusted recipients of ${f}`);
    return 0;
  }
}
