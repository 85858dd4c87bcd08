import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { say } from "../ui.js";

export class DecryptCommand extends TargetCommand {
  static override paths = [["decrypt"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "print the env file with values decrypted (or write it in place)",
    details: `
      By default the decrypted file goes to stdout and nothing is written. \`--in-place\` writes plaintext into the file: the pre-commit guard will refuse to commit it; \`git vault encrypt\` (or \`git vault restore\`) undoes it.
    `,
    examples: [
      ["Read all dev values", "git vault decrypt"],
      ["Edit values by hand, then encrypt again", "git vault decrypt --in-place && $EDITOR vault/.env.dev && git vault encrypt"],
    ],
  });
  inPlace = Option.Boolean("--in-place", false, { description: "Write plaintext into the file" });

  async execute(): Promise<number> {
    const { decryptFileCommand } = await import("../../app/bulk.js");
    const { target, text } = await decryptFileCommand(this.context, { ...this.target(), inPlace: this.inPlace });
    if (text !== null) this.context.stdout.write(text);
    else say(this.context, `warning: ${target.display} now holds plaintext; run \`git vault encrypt\` before committing`);
    return 0;
  }
}
