import { Command, Option } from "clipanion";
import type { RecipientChange } from "../../app/recipients.js";
import { isInteractive } from "../../app/context.js";
import { TargetCommand } from "../base.js";
import { askYesNo } from "../prompt.js";
import { printJson, say, table } from "../ui.js";

function describe(changes: readonly RecipientChange[]): string {
  return changes
    // A file with nothing to change (it already lists the recipient, or never did) gets no heading.
    .filter((c) => c.added.length + c.relabelled.length + c.removed.length > 0)
    .map((c) => [`${c.file}:`, ...c.added.map((r) => `  + ${r.recipient}${r.label ? ` ${r.label}` : ""}`), ...c.relabelled.map((r) => `  ~ ${r.recipient} ${r.label ?? ""}`), ...c.removed.map((r) => `  - ${r.recipient}${r.label ? ` ${r.label}` : ""}`)].join("\n"))
    .join("\n");
}

abstract class RecipientChangeCommand extends TargetCommand {
  reencrypt = Option.Boolean("--reencrypt", false, { description: "Re-encrypt every value to the new recipient set (needs your identity)" });
  all = Option.Boolean("--all", false, { description: "Every env file of the vault dir" });
  yes = Option.Boolean("--yes,-y", false, { description: "Do not ask for confirmation" });

  protected async apply(add: { recipient: string; label: string | null }[], remove: string[]): Promise<number> {
    const { changeRecipients } = await import("../../app/recipients.js");
    const ask = !this.yes && isInteractive(this.context);
    const changes = await changeRecipients(this.context, {
      ...this.target(),
      add,
      remove,
      reencrypt: this.reencrypt,
      all: this.all,
      confirm: async (planned) => {
        say(this.context, describe(planned));
        return ask ? askYesNo(this.context, "Apply this recipient change?") : true;
      },
    });
    if (changes.length === 0) {
      say(this.context, "cancelled; nothing changed");
      return 1;
    }
    for (const c of changes) if (this.reencrypt && c.added.length + c.removed.length > 0) say(this.context, `${c.file}: re-encrypted ${c.reencrypted} value${c.reencrypted === 1 ? "" : "s"}`);
    const changedFiles = changes.filter((c) => c.added.length + c.removed.length > 0).map((c) => c.file);
    if (!this.reencrypt && changedFiles.length > 0) {
      // Named per file: a bare `encrypt --reencrypt` would re-encrypt the default env file, not these.
      say(this.context, `existing values stay encrypted to the old recipient set until you run: ${changedFiles.map((f) => `git vault encrypt --reencrypt --file ${f}`).join("; ")}`);
    }
    return 0;
  }
}

export class RecipientsListCommand extends TargetCommand {
  static override paths = [["recipients", "list"], ["recipients"]];
  static override usage = Command.Usage({
    category: "Recipients",
    description: "list the recipients of an env file",
    examples: [
      ["Who can read dev", "git vault recipients list"],
      ["Every env file, as JSON", "git vault recipients list --all --json"],
    ],
  });
  all = Option.Boolean("--all", false, { description: "Every env file of the vault dir" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { listRecipients } = await import("../../app/recipients.js");
    const rows = await listRecipients(this.context, { ...this.target(), all: this.all });
    if (this.json) printJson(this.context, { recipients: rows });
    else this.context.stdout.write(table(rows.map((r) => [...(this.all ? [r.file] : []), r.recipient, r.label ?? ""])));
    return 0;
  }
}

export class RecipientsAddCommand extends RecipientChangeCommand {
  static override paths = [["recipients", "add"]];
  static override usage = Command.Usage({
    category: "Recipients",
    description: "add a recipient (age1…) to an env file's header",
    details: "The header change is visible in the raw diff, so reviewers see who gained access. Without `--reencrypt` existing values stay encrypted to the old set (shown as stale).",
    examples: [
      ["Give a teammate access to dev", "git vault recipients add age1qyq… --label bob-laptop --reencrypt"],
      ["Add CI to every env file", "git vault recipients add age1ci… --label ci --all --reencrypt --yes"],
    ],
  });
  recipient = Option.String({ required: true, name: "RECIPIENT" });
  label = Option.String("--label,-l", { description: "Label shown after the recipient (who or what it is)" });

  async execute(): Promise<number> {
    return this.apply([{ recipient: this.recipient, label: this.label ?? null }], []);
  }
}

export class RecipientsRemoveCommand extends RecipientChangeCommand {
  static override paths = [["recipients", "remove"]];
  static override usage = Command.Usage({
    category: "Recipients",
    description: "remove a recipient from an env file's header",
    details: "Removing a recipient does not take back what it could already read (git history keeps old ciphertexts): re-encrypt, and rotate the secrets themselves when access must end.",
    examples: [
      ["Remove a lost laptop and re-encrypt", "git vault recipients remove age1old… --reencrypt"],
      ["From every env file", "git vault recipients remove age1old… --all --reencrypt"],
    ],
  });
  recipient = Option.String({ required: true, name: "RECIPIENT" });

  async execute(): Promise<number> {
    return this.apply([], [this.recipient]);
  }
}
