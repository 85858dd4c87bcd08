import { Command, Option } from "clipanion";
import { UsageError } from "../../errors.js";
import { TargetCommand } from "../base.js";
import { MASK, printJson } from "../ui.js";

export class GetCommand extends TargetCommand {
  static override paths = [["get"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "decrypt one value (masked unless --reveal)",
    examples: [
      ["Check a key decrypts, without showing it", "git vault get DATABASE_URL"],
      ["Print the value", "git vault get DATABASE_URL --reveal"],
      ["As JSON for scripts", "git vault get API_TOKEN --reveal --json --env prod"],
      ["The value three vault commits ago", "git vault get API_TOKEN --reveal --at HEAD~3"],
      ["As deployed by a host release tag (through the submodule pin)", "git vault get API_TOKEN --reveal --at v1.4.0 --host"],
    ],
  });
  key = Option.String({ required: true, name: "KEY" });
  reveal = Option.Boolean("--reveal", false, { description: "Print the plaintext value" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });
  at = Option.String("--at", { description: "Read the value as of this vault commit (a host commit with --host)" });
  host = Option.Boolean("--host", false, { description: "--at names a host commit; the vault commit is the submodule pin there" });

  async execute(): Promise<number> {
    const { getSecret } = await import("../../app/secrets.js");
    if (this.host && this.at === undefined) throw new UsageError("--host needs --at REV (a host commit)");
    const result = await getSecret(this.context, { ...this.target(), key: this.key, reveal: this.reveal, at: this.at, host: this.host });
    const shown = this.reveal ? result.value.reveal() : MASK;
    if (this.json) {
      printJson(this.context, { key: result.key, value: shown, revealed: this.reveal, encrypted: result.encrypted, file: result.target.display, line: result.line });
    } else {
      this.context.stdout.write(`${shown}\n`);
    }
    if (!result.encrypted && result.value.length > 0 && this.at === undefined) this.context.stderr.write(`warning: ${result.target.display}:${result.line}: ${result.key} is stored in plaintext; run \`git vault encrypt\`\n`);
    return 0;
  }
}
