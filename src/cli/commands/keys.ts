import { Command, Option } from "clipanion";
import { isInteractive } from "../../app/context.js";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";

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
    details: "Precedence: --identity-file, GIT_VAULT_IDENTITY, GIT_VAULT_IDENTITY_FILE, the identity file. Exits 1 when there is none.",
    examples: [
      ["Where is my identity?", "git vault keys where"],
      ["Check which identity a CI job uses", "GIT_VAULT_IDENTITY_FILE=ci.key git vault keys where --json"],
    ],
  });
  identityFile = identityFileOption();
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { whereIdentity } = await import("../../app/keys.js");
    const { source, defaultPath } = whereIdentity(this.context, this.identityFile);
    if (this.json) {
      printJson(this.context, { source: source?.kind ?? null, from: source?.description ?? null, path: source?.path ?? null, defaultPath });
    } else if (source === null) {
      say(this.context, `no identity; \`git vault keygen\` would create ${defaultPath}`);
    } else {
      this.context.stdout.write(`${source.kind}\t${source.description}\n`);
    }
    return source === null ? 1 : 0;
  }
}

export class KeysImportCommand extends VaultCommand {
  static override paths = [["keys", "import"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "use an existing age identity file as this device's identity",
    examples: [
      ["Import a key made by age-keygen", "git vault keys import ~/key.txt"],
      ["Restore a backup", "git vault keys import backup.key"],
      ["Replace this device's key (the old one is kept, retired, to read history)", "git vault keys import --replace backup.key"],
    ],
  });
  source = Option.String({ required: true, name: "FILE" });
  replace = Option.Boolean("--replace", false, { description: "Replace this device's identity; its keys are kept, retired, to read history" });

  async execute(): Promise<number> {
    const { importIdentity } = await import("../../app/keys.js");
    const result = await importIdentity(this.context, this.source, { replace: this.replace });
    say(this.context, `imported into ${result.path}`);
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
