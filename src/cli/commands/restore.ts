import { Command } from "clipanion";
import { TargetCommand } from "../base.js";
import { say } from "../ui.js";

export class RestoreCommand extends TargetCommand {
  static override paths = [["restore"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "encrypt a decrypted file again, reusing the committed ciphertext of unchanged values",
    details: "Undoes `decrypt --in-place`: values equal to their last committed value get the committed ciphertext back, so only values you really changed show up in the diff; changed and new values are encrypted afresh.",
    examples: [
      ["Edit in plaintext, then restore", "git vault decrypt --in-place && $EDITOR vault/.env.dev && git vault restore"],
      ["For prod", "git vault restore --env prod"],
    ],
  });

  async execute(): Promise<number> {
    const { restoreFile } = await import("../../app/restore.js");
    const r = await restoreFile(this.context, this.target());
    say(this.context, `${r.target.display}: ${r.restored} value${r.restored === 1 ? "" : "s"} restored from HEAD, ${r.reencrypted} encrypted afresh`);
    return 0;
  }
}
