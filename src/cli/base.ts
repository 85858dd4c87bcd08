/** The base of every git-vault command: its context and the options shared by file-targeting commands. */
import { type BaseContext, Command, Option } from "clipanion";
import type { Context } from "../app/context.js";

/** Clipanion's context plus what the use cases need. */
export type CliContext = BaseContext &
  Context & {
    /** Where signals arrive, for commands that forward them to a child (bin.ts passes `process`). */
    readonly signals: Pick<NodeJS.Process, "on" | "off">;
  };

/** A command with git-vault's context. */
export abstract class VaultCommand extends Command<CliContext> {}

/** `--vault-dir`, for commands that work on a whole vault rather than one env file. */
export const vaultDirOption = () => Option.String("--vault-dir", { description: "Vault folder (default: vault/ at the repository root)" });

/** A command that works on one env file (`--file`, or `--vault-dir` + `--env`). */
export abstract class TargetCommand extends VaultCommand {
  file = Option.String("--file,-f", { description: "Env file to use (wins over --vault-dir and --env)" });
  vaultDir = vaultDirOption();
  env = Option.String("--env,-e", { description: "Environment name: the file is VAULT_DIR/.env.NAME (default: dev)" });
  identityFile = Option.String("--identity-file,-i", { description: "age identity file to decrypt with" });

  /** The target options as the use cases take them. */
  protected target(): { file: string | undefined; vaultDir: string | undefined; env: string | undefined; identityFile: string | undefined } {
    return { file: this.file, vaultDir: this.vaultDir, env: this.env, identityFile: this.identityFile };
  }
}
