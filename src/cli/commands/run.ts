import { Command, Option } from "clipanion";
import { UsageError } from "../../errors.js";
import { TargetCommand } from "../base.js";

/** Parses `--only A,B` (the option may be given more than once: `--only A --only B`) into key names. */
export function parseOnly(only: string | readonly string[] | undefined): string[] | undefined {
  if (only === undefined) return undefined;
  const keys = (typeof only === "string" ? [only] : only).flatMap((o) => o.split(",")).map((k) => k.trim()).filter((k) => k !== "");
  if (keys.length === 0) throw new UsageError("--only needs at least one key name");
  return keys;
}

export class RunCommand extends TargetCommand {
  static override paths = [["run"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "run a command with the secrets in its environment (nothing written to disk)",
    details: `
      Decrypts on this machine and starts the command directly (no shell) with the values added to its environment. git-vault's own variables (GIT_VAULT_*, including an identity) are not passed on. Signals are forwarded; the exit code is the command's. When \`git vault agent\` runs holding the identity file this command would use, it decrypts all of them (the same values; on any problem they are decrypted here).
    `,
    examples: [
      ["Start the dev server with dev secrets", "git vault run -- npm run dev"],
      ["Only two keys, from prod", "git vault run --env prod --only DATABASE_URL,REDIS_URL -- ./migrate"],
    ],
  });
  only = Option.Array("--only", { description: "Comma-separated keys to pass (default: all); may be repeated" });
  argv = Option.Rest({ required: 1, name: "COMMAND" });

  async execute(): Promise<number> {
    const { runWithSecrets } = await import("../../app/run.js");
    const { valuesFromAgent } = await import("../../agent/values.js");
    return runWithSecrets(this.context, { ...this.target(), argv: this.argv, only: parseOnly(this.only), agent: valuesFromAgent }, this.context.signals);
  }
}
