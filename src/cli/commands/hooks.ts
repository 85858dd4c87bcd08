import { Command, Option } from "clipanion";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";

export class HooksInstallCommand extends VaultCommand {
  static override paths = [["hooks", "install"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "install the pre-commit guard alone",
    details: "The guard runs `git-vault check --staged`. An existing pre-commit hook is moved to `pre-commit.git-vault-chained` and still runs first. `core.hooksPath` (husky) is honoured.",
    examples: [
      ["Install the guard", "git vault hooks install"],
      ["In the vault submodule", "git -C vault vault hooks install"],
    ],
  });
  force = Option.Boolean("--force", false, { description: "Install even over a tracked hook or a shared hooks path" });

  async execute(): Promise<number> {
    const { installHook } = await import("../../app/install.js");
    const r = installHook({ cwd: this.context.cwd, env: this.context.env }, { force: this.force });
    say(this.context, `pre-commit guard: ${r.action} in ${r.hooksDir}${r.chained ? " (existing hook chained)" : ""}`);
    return 0;
  }
}

export class HooksUninstallCommand extends VaultCommand {
  static override paths = [["hooks", "uninstall"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "remove the pre-commit guard (restoring a chained hook)",
    examples: [
      ["Remove the guard", "git vault hooks uninstall"],
      ["From the vault submodule", "git -C vault vault hooks uninstall"],
    ],
  });

  async execute(): Promise<number> {
    const { uninstallHook } = await import("../../app/install.js");
    const r = uninstallHook({ cwd: this.context.cwd, env: this.context.env });
    say(this.context, `pre-commit guard: ${r.action}${r.restoredChained ? " (previous hook restored)" : ""}`);
    return r.action === "foreign" ? 1 : 0;
  }
}

export class HooksStatusCommand extends VaultCommand {
  static override paths = [["hooks", "status"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "tell whether the pre-commit guard is installed and will really run",
    examples: [
      ["Is the guard active?", "git vault hooks status"],
      ["For scripts", "git vault hooks status --json"],
    ],
  });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { hookStatus } = await import("../../app/install.js");
    const s = hookStatus({ cwd: this.context.cwd, env: this.context.env });
    if (this.json) printJson(this.context, s);
    else {
      this.context.stdout.write(`${s.state}${s.willRun ? "" : " (will not run)"}\t${s.hooksDir}${s.hooksPath ? `\t(core.hooksPath from ${s.hooksPath.scope} config)` : ""}\n`);
      for (const p of s.problems) say(this.context, `problem: ${p}`);
    }
    return s.willRun ? 0 : 1;
  }
}
