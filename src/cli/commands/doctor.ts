import { Command, Option } from "clipanion";
import { isInteractive } from "../../app/context.js";
import { TargetCommand } from "../base.js";
import { askYesNo } from "../prompt.js";
import { paint, printJson, say } from "../ui.js";
import { renderStatus } from "./status.js";

export class DoctorCommand extends TargetCommand {
  static override paths = [["doctor"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "status plus problems and fixes (exit 1 when something is wrong)",
    details: `
      Checks the git version, the identity and its permissions, that the pre-commit guard really runs (considering core.hooksPath), that the textconv and merge drivers are configured, that no textconv cache (\`refs/notes/textconv/*\`, which would hold plaintext) exists, that the vault is checked out on a branch, an insecure DOCKER_HOST, plaintext or stale values and format drift. \`--fix\` repairs what is safe to repair (deletes the textconv cache, turns cachetextconv off); on a terminal it offers to.
    `,
    examples: [
      ["Check the set-up", "git vault doctor"],
      ["Repair what can be repaired", "git vault doctor --fix"],
    ],
  });
  fix = Option.Boolean("--fix", false, { description: "Repair what can safely be repaired" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { diagnose } = await import("../../app/doctor.js");
    const report = await diagnose(this.context, this.target());
    if (this.json) {
      printJson(this.context, { status: report.status, problems: report.problems.map((p) => ({ id: p.id, message: p.message, fix: p.fix, repairable: p.repair !== undefined })) });
    } else {
      this.context.stdout.write(renderStatus(report.status, this.context.cwd));
      for (const p of report.problems) {
        this.context.stdout.write(`${paint(this.context, this.context.stdout, "red", "problem:")} ${p.message}\n    fix: ${p.fix}\n`);
      }
      if (report.problems.length === 0) this.context.stdout.write(`${paint(this.context, this.context.stdout, "green", "no problems found")}\n`);
    }
    const tried: (typeof report.problems)[number][] = [];
    for (const p of report.problems) {
      if (p.repair === undefined) continue;
      const go = this.fix || (isInteractive(this.context) && !this.json && (await askYesNo(this.context, `Repair: ${p.message}?`)));
      if (!go) continue;
      p.repair();
      tried.push(p);
    }
    if (tried.length === 0) return report.problems.length === 0 ? 0 : 1;
    // A repair is reported as done only when a second look no longer finds the problem.
    const after = await diagnose(this.context, this.target());
    for (const p of tried) {
      const left = after.problems.some((q) => q.id === p.id && q.message === p.message);
      say(this.context, `${left ? "not repaired" : "repaired"}: ${p.id}`);
    }
    return after.problems.length === 0 ? 0 : 1;
  }
}
