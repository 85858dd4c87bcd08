import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { say } from "../ui.js";

export class EncryptCommand extends TargetCommand {
  static override paths = [["encrypt"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "encrypt plaintext values in place (idempotent)",
    details: `
      Encrypted values are never rewritten, so running it twice gives a byte-identical file. \`--reencrypt\` decrypts and encrypts every value again to the current recipients (needs your identity). A plain \`.env\` without a header gets one with this device's recipient.
    `,
    examples: [
      ["Encrypt what was typed in plaintext", "git vault encrypt"],
      ["Re-encrypt prod after a recipient change", "git vault encrypt --reencrypt --env prod"],
      ["Re-encrypt every env file after recipients add --all", "git vault encrypt --reencrypt --all"],
    ],
  });
  reencrypt = Option.Boolean("--reencrypt", false, { description: "Re-encrypt values that are already encrypted" });
  all = Option.Boolean("--all", false, { description: "Every env file of the vault dir" });

  async execute(): Promise<number> {
    const { encryptAll, encryptInPlace } = await import("../../app/bulk.js");
    const request = { ...this.target(), reencrypt: this.reencrypt };
    const results = this.all ? await encryptAll(this.context, request) : [await encryptInPlace(this.context, request)];
    for (const r of results) {
      say(this.context, `${r.target.display}: encrypted ${r.encrypted} value${r.encrypted === 1 ? "" : "s"}${this.reencrypt ? `, re-encrypted ${r.reencrypted}` : ""}`);
    }
    return 0;
  }
}
