import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { say } from "../ui.js";

export class UnsetCommand extends TargetCommand {
  static override paths = [["unset"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "remove a key (every line that assigns it)",
    examples: [
      ["Remove a key from dev", "git vault unset OLD_TOKEN"],
      ["Remove it from prod", "git vault unset OLD_TOKEN --env prod"],
    ],
  });
  key = Option.String({ required: true, name: "KEY" });

  async execute(): Promise<number> {
    const { unsetSecret } = await import("../../app/secrets.js");
    const result = await unsetSecret(this.context, { ...this.target(), key: this.key });
    say(this.context, `removed ${this.key} from ${result.target.display} (${result.removed} line${result.removed === 1 ? "" : "s"})`);
    return 0;
  }
}
