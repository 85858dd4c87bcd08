import { Command, Option } from "clipanion";
import { TargetCommand } from "../base.js";
import { printJson, say } from "../ui.js";

/** What to do about each kind of finding present, in a fixed order. */
const FIXES: ReadonlyArray<readonly [string, string]> = [
  ["plaintext", "encrypt plaintext with `git vault encrypt`"],
  ["invalid-line", "fix lines that are not KEY=value"],
  ["merge-conflict", "resolve the merge conflict"],
  ["malformed", "restore malformed values from git history or set them again"],
  ["unknown-version", "upgrade git-vault to read values of a newer format"],
];

function summary(problems: readonly string[], staged: boolean): string {
  const fixes = FIXES.filter(([problem]) => problems.includes(problem)).map(([, fix]) => fix);
  const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
  return `${count}: ${fixes.join("; ")}${staged ? ", then stage the file again" : ""}`;
}

function describeFinding(problem: string): string {
  if (problem === "invalid-line") return "not a KEY=value line (dotenv skips it; it may hold a secret)";
  if (problem === "merge-conflict") return "unresolved merge conflict (a conflict marker line)";
  return problem === "plaintext" ? "plaintext value" : `${problem} value`;
}

export class CheckCommand extends TargetCommand {
  static override paths = [["check"]];
  static override usage = Command.Usage({
    category: "Guard",
    description: "find plaintext values in env files (what the pre-commit hook runs)",
    details: `
      Prints \`file:line:key\` for every value that is not encrypted and exits 1 when there is one. Empty values are allowed. \`--staged\` checks the staged blobs of env files instead of the working tree.
    `,
    examples: [
      ["Check the dev env file", "git vault check"],
      ["Check every env file of the vault", "git vault check --all"],
      ["What the pre-commit hook runs", "git vault check --staged"],
    ],
  });
  all = Option.Boolean("--all", false, { description: "Every env file of the vault dir" });
  staged = Option.Boolean("--staged", false, { description: "Check staged blobs (git index) instead of files" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const bulk = await import("../../app/bulk.js");
    const findings = this.staged
      ? await (await import("../../app/staged.js")).checkStaged(this.context)
      : await bulk.checkFiles(this.context, { ...this.target(), all: this.all });
    if (this.json) printJson(this.context, { findings });
    else for (const f of findings) this.context.stdout.write(`${f.file}:${f.line}:${f.key}: ${describeFinding(f.problem)}\n`);
    if (findings.length > 0) {
      say(this.context, summary(findings.map((f) => f.problem), this.staged));
      return 1;
    }
    return 0;
  }
}
