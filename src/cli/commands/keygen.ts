import { Command } from "clipanion";
import { VaultCommand } from "../base.js";
import { say } from "../ui.js";
import { storedWhere } from "./keys.js";

export class KeygenCommand extends VaultCommand {
  static override paths = [["keygen"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "create this device's age identity (once; reused across repos)",
    details: `
      Creates an X25519 age identity and prints its recipient (public key) on stdout. The identity goes to the OS keychain (macOS login Keychain, a Linux Secret Service such as gnome-keyring; service \`git-vault\`) when one is usable, else to \`$XDG_CONFIG_HOME/git-vault/identity\` (mode 0600, in the format \`age-keygen\` writes); stderr says which, and why not the keychain. A store that does not persist (the Linux kernel keyring) is never used. If the device already has an identity, prints its recipient and changes nothing.
    `,
    examples: [
      ["Create the identity of this device", "git vault keygen"],
      ["Share your recipient with a teammate", "git vault keygen && git vault keys show"],
    ],
  });

  async execute(): Promise<number> {
    const { keygen } = await import("../../app/keys.js");
    const result = await keygen(this.context);
    say(this.context, result.created ? `created identity ${storedWhere(result)}` : `an identity already exists at ${result.path}; keeping it`);
    const unreadable = result.unreadable ?? [];
    if (unreadable.length > 0) {
      // A new key after the old one was lost: it is no recipient of anything already in the vault.
      say(this.context, `warning: this new key is not a recipient of ${unreadable.map((u) => u.file).join(", ")}: this device cannot read ${unreadable.length === 1 ? "it" : "them"}`);
      say(this.context, "  if you deleted or lost your old identity file, restore its backup: git vault keys import --replace BACKUP (the new key is kept, retired)");
      for (const u of unreadable) say(this.context, `  or ask a recipient to run: git vault recipients add ${result.recipient} --reencrypt ${u.flags}`);
    }
    this.context.stdout.write(`${result.recipient}\n`);
    return 0;
  }
}
