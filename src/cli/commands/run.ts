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

      When the configuration has a secrets manifest, the command is not started while a key it requires for this env is missing. \`--group NAME\` passes the keys of a group of the manifest.

      \`--as-files\` writes each value to a file (mode 0400) in a private folder on a tmpfs ($XDG_RUNTIME_DIR, else /dev/shm) and passes \`KEY_FILE=/path\` instead of the value; the folder is removed when the command ends (a folder left by a killed git-vault is removed by the next run).
    `,
    examples: [
      ["Start the dev server with dev secrets", "git vault run -- npm run dev"],
      ["Only two keys, from prod", "git vault run --env prod --only DATABASE_URL,REDIS_URL -- ./migrate"],
      ["The keys of the manifest's deploy group", "git vault run --env prod --group deploy -- ./deploy.sh"],
      ["Secrets as files (POSTGRES_PASSWORD_FILE=…)", "git vault run --as-files --only POSTGRES_PASSWORD -- postgres"],
    ],
  });
  only = Option.Array("--only", { description: "Comma-separated keys to pass (default: all); may be repeated" });
  group = Option.String("--group,-g", { description: "Pass the keys of this group of the secrets manifest" });
  asFiles = Option.Boolean("--as-files", false, { description: "Pass each value as a file on a tmpfs (KEY_FILE=/path) instead of in the environment" });
  allowDisk = Option.Boolean("--allow-disk", false, { description: "With --as-files: write the files to disk when no tmpfs is available" });
  argv = Option.Rest({ required: 1, name: "COMMAND" });

  async execute(): Promise<number> {
    if (this.allowDisk && !this.asFiles) throw new UsageError("--allow-disk is for --as-files");
    const { runWithSecrets } = await import("../../app/run.js");
    const { valuesFromAgent } = await import("../../agent/values.js");
    return runWithSecrets(this.context, { ...this.target(), argv: this.argv, only: parseOnly(this.only), group: this.group, asFiles: this.asFiles, allowDisk: this.allowDisk, agent: valuesFromAgent }, this.context.signals);
  }
}
