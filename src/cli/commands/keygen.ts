import { Command } from "clipanion";
import { VaultCommand } from "../base.js";
import { say } from "../ui.js";

export class KeygenCommand extends VaultCommand {
  static override paths = [["keygen"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "create this device's age identity (once; reused across repos)",
    details: `
      Creates an X25519 age identity in \`$XDG_CONFIG_HOME/git-vault/identity\` (mode 0600, in the format \`age-keygen\` writes) and prints its recipient (public key) on stdout. If the device already has an identity, prints its recipient and changes nothing.
    `,
    examples: [
      ["Create the identity of this device", "git vault keygen"],
      ["Share your recipient with a teammate", "git vault keygen && git vault keys show"],
    ],
  });

  async execute(): Promise<number> {
    const { keygen } = await import("../../app/keys.js");
    const result = await keygen(this.context);
    say(this.context, result.created ? `created identity ${result.path}` : `an identity already exists at ${result.path}; keeping it`);
    this.context.stdout.write(`${result.recipient}\n`);
    return 0;
  }
}
