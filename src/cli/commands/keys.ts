import { Command, Option } from "clipanion";
import type { KeygenResult } from "../../app/keys.js";
import { isInteractive } from "../../app/context.js";
import { UsageError } from "../../errors.js";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";

/** Where a new identity went, for people: the keychain, or the file and why not the keychain. */
export function storedWhere(result: KeygenResult): string {
  if (result.backend === "keychain") return `in the ${result.path}`;
  return result.keychainProblem === null ? result.path : `${result.path} (not in the keychain: ${result.keychainProblem})`;
}

const identityFileOption = () => Option.String("--identity-file,-i", { description: "age identity file to use instead of the default" });

export class KeysShowCommand extends VaultCommand {
  static override paths = [["keys", "show"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "print the recipient (public key) of this device's identity",
    examples: [
      ["Print your recipient", "git vault keys show"],
      ["As JSON, with where it comes from", "git vault keys show --json"],
    ],
  });
  identityFile = identityFileOption();
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { showRecipients } = await import("../../app/keys.js");
    const { source, recipients } = await showRecipients(this.context, this.identityFile);
    if (this.json) printJson(this.context, { recipient: recipients[0], recipients, source: source.kind, from: source.description });
    else this.context.stdout.write(`${recipients[0] as string}\n`);
    return 0;
  }
}

export class KeysWhereCommand extends VaultCommand {
  static override paths = [["keys", "where"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "tell where the identity in use comes from",
    details:
      "Precedence: --identity-file, GIT_VAULT_IDENTITY, GIT_VAULT_IDENTITY_FILE, the OS keychain (service git-vault), the identity file. Prints the kind (flag, env, env-file, keychain, file) and where; says on stderr when the keychain cannot be used, and why. Exits 1 when there is no identity.",
    examples: [
      ["Where is my identity?", "git vault keys where"],
      ["Check which identity a CI job uses", "GIT_VAULT_IDENTITY_FILE=ci.key git vault keys where --json"],
    ],
  });
  identityFile = identityFileOption();
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { whereIdentity } = await import("../../app/keys.js");
    const { source, defaultPath, device, keychainProblem } = whereIdentity(this.context, this.identityFile);
    if (this.json) {
      printJson(this.context, { source: source?.kind ?? null, from: source?.description ?? null, path: source?.path ?? null, defaultPath, keychain: { usable: keychainProblem === null, problem: keychainProblem } });
      return source === null ? 1 : 0;
    }
    if (source === null) say(this.context, `no identity; \`git vault keygen\` would create it in ${device}`);
    else this.context.stdout.write(`${source.kind}\t${source.description}\n`);
    if (keychainProblem !== null) say(this.context, `keychain not used: ${keychainProblem}`);
    return source === null ? 1 : 0;
  }
}

export class KeysImportCommand extends VaultCommand {
  static override paths = [["keys", "import"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "use an existing age identity file as this device's identity",
    details: "Stores it like `keygen` does: in the OS keychain when usable, else in the 0600 identity file. `-` reads the identity from stdin.",
    examples: [
      ["Import a key made by age-keygen", "git vault keys import ~/key.txt"],
      ["Restore a backup from a password manager", "pass show git-vault/identity | git vault keys import -"],
      ["Replace this device's key (the old one is kept, retired, to read history)", "git vault keys import --replace backup.key"],
    ],
  });
  source = Option.String({ required: true, name: "FILE" });
  replace = Option.Boolean("--replace", false, { description: "Replace this device's identity; its keys are kept, retired, to read history" });

  async execute(): Promise<number> {
    const { importIdentity } = await import("../../app/keys.js");
    const result = await importIdentity(this.context, this.source, { replace: this.replace });
    say(this.context, `imported ${storedWhere(result)}`);
    this.context.stdout.write(`${result.recipient}\n`);
    return 0;
  }
}

export class KeysExportCommand extends VaultCommand {
  static override paths = [["keys", "export"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "print the private identity for a backup (explicit; handle with care)",
    examples: [
      ["Back up to a password manager", "git vault keys export | pass insert -m git-vault/identity"],
      ["Write a backup file", "git vault keys export > backup.key && chmod 600 backup.key"],
    ],
  });
  identityFile = identityFileOption();

  async execute(): Promise<number> {
    const { exportIdentity } = await import("../../app/keys.js");
    const text = await exportIdentity(this.context, this.identityFile);
    if (isInteractive(this.context) && this.context.stdout.isTTY) say(this.context, "warning: this is your private key; it is now on your screen");
    this.context.stdout.write(text);
    return 0;
  }
}

export class KeysMigrateCommand extends VaultCommand {
  static override paths = [["keys", "migrate"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "move this device's identity between the OS keychain and the identity file",
    details:
      "Moves every key (current, pending and retired) to the chosen backend, reads the copy back, and only then removes the source. Refuses when the destination already holds an identity, and when the keychain cannot be used (it says why).",
    examples: [
      ["Move the identity file into the keychain", "git vault keys migrate --to keychain"],
      ["Move it out of the keychain into the 0600 file", "git vault keys migrate --to file"],
      ["As JSON", "git vault keys migrate --to keychain --json"],
    ],
  });
  to = Option.String("--to", { required: true, description: "keychain or file" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    if (this.to !== "keychain" && this.to !== "file") throw new UsageError(`--to must be keychain or file, not ${JSON.stringify(this.to)}`);
    const { migrateIdentity } = await import("../../app/keys.js");
    const moved = migrateIdentity(this.context, this.to);
    if (this.json) printJson(this.context, moved);
    else say(this.context, `moved ${moved.keys} key${moved.keys === 1 ? "" : "s"} from ${moved.from} to ${moved.to}`);
    return 0;
  }
}
