import { Command, Option } from "clipanion";
import type { Context } from "../../app/context.js";
import type { HookInstallResult } from "../../app/hook.js";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";

/** The lines `hooks install` and `install` print about the guard. */
export function renderHookInstall(ctx: Context, r: HookInstallResult): void {
  const chainedPath = `${r.hooksDir}/pre-commit.git-vault-chained`;
  if (r.replacedChained === "forced") say(ctx, `warning: deleted ${chainedPath}, the hook chained by an earlier install (--force); the new pre-commit is chained instead`);
  if (r.replacedChained === "guard-copy") say(ctx, `removed ${chainedPath}: a copy of git-vault's guard, not a hook of yours`);
  say(ctx, `pre-commit guard: ${r.action} in ${r.hooksDir}${r.chained ? " (existing hook chained)" : ""}`);
}

export class HooksInstallCommand extends VaultCommand {
  static override paths = [["hooks", "install"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "install the pre-commit guard alone",
    details:
      "The guard runs `git-vault check --staged`. An existing pre-commit hook is moved to `pre-commit.git-vault-chained` and still runs first. `core.hooksPath` (husky) is honoured. When something replaced the guard (husky regenerating `.husky/_`), running it again chains the new hook; `--force` is needed only when the chained copy from before differs from it (the old copy is then deleted), when the hook is tracked, or when core.hooksPath comes from the global or system config.",
    examples: [
      ["Install the guard", "git vault hooks install"],
      ["Re-chain a hook husky regenerated, replacing an older chained copy", "git vault hooks install --force"],
      ["In the vault submodule", "git -C vault vault hooks install"],
    ],
  });
  force = Option.Boolean("--force", false, { description: "Install even over a tracked hook, into a shared hooks path, or replacing a different chained hook" });

  async execute(): Promise<number> {
    const { installHook } = await import("../../app/hook.js");
    renderHookInstall(this.context, installHook({ cwd: this.context.cwd, env: this.context.env }, { force: this.force }));
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
    const { uninstallHook } = await import("../../app/hook.js");
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
    const { hookStatus } = await import("../../app/hook.js");
    const s = hookStatus({ cwd: this.context.cwd, env: this.context.env });
    if (this.json) printJson(this.context, s);
    else {
      this.context.stdout.write(`${s.state}${s.willRun ? "" : " (will not run)"}\t${s.hooksDir}${s.hooksPath ? `\t(core.hooksPath from ${s.hooksPath.scope} config)` : ""}\n`);
      for (const p of s.problems) say(this.context, `problem: ${p}`);
    }
    return s.willRun ? 0 : 1;
  }
}
