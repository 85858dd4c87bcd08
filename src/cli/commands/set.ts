import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { readSecretValue } from "../input.js";
import { say } from "../ui.js";

export class SetCommand extends TargetCommand {
  static override paths = [["set"]];
  static override usage = Command.Usage({
    category: "Secrets",
    description: "encrypt a value into the env file (needs only the recipients, no private key)",
    details: `
      The value is read from a hidden prompt, from stdin (\`--stdin\`, or any piped input; one final newline is dropped), or byte for byte from a file (\`--from-file\`). A VALUE argument works too, but stays in your shell history.

      An existing key keeps its line; a new key adds one line (or a new section block with \`--section\`). A new env file gets a header with this device's recipient.
    `,
    examples: [
      ["Type a value at a hidden prompt", "git vault set DATABASE_URL"],
      ["Pipe a value in", "printf %s \"$TOKEN\" | git vault set API_TOKEN --stdin --env prod"],
      ["Store a PEM file exactly", "git vault set TLS_KEY --from-file server.key --section tls"],
    ],
  });
  key = Option.String({ required: true, name: "KEY" });
  value = Option.String({ required: false, name: "VALUE" });
  stdin = Option.Boolean("--stdin", false, { description: "Read the value from stdin" });
  fromFile = Option.String("--from-file", { description: "Read the value byte for byte from a file" });
  section = Option.String("--section,-s", { description: "Section for a new key (lowercase slug)" });
  format = Option.Boolean("--format", false, { description: "Rewrite the file in canonical style afterwards" });

  async execute(): Promise<number> {
    const { checkKeyName, setSecret } = await import("../../app/secrets.js");
    // A bad key (`set KEY=value`) is named before a value is asked for or read.
    checkKeyName(this.key, { setting: true });
    const value = await readSecretValue(this.context, { positional: this.value, stdin: this.stdin, fromFile: this.fromFile, key: this.key });
    const result = await setSecret(this.context, { ...this.target(), key: this.key, value, section: this.section, format: this.format });
    say(this.context, `${result.existed ? "updated" : "added"} ${this.key} in ${result.target.display}${result.created ? " (new file)" : ""}`);
    return 0;
  }
}
