import { Command, Option } from "clipanion";
import { VaultCommand, vaultDirOption } from "../base.js";
import { say } from "../ui.js";

// A whole vault, not one env file: rotate takes no --env or --file (moving one
// file would leave the vault's others on the retired key).
export class RotateCommand extends VaultCommand {
  static override paths = [["rotate"]];
  static override usage = Command.Usage({
    category: "Team",
    description: "make a new identity for this device and move every env file that lists it to the new recipient",
    details: `
      Stores a new key as pending, then, in each env file of the vault that lists this device's recipient, puts the new recipient in its place (same label) and re-encrypts the values, one atomic write per file; at the end the new key becomes current and the old one is kept, marked retired, so textconv, \`get --at\` and \`review\` still read history. Cut short, every file stays readable, and running \`rotate\` again finishes the job. Files that do not list this device are left byte for byte. Commit and push the vault afterwards.
    `,
    examples: [
      ["Rotate this device's key", "git vault rotate"],
      ["A vault in another folder", "git vault rotate --vault-dir secrets"],
    ],
  });

  vaultDir = vaultDirOption();
  // Not offered, but refused with the reason: a key given per command is not this device's to rotate.
  identityFile = Option.String("--identity-file,-i", { hidden: true });

  async execute(): Promise<number> {
    const { rotateIdentity } = await import("../../app/rotate.js");
    const r = await rotateIdentity(this.context, { vaultDir: this.vaultDir, identityFile: this.identityFile });
    say(this.context, `${r.resumed ? "finished the rotation started earlier" : "rotated"}: ${r.oldRecipient} -> ${r.newRecipient} (the old key is kept, retired, in ${r.store})`);
    for (const f of r.files) say(this.context, `${f.file}: new recipient, ${f.reencrypted} value${f.reencrypted === 1 ? "" : "s"} re-encrypted`);
    if (r.files.length === 0) say(this.context, "no env file listed this device's old recipient");
    else if (r.vaultDir !== null) say(this.context, `commit and push the vault: git -C ${r.vaultDir} add -A && git -C ${r.vaultDir} commit -m "Rotate a device key" && git -C ${r.vaultDir} push`);
    this.context.stdout.write(`${r.newRecipient}\n`);
    return 0;
  }
}
