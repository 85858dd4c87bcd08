import { Command, Option } from "clipanion";
import { VaultCommand } from "../base.js";

export class TextconvCommand extends VaultCommand {
  static override paths = [["textconv"]];
  static override usage = Command.Usage({
    category: "Plumbing",
    description: "print an env file with values decrypted (git's diff driver)",
    details: `
      Git runs this for \`diff=git-vault\` files: \`git vault install\` sets \`diff.git-vault.textconv = git-vault-textconv\`, a small sh client that asks a running \`git vault agent\` and runs \`git-vault textconv\` when there is none. Values that cannot be decrypted (no identity, not a recipient, tampered) show as a \`[git-vault: …]\` marker. It always exits 0 and never prompts. Never enable \`diff.git-vault.cachetextconv\`: the cache would store plaintext in the object database.
    `,
    examples: [
      ["What git diff shows for a file", "git vault textconv vault/.env.dev"],
      ["Diff the vault with values", "git -C vault log -p -- .env.prod"],
    ],
  });
  source = Option.String({ required: true, name: "FILE" });

  async execute(): Promise<number> {
    const { textconvText } = await import("../../app/textconv.js");
    this.context.stdout.write(await textconvText(this.context, this.source));
    return 0;
  }
}
