import { Command, Option } from "clipanion";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";

export class InitCommand extends VaultCommand {
  static override paths = [["init"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "set up a vault in this repository, or join an existing one",
    details: `
      With \`--submodule-url URL\`, adds your private vault repo as a submodule at \`vault/\` (an empty remote gets a first commit with \`.gitattributes\` and the env file). After cloning a repository that already has the vault submodule, run it without options: it checks the vault out, puts it on a branch, and sets up this clone. \`--no-submodule\` keeps the vault as a plain folder of this repository.

      It also creates this device's identity if needed, writes the vault's \`.gitattributes\` (\`diff=git-vault merge=git-vault\`), creates \`.env.<env>\` with your recipient, and installs the diff/merge drivers and the pre-commit guard in this repository and in the vault repository. Where the guard would need \`git vault hooks install --force\` (core.hooksPath set in your global config, a tracked hook), init leaves it out, finishes the rest and prints that command. Re-running it is safe.
    `,
    examples: [
      ["Start a vault backed by a private repo", "git vault init --submodule-url git@github.com:acme/app-secrets.git"],
      ["Join after cloning", "git clone --recurse-submodules git@github.com:acme/app.git && cd app && git vault init"],
      ["Keep secrets in a folder of this repo", "git vault init --no-submodule"],
    ],
  });
  submoduleUrl = Option.String("--submodule-url", { description: "URL of the (private) vault repository" });
  vaultDir = Option.String("--vault-dir", { description: "Where the vault goes (default: vault/)" });
  env = Option.String("--env,-e", { description: "Env file to create (default: dev)" });
  ignoreDirty = Option.Boolean("--ignore-dirty", false, { description: "Write ignore = dirty for the submodule in .gitmodules" });
  noSubmodule = Option.Boolean("--no-submodule", false, { description: "Use a plain folder of this repository" });
  identityFile = Option.String("--identity-file,-i", { description: "age identity file to use" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { initVault } = await import("../../app/init.js");
    const r = await initVault(this.context, {
      submoduleUrl: this.submoduleUrl,
      vaultDir: this.vaultDir,
      env: this.env,
      ignoreDirty: this.ignoreDirty,
      noSubmodule: this.noSubmodule,
      identityFile: this.identityFile,
    });
    if (this.json) {
      printJson(this.context, r);
      return 0;
    }
    if (r.keyCreated) say(this.context, `created this device's identity; your recipient is ${r.recipient}`);
    const how = { added: "added as a submodule", "created-remote": "created in the empty remote and added as a submodule", "checked-out": "checked out", present: "already set up", folder: "a plain folder" }[r.vault];
    say(this.context, `vault: ${r.vaultDir} (${how}${r.branch ? `, on branch ${r.branch}` : ""})`);
    say(this.context, `env file: ${r.envFile}${r.envCreated ? " (created)" : ""}`);
    for (const p of r.guardProblems) say(this.context, `warning: pre-commit guard not installed: ${p.message}`);
    say(this.context, r.guardProblems.length === 0 ? "drivers and pre-commit guard installed" : "drivers installed; pre-commit guard not installed (see the warning above and next:)");
    for (const step of r.next) say(this.context, `next: ${step}`);
    return 0;
  }
}
