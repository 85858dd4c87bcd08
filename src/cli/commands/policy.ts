import { Command, Option } from "clipanion";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";

export class PolicyAllowCommand extends VaultCommand {
  static override paths = [["policy", "allow"]];
  static override usage = Command.Usage({
    category: "Audit",
    description: "allow the policy hooks the configuration names to run on this device (after reading them)",
    details: `
      A policy hook comes with the repository's configuration (\`policyHook\`), so a clone cannot run code by naming one: git-vault runs a hook only once this device allowed its current content. Until then, and again after the hook changes, every decryption it guards is denied. This records the SHA-256 of each hook the configuration in the current folder names in \`$XDG_CONFIG_HOME/git-vault/allowed-policy-hooks\`.
    `,
    examples: [
      ["Read the hook, then allow it", "cat scripts/approve-prod && git vault policy allow"],
      ["In CI, after checking out a reviewed commit", "git vault policy allow --json"],
    ],
  });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { allowPolicyHooks } = await import("../../app/policy.js");
    const hooks = await allowPolicyHooks(this.context);
    if (this.json) printJson(this.context, hooks);
    else if (hooks.length === 0) say(this.context, "the configuration here names no policy hook");
    else for (const h of hooks) say(this.context, `allowed ${h.path} (sha256 ${h.digest.slice(0, 16)}…)`);
    return 0;
  }
}
