import { Command, Option } from "clipanion";
import type { AuditEntry } from "../../app/audit.js";
import { VaultCommand } from "../base.js";
import { printJson, say, table } from "../ui.js";

/** The options `audit tail` and `audit show` share. */
abstract class AuditReadCommand extends VaultCommand {
  json = Option.Boolean("--json", false, { description: "Print JSON (an array of entries)" });
  since = Option.String("--since", { description: "Only entries from this date or age on (2026-01-31, 12h, 7d)" });
  key = Option.String("--key,-k", { description: "Only entries that name this key" });
  env = Option.String("--env,-e", { description: "Only entries for this env" });

  protected async print(last: number | undefined): Promise<number> {
    const { readAudit } = await import("../../app/audit.js");
    const { path, entries } = await readAudit(this.context, { since: this.since, key: this.key, env: this.env, last });
    if (this.json) {
      printJson(this.context, entries);
      return 0;
    }
    if (entries.length === 0) say(this.context, `no matching entries in ${path}`);
    else this.context.stdout.write(table([["TIME", "RESULT", "COMMAND", "ENV", "KEYS", "CONTAINER", "USER"], ...entries.map(row)]));
    return 0;
  }
}

function row(e: AuditEntry): string[] {
  const result = e.error === null ? e.result : `${e.result} (${e.error})`;
  const user = e.client === null ? e.user : `${e.user} via ${e.client}`;
  return [e.time, result, e.command, e.env ?? "-", e.keys.join(",") || "-", e.container ?? "-", user];
}

export class AuditTailCommand extends AuditReadCommand {
  static override paths = [["audit", "tail"]];
  static override usage = Command.Usage({
    category: "Audit",
    description: "print the last entries of the audit log (who accessed which keys, when, how)",
    details: `
      The audit log is \`$XDG_STATE_HOME/git-vault/audit.jsonl\` unless the configuration's \`auditLog\` or \`GIT_VAULT_AUDIT_LOG\` names another. It records key names, never values.
    `,
    examples: [
      ["The last 10 entries", "git vault audit tail"],
      ["The last 50 accesses to prod", "git vault audit tail -n 50 --env prod"],
    ],
  });
  lines = Option.String("-n,--lines", "10", { description: "How many entries (default 10)" });

  async execute(): Promise<number> {
    return this.print(Number(this.lines));
  }
}

export class AuditShowCommand extends AuditReadCommand {
  static override paths = [["audit", "show"]];
  static override usage = Command.Usage({
    category: "Audit",
    description: "print the entries of the audit log, filtered by date, key or env",
    examples: [
      ["Who read API_TOKEN this week", "git vault audit show --key API_TOKEN --since 7d"],
      ["Everything since a date, as JSON", "git vault audit show --since 2026-01-31 --json"],
    ],
  });

  async execute(): Promise<number> {
    return this.print(undefined);
  }
}

export class AuditVerifyCommand extends VaultCommand {
  static override paths = [["audit", "verify"]];
  static override usage = Command.Usage({
    category: "Audit",
    description: "check the hash chain of the audit log: exit 1 naming the first edited, removed or moved line",
    details: `
      Each entry carries the hash of the one before it, so an edited, removed, inserted or reordered line breaks the chain. Entries cut off at the end leave a valid (shorter) chain: compare the head hash printed here with one recorded elsewhere to detect that.
    `,
    examples: [
      ["Check the log", "git vault audit verify"],
      ["In a script, with the head hash", "git vault audit verify --json"],
    ],
  });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { verifyAudit } = await import("../../app/audit.js");
    const { path, report } = await verifyAudit(this.context);
    if (this.json) printJson(this.context, { path, ...report });
    else if (report.ok) say(this.context, report.exists ? `${path}: ${report.entries} entries, chain intact; head ${report.head}` : `${path}: no audit log yet`);
    else this.context.stdout.write(`${path}:${report.line}: ${report.problem}\n`);
    return report.ok ? 0 : 1;
  }
}
