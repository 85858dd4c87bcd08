import { Command, Option } from "clipanion";
import type { ReviewResult, ReviewedFile } from "../../app/review.js";
import { VaultCommand } from "../base.js";
import { printJson } from "../ui.js";

/** How names a writer chose are written: as they are in text, as inline code in markdown. */
type Quote = (name: string) => string;
const asIs: Quote = (name) => name;

/** What a reviewer must look at in one file, as sentences. */
function concerns(f: ReviewedFile, q: Quote = asIs): string[] {
  return [
    ...(f.trust === "untrusted" ? [`recipient set not trusted: ${f.trustDetail}`] : []),
    ...f.invalidRecipients.map((r) => `line ${r.line}: ${r.problem}`),
    ...(f.stale.length > 0 ? [`values encrypted to an older recipient set: ${f.stale.map(q).join(", ")}`] : []),
    ...(f.plaintext.length > 0 ? [`plaintext values: ${f.plaintext.map(q).join(", ")}`] : []),
    ...f.invalidLines.map((l) => `line ${l}: not a KEY=value line, comment or blank line`),
  ];
}

function changes(f: ReviewedFile, q: Quote = asIs): string[] {
  const list = (what: string, keys: readonly string[]) => (keys.length === 0 ? [] : [`${what}: ${keys.map(q).join(", ")}`]);
  const recipient = (r: { recipient: string; label: string | null }) => `${q(r.recipient)}${r.label ? ` (${q(r.label)})` : ""}`;
  return [
    ...(f.deleted ? ["file deleted"] : []),
    ...list("keys added", f.added),
    ...list("keys changed", f.changed),
    ...list("keys removed", f.removed),
    ...f.recipientsAdded.map((r) => `recipient added: ${recipient(r)}`),
    ...f.recipientsRemoved.map((r) => `recipient removed: ${recipient(r)}`),
    ...(f.canonical ? [] : [`not in canonical style (${q("git vault fmt")})`]),
  ];
}

const short = (c: string | null): string => (c === null ? "(none)" : c.slice(0, 7));

function renderText(r: ReviewResult): string {
  const lines = [`review ${r.range} (vault ${short(r.base)}..${short(r.head)})`];
  if (r.files.length === 0) lines.push("no env file changed");
  for (const f of r.files) {
    lines.push(`${f.file}:`, ...changes(f).map((c) => `  ${c}`), ...concerns(f).map((c) => `  ! ${c}`));
    lines.push(`  recipient set ${f.fingerprint.slice(0, 16)}: ${f.trust} (${f.trustDetail})`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Inline code that holds `text` as it is, whatever it holds: a fence of one
 * backtick more than its longest run of backticks, padded when it starts or
 * ends with one, and line breaks as spaces. Everything a writer of the vault
 * controls (file names, keys, recipients, labels) goes into one, so none of
 * it renders as markdown, a link, an image or an @-mention in the comment.
 */
function inlineCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const fence = "`".repeat(Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

// Markdown for a pull-request comment (no value is ever shown): the same
// sentences as the text, with every name a writer chose in inline code.
function renderMarkdown(r: ReviewResult): string {
  const lines = [`### git-vault review: ${inlineCode(r.range)}`, "", `Vault ${inlineCode(`${short(r.base)}..${short(r.head)}`)} · ${r.attention ? "**needs a reviewer's attention**" : "nothing needs attention"}`, ""];
  if (r.files.length === 0) lines.push("No env file changed.");
  for (const f of r.files) {
    lines.push(`#### ${inlineCode(f.file)}`, "");
    lines.push(...changes(f, inlineCode).map((c) => `- ${c}`), ...concerns(f, inlineCode).map((c) => `- :warning: ${c}`));
    lines.push(`- recipient set ${inlineCode(f.fingerprint.slice(0, 16))}: **${f.trust}** (${f.trustDetail})`, "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

export class ReviewCommand extends VaultCommand {
  static override paths = [["review"]];
  static override usage = Command.Usage({
    category: "Team",
    description: "summarize a vault range for a pull request: keys and recipients changed, stale values, trust (no identity needed)",
    details: `
      Reads only git history, so CI can run it with no identity. The range names vault commits (default: the vault branch's upstream..HEAD); with \`--host\` it names host commits and follows the submodule pin. Per env file: keys added, changed and removed (names only), recipients added and removed with labels, values left encrypted to an old recipient set, plaintext and invalid lines, recipient lines that are not valid age recipients, and whether the resulting recipient set is trusted (this device's trust store, a \`--trust-fingerprint\` pin, or unchanged from the base). Exit 1 when something needs a reviewer (an untrusted recipient set, an invalid line, stale or plaintext values).
    `,
    examples: [
      ["Your unpushed vault commits", "git vault review"],
      ["A feature branch of the vault, as a PR comment", "git vault review main..feature --markdown"],
      ["A host pull request, through the vault pin", "git vault review origin/main...HEAD --host --markdown"],
    ],
  });
  range = Option.String({ required: false, name: "BASE..HEAD" });
  vaultDir = Option.String("--vault-dir", { description: "Vault folder (default: vault/ at the repository root)" });
  host = Option.Boolean("--host", false, { description: "The range names host commits; follow the submodule pin" });
  markdown = Option.Boolean("--markdown", false, { description: "Markdown for a pull-request comment" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });
  trustFingerprint = Option.Array("--trust-fingerprint", { description: "Expected recipient-set fingerprint (hex prefix), or ENV=HEX for one env file" });

  async execute(): Promise<number> {
    const { reviewVault } = await import("../../app/review.js");
    const result = await reviewVault(this.context, { vaultDir: this.vaultDir, range: this.range, host: this.host, trustFingerprint: this.trustFingerprint });
    if (this.json) printJson(this.context, result);
    else this.context.stdout.write(this.markdown ? renderMarkdown(result) : renderText(result));
    return result.attention ? 1 : 0;
  }
}
