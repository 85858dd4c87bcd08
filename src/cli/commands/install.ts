import { Command, Option } from "clipanion";
import { UsageError } from "../../errors.js";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";
import { renderHookInstall } from "./hooks.js";

function scopeOf(global: boolean, local: boolean): "local" | "global" {
  if (global && local) throw new UsageError("choose one of --global and --local");
  return global ? "global" : "local";
}

export class InstallCommand extends VaultCommand {
  static override paths = [["install"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "register the textconv diff driver, the merge driver and the pre-commit guard",
    details: `
      Writes only what git-vault owns: \`diff.git-vault.textconv\`, \`merge.git-vault.name\` and \`merge.git-vault.driver\` (never \`cachetextconv\`), and a \`pre-commit\` hook in the hooks directory git uses (honouring \`core.hooksPath\`, e.g. husky). An existing hook is kept and chained. Running it twice changes nothing; \`git vault uninstall\` removes exactly what it added.

      \`--global\` registers the drivers in your global git config (hooks stay per repository). \`--manual\` prints the commands instead of running them, as a script that is safe to run twice (with \`--global\`: the global driver commands only).
    `,
    examples: [
      ["Set up this repository", "git vault install"],
      ["Drivers for every repository of this user", "git vault install --global"],
      ["See what it would do", "git vault install --manual"],
    ],
  });
  global = Option.Boolean("--global", false, { description: "Drivers in the global git config (no hook)" });
  local = Option.Boolean("--local", false, { description: "Drivers and hook in this repository (default)" });
  manual = Option.Boolean("--manual", false, { description: "Print the steps instead of applying them" });
  force = Option.Boolean("--force", false, { description: "Replace conflicting driver config or hooks" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const scope = scopeOf(this.global, this.local);
    if (this.manual) {
      const { manualInstructions } = await import("../../app/manual-install.js");
      this.context.stdout.write(manualInstructions({ scope }));
      return 0;
    }
    const [install, { installHook }] = await Promise.all([import("../../app/install.js"), import("../../app/hook.js")]);
    const git = { cwd: this.context.cwd, env: this.context.env };
    const drivers = install.installDrivers(git, { scope, force: this.force });
    const hook = scope === "local" ? installHook(git, { force: this.force }) : null;
    if (this.json) {
      printJson(this.context, { drivers, hook });
      return 0;
    }
    for (const w of drivers.warnings) say(this.context, `warning: ${w}`);
    say(this.context, `drivers (${scope}): ${drivers.changed ? "registered" : "already registered"}`);
    if (hook) renderHookInstall(this.context, hook);
    return 0;
  }
}

export class UninstallCommand extends VaultCommand {
  static override paths = [["uninstall"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "remove exactly what install added",
    examples: [
      ["Undo install in this repository", "git vault uninstall"],
      ["Undo install --global", "git vault uninstall --global"],
    ],
  });
  global = Option.Boolean("--global", false, { description: "The global drivers" });
  local = Option.Boolean("--local", false, { description: "This repository's drivers and hook (default)" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const [install, { uninstallHook }] = await Promise.all([import("../../app/install.js"), import("../../app/hook.js")]);
    const scope = scopeOf(this.global, this.local);
    const git = { cwd: this.context.cwd, env: this.context.env };
    const drivers = install.uninstallDrivers(git, { scope });
    const hook = scope === "local" ? uninstallHook(git) : null;
    if (this.json) printJson(this.context, { drivers, hook });
    else {
      say(this.context, `drivers (${scope}): ${drivers.changed ? "removed" : "were not registered"}`);
      if (hook) say(this.context, `pre-commit guard: ${hook.action}${hook.restoredChained ? " (previous hook restored)" : ""}`);
    }
    return hook?.action === "foreign" ? 1 : 0;
  }
}
