import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { say } from "../ui.js";

export class FmtCommand extends TargetCommand {
  static override paths = [["fmt"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "rewrite env files in canonical style (never re-encrypts)",
    examples: [
      ["Format the dev env file", "git vault fmt"],
      ["Fail in CI when any env file is not canonical", "git vault fmt --check --all"],
    ],
  });
  check = Option.Boolean("--check", false, { description: "Change nothing; exit 1 when a file is not canonical" });
  all = Option.Boolean("--all", false, { description: "Every env file of the vault dir" });

  async execute(): Promise<number> {
    const { formatFiles } = await import("../../app/bulk.js");
    const files = await formatFiles(this.context, { ...this.target(), all: this.all, check: this.check });
    for (const f of files) this.context.stdout.write(`${f}\n`);
    if (this.check && files.length > 0) {
      say(this.context, `${files.length} file${files.length === 1 ? " is" : "s are"} not in canonical style; run \`git vault fmt${this.all ? " --all" : ""}\``);
      return 1;
    }
    return 0;
  }
}
