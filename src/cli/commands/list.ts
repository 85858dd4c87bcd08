import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { printJson, table } from "../ui.js";

export class ListCommand extends TargetCommand {
  static override paths = [["list"], ["ls"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "list keys with their section and state (never values)",
    details: `
      States: \`encrypted\`; \`stale\` (encrypted to an older recipient set: run \`git vault encrypt --reencrypt\`); \`plaintext\`; \`empty\`; \`undecryptable\` (your identity cannot open it, or it is bound to another key); \`malformed\`; \`unknown-version\`. Decryption is only tried when an identity is present.
    `,
    examples: [
      ["Keys of the dev env", "git vault list"],
      ["Keys of prod as JSON", "git vault ls --env prod --json"],
    ],
  });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { listKeys } = await import("../../app/bulk.js");
    const { target, rows } = await listKeys(this.context, this.target());
    if (this.json) printJson(this.context, { file: target.display, keys: rows });
    else this.context.stdout.write(table(rows.map((r) => [r.key, r.section ?? "-", r.state])));
    return 0;
  }
}
