import { Command, Option } from "clipanion";
import { VaultCommand } from "../base.js";
import { say } from "../ui.js";

export class MergeDriverCommand extends VaultCommand {
  static override paths = [["merge-driver"]];
  static override usage = Command.Usage({
    category: "Plumbing",
    description: "merge env files by key (called by git as a merge driver)",
    details: `
      git runs this for paths with \`merge=git-vault\` in \`.gitattributes\`. It merges key by key: a key changed on one branch only takes that change, keys changed on different branches never conflict, recipients merge as sets. A key changed differently on both branches is written with conflict markers and named on stderr (never its value), and the exit code is 1 so git marks the file conflicted. When both values decrypt to the same plaintext with your identity, ours is kept. A file that does not parse is left as ours, with exit 1.
    `,
    examples: [
      ["Register the driver (what `git vault install` does)", 'git config merge.git-vault.driver "git-vault merge-driver %O %A %B %P"'],
      ["Merge by hand", "git vault merge-driver base.env ours.env theirs.env .env.dev"],
    ],
  });
  ancestor = Option.String({ required: true, name: "ANCESTOR" });
  current = Option.String({ required: true, name: "CURRENT" });
  other = Option.String({ required: true, name: "OTHER" });
  repoPath = Option.String({ required: false, name: "PATH" });

  async execute(): Promise<number> {
    const { mergeDriver } = await import("../../app/merge.js");
    const outcome = await mergeDriver(this.context, { ancestor: this.ancestor, current: this.current, other: this.other, path: this.repoPath });
    if (outcome.kind === "unmergeable") {
      say(this.context, `git-vault: ${outcome.display}: cannot merge by key: ${outcome.reason}; left our version, resolve by hand`);
      return 1;
    }
    for (const note of outcome.notes) say(this.context, `warning: ${outcome.display}: ${note}`);
    if (outcome.droppedLines > 0) {
      say(this.context, `warning: ${outcome.display}: ${outcome.droppedLines} comment line(s) added on the other branch were not merged; keys and recipients were`);
    }
    for (const c of outcome.conflicts) {
      const how = c.ours === null ? " (deleted on ours)" : c.theirs === null ? " (deleted on theirs)" : "";
      say(this.context, `conflict: ${outcome.display}: ${c.key} changed on both branches${how}`);
    }
    if (outcome.recipientsConflict) {
      say(this.context, `conflict: ${outcome.display}: each branch removed recipients and none would be left; choose the recipient lines by hand`);
    }
    return outcome.conflicts.length > 0 || outcome.recipientsConflict ? 1 : 0;
  }
}
