import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { printJson, say } from "../ui.js";

export class VerifyCommand extends TargetCommand {
  static override paths = [["verify"]];
  static override usage = Command.Usage({
    category: "Guard",
    description: "CI gate: format, no plaintext, no stale values, key binding, trust pin",
    details: `
      Checks every env file of the vault dir and its subfolders (only the given file with \`--file\` or \`--env\`): canonical format, no plaintext, every value encrypted to the current recipient set, key binding when an identity is present (only in the files that list it as a recipient: the others are named as skipped), the recipient-set fingerprint against \`--trust-fingerprint\` / \`GIT_VAULT_TRUST_FINGERPRINT\` (the first 8 to 64 hex digits; \`ENV=HEX\` pins one env file, and the option may be repeated), and, when this device has trusted a file before, any recipient change it has not accepted (\`git vault trust\`). Prints \`file:line:key: problem\` and exits 1 on any finding.
    `,
    examples: [
      ["In CI", "git vault verify"],
      ["Pin the recipient set so a silent change fails", "GIT_VAULT_TRUST_FINGERPRINT=3f1c2a9b git vault verify"],
      ["One pin per env file", "git vault verify --trust-fingerprint dev=3f1c2a9b --trust-fingerprint prod=9b2e41d0"],
    ],
  });
  trustFingerprint = Option.Array("--trust-fingerprint", { description: "Expected recipient-set fingerprint (hex prefix), or ENV=HEX for one env file" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { verifyVault } = await import("../../app/verify.js");
    const { files, findings, skipped } = await verifyVault(this.context, { ...this.target(), trustFingerprint: this.trustFingerprint });
    if (this.json) {
      printJson(this.context, { ok: findings.length === 0, files, findings, skippedDecryption: skipped });
    } else {
      for (const f of findings) {
        const where = [f.file, f.line, f.key].filter((p) => p !== null).join(":");
        this.context.stdout.write(`${where}: ${f.problem}: ${f.detail}\n`);
      }
      if (skipped.length > 0) say(this.context, `decryption not checked in ${skipped.join(", ")}: the identity is not among ${skipped.length === 1 ? "its" : "their"} recipients`);
      say(this.context, findings.length === 0 ? `verified ${files.length} env file${files.length === 1 ? "" : "s"}` : `${findings.length} problem${findings.length === 1 ? "" : "s"} found`);
    }
    return findings.length === 0 ? 0 : 1;
  }
}
