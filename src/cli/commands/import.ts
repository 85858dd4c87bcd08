import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { readAll } from "../input.js";
import { say } from "../ui.js";

export class ImportCommand extends TargetCommand {
  static override paths = [["import"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "encrypt a plaintext .env file (or an export bundle) into the vault",
    details: `
      Reads FILE (\`-\` for stdin) exactly as the dotenv package reads it and adds each pair to the env file, encrypted to its recipients; comments, blank lines and order are kept. Keys the env file already has are refused (and listed) unless \`--replace\`. Lines dotenv would skip are left out, with a warning naming them.

      \`--delete\` removes FILE only after the env file was written and read back. When the host repo tracks FILE, or ever committed it, import says so: its values stay in git history, so rotate them.

      \`--bundle\` reads a file made by \`git vault export --bundle\` (needs an identity it was encrypted to).
    `,
    examples: [
      ["Move a plaintext .env into the dev env", "git vault import .env --delete"],
      ["Into prod, in a section, replacing existing keys", "git vault import prod.env --env prod --section payments --replace"],
      ["From another machine's bundle", "git vault import --bundle prod.age --env prod"],
    ],
  });
  section = Option.String("--section", { description: "Put the imported keys in this section" });
  replace = Option.Boolean("--replace", false, { description: "Overwrite keys the env file already has" });
  delete = Option.Boolean("--delete", false, { description: "Remove FILE after the env file was written and read back" });
  bundle = Option.Boolean("--bundle", false, { description: "FILE is an age bundle from `git vault export --bundle`" });
  json = Option.Boolean("--json", false, { description: "Print what was imported as JSON" });
  source = Option.String({ name: "FILE" });

  async execute(): Promise<number> {
    const { importFile } = await import("../../app/import.js");
    const fromStdin = this.source === "-";
    const result = await importFile(this.context, {
      ...this.target(),
      path: fromStdin ? null : this.source,
      stdin: fromStdin ? await readAll(this.context.stdin) : undefined,
      section: this.section,
      replace: this.replace,
      delete: this.delete,
      bundle: this.bundle,
    });
    const shown = fromStdin ? "stdin" : this.source;
    if (result.history !== null) {
      const how = result.history === "tracked" ? "is tracked by" : "was committed to";
      say(this.context, `warning: ${shown} ${how} the git repository around it: its values stay in git history; rotate them${result.history === "tracked" && result.deleted ? ", and commit its removal" : ""}`);
    }
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify({ file: result.target.display, imported: result.imported, replaced: result.replaced, deleted: result.deleted, history: result.history })}\n`);
      return 0;
    }
    const parts = [`imported ${result.imported.length} key${result.imported.length === 1 ? "" : "s"}`];
    if (result.replaced.length > 0) parts.push(`replaced ${result.replaced.join(", ")}`);
    say(this.context, `${parts.join(", ")} into ${result.target.display}${result.deleted ? `; removed ${shown}` : ""}`);
    return 0;
  }
}
