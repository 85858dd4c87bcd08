import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { say } from "../ui.js";
import { parseOnly } from "./run.js";

export class ExportCommand extends TargetCommand {
  static override paths = [["export"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "print decrypted values for a deploy target (dotenv, json, shell, k8s, github) or an encrypted bundle",
    details: `
      Writes to stdout only (redirect it yourself), with a warning when stdout is a terminal. \`dotenv\` parses back to the same pairs with the dotenv package; \`json\` is one object; \`shell\` is \`export KEY='…'\` lines that sh and bash \`eval\` back to the exact bytes; \`k8s\` is a v1 Secret manifest with base64 data (\`--name\`, \`--namespace\`); \`github\` is the \`KEY<<DELIMITER\` form for \`$GITHUB_ENV\`, with a random delimiter no value contains.

      \`--bundle --recipient age1…\` prints an ASCII-armored age file of the selected pairs instead, safe to move; \`git vault import --bundle FILE\` reads it back.
    `,
    examples: [
      ["A Kubernetes Secret from prod", "git vault export --env prod --format k8s --name api --namespace web | kubectl apply -f -"],
      ["Fly.io secrets", "git vault export --env prod --format dotenv | flyctl secrets import"],
      ["Into a shell", "eval \"$(git vault export --format shell --only DATABASE_URL)\""],
      ["A bundle for another machine", "git vault export --env prod --bundle --recipient age1… > prod.age"],
    ],
  });
  format = Option.String("--format", { description: "dotenv (default), json, shell, k8s or github" });
  only = Option.Array("--only", { description: "Comma-separated keys to export (default: all); may be repeated" });
  group = Option.String("--group,-g", { description: "Export the keys of this group of the secrets manifest" });
  name = Option.String("--name", { description: "k8s: the Secret's name (default: secrets-ENV)" });
  namespace = Option.String("--namespace", { description: "k8s: the Secret's namespace" });
  bundle = Option.Boolean("--bundle", false, { description: "Print an age-encrypted bundle for --recipient instead" });
  recipients = Option.Array("--recipient,-r", { description: "With --bundle: an age1… recipient to encrypt to; may be repeated" });

  async execute(): Promise<number> {
    const { UsageError } = await import("../../errors.js");
    if (this.recipients !== undefined && !this.bundle) throw new UsageError("--recipient is for --bundle");
    const { exportSecrets } = await import("../../app/export.js");
    const text = await exportSecrets(this.context, {
      ...this.target(),
      only: parseOnly(this.only),
      group: this.group,
      format: this.format,
      name: this.name,
      namespace: this.namespace,
      bundleRecipients: this.bundle ? (this.recipients ?? []) : undefined,
    });
    if (this.context.stdout.isTTY === true) say(this.context, `warning: printing ${this.bundle ? "an encrypted bundle" : "decrypted values"} to a terminal (pipe or redirect them instead)`);
    this.context.stdout.write(text);
    return 0;
  }
}
