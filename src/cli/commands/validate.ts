import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { say } from "../ui.js";

export class ValidateCommand extends TargetCommand {
  static override paths = [["validate"]];
  static override usage = Command.Usage({
    category: "Guard",
    description: "check the secrets manifest against the vault: every key the app needs is set and usable",
    details: `
      For each key of the configuration's \`secrets:\` that applies to the env: present, encrypted, encrypted to the current recipient set, and (when an identity is available) decryptable and bound to its key. One line per key: ok, missing, optional, not set, empty, plaintext, stale, malformed or undecryptable. Keys of the env file the manifest does not name are listed; \`--strict\` makes them a failure.

      Exit 1 when a required key is missing or a set key is not usable. Without an identity, decryption is not checked and validate says so.
    `,
    examples: [
      ["Check the dev env", "git vault validate"],
      ["Every env, strictly, in CI", "git vault validate --all --strict"],
      ["As JSON", "git vault validate --env prod --json"],
    ],
  });
  all = Option.Boolean("--all", false, { description: "Check every env file of the vault" });
  strict = Option.Boolean("--strict", false, { description: "Fail on keys the manifest does not name" });
  json = Option.Boolean("--json", false, { description: "Print the report as JSON" });

  async execute(): Promise<number> {
    const { validateManifest } = await import("../../app/validate.js");
    const report = await validateManifest(this.context, { ...this.target(), all: this.all, strict: this.strict });
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify(report)}\n`);
      return report.ok ? 0 : 1;
    }
    const lines: string[] = [];
    for (const f of report.files) {
      lines.push(`${f.file}${f.env === null ? "" : ` (${f.env})`}`);
      const width = Math.max(0, ...f.rows.map((r) => r.key.length));
      for (const r of f.rows) lines.push(`  ${r.key.padEnd(width)}  ${r.state}${r.detail === undefined ? "" : ` (${r.detail})`}`.trimEnd());
      if (f.rows.length === 0) lines.push("  (the manifest names no key for this env)");
      if (f.unlisted.length > 0) lines.push(`  not in the manifest${this.strict ? " (a failure with --strict)" : ""}: ${f.unlisted.join(", ")}`);
    }
    this.context.stdout.write(`${lines.join("\n")}\n`);
    if (!report.decryptionChecked) say(this.context, "note: no identity: decryption and key binding were not checked");
    for (const f of report.decryptionChecked ? report.files.filter((x) => !x.decryptionChecked && x.rows.some((r) => r.line !== null)) : []) {
      say(this.context, `note: decryption not checked in ${f.file}: your identity is not one of its recipients`);
    }
    return report.ok ? 0 : 1;
  }
}
