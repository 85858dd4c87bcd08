import { relative } from "node:path";
import { Command, Option } from "clipanion";
import type { VaultStatus } from "../../app/status.js";
import { TargetCommand } from "../base.js";
import { printJson, table } from "../ui.js";

const short = (sha: string | null): string => (sha === null ? "-" : sha.slice(0, 12));

/** The vault dir as `git -C` takes it in advice: relative to the working directory. */
function relativeVaultDir(s: VaultStatus, cwd: string): string {
  return relative(cwd, s.vaultDir) || ".";
}

/** What to do when the checked-out vault commit is not the one the host pins. */
function pinAdvice(s: VaultStatus, vaultRel: string): string {
  switch (s.pinRelation) {
    case "vault-ahead":
      return `  (the vault is ahead: commit the submodule in the host repo: git add ${vaultRel})`;
    case "pin-ahead":
      return `  (the host pins a newer commit: update the vault: git -C ${vaultRel} merge --ff-only ${short(s.pinned)})`;
    case "diverged":
      return `  (diverged: merge ${short(s.pinned)} in the vault, then commit the submodule in the host repo)`;
    case "pin-missing":
      return `  (the pinned commit is not in the vault repo: git -C ${vaultRel} fetch, or it was never pushed)`;
    default:
      return "";
  }
}

function unpushedAdvice(s: VaultStatus, vaultRel: string): string {
  if (s.unpushed === null || s.unpushed === 0) return "";
  if (s.upstream !== null) return ` (run \`git -C ${vaultRel} push\`)`;
  return s.branch !== null ? ` on no remote (run \`git -C ${vaultRel} push -u origin ${s.branch}\`)` : " on no remote (run `git vault init` to attach a branch, then push it)";
}

/** The human-readable form of a vault status. */
export function renderStatus(s: VaultStatus, cwd: string): string {
  const lines: string[] = [];
  lines.push(`vault:        ${s.vaultDir} (${s.mode})`);
  if (s.url !== null) lines.push(`url:          ${s.url}${s.originUrl !== null && s.originUrl !== s.url ? ` (origin: ${s.originUrl})` : ""}`);
  if (s.mode === "submodule" && !s.vaultRepo) {
    // No vault repo here yet: branch, upstream, unpushed and dirty have nothing to describe.
    lines.push(`pinned:       ${short(s.pinned)}   not checked out (run \`git vault init\`)`);
  } else if (s.mode === "submodule") {
    const vaultRel = relativeVaultDir(s, cwd);
    lines.push(`pinned:       ${short(s.pinned)}   checked out: ${short(s.checkedOut)}${pinAdvice(s, vaultRel)}`);
    if (s.pinnedOnRemote === false) lines.push(`              the pinned commit is on no remote of the vault: teammates cannot check it out (push it: git -C ${vaultRel} push)`);
    lines.push(`branch:       ${s.branch ?? "(detached HEAD: run `git vault init` to attach a branch)"}${s.upstream ? ` -> ${s.upstream}` : ""}`);
    if (s.unpushed !== null) lines.push(`unpushed:     ${s.unpushed} commit${s.unpushed === 1 ? "" : "s"}${unpushedAdvice(s, vaultRel)}`);
    lines.push(`dirty:        ${s.dirty.length === 0 ? "no" : `${s.dirty.length} path${s.dirty.length === 1 ? "" : "s"}${s.hiddenFromHostStatus ? ` (hidden from the host's git status by ignore = ${s.ignoreSetting ?? "dirty"})` : ""}`}`);
    for (const d of s.dirty) lines.push(`              ${d}`);
  }
  lines.push(`identity:     ${s.identity ?? "none (run `git vault keygen`)"}`);
  const store = s.identityStore;
  lines.push(`key store:    ${store.backend === "keychain" ? store.where : `file ${store.where}`}${store.persists ? ", persistent" : ", NOT persistent"}${store.keychainProblem === null ? "" : ` (keychain not used: ${store.keychainProblem})`}`);
  if (s.envFiles.length > 0) {
    lines.push("env files:");
    const rows = s.envFiles.map((f) => [
      `  ${f.file}`,
      `${f.keys} key${f.keys === 1 ? "" : "s"}`,
      `${f.recipients} recipient${f.recipients === 1 ? "" : "s"}`,
      `fingerprint ${f.fingerprint.slice(0, 16)}`,
      [
        f.conflictLines.length > 0 ? `unresolved merge conflict at line ${f.conflictLines[0] ?? ""}` : "",
        ...f.invalidLines.map((line) => `invalid line ${line}`),
        f.trust === "changed" ? "recipients changed since trusted" : "",
        f.plaintext ? `${f.plaintext} plaintext` : "",
        f.stale ? `${f.stale} stale` : "",
        ...f.invalidRecipients.map((r) => `invalid recipient at line ${r.line}`),
      ].filter(Boolean).join(", "),
    ]);
    lines.push(table(rows).trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

export class StatusCommand extends TargetCommand {
  static override paths = [["status"]];
  static override usage = Command.Usage({
    category: "Setup",
    description: "show the vault: url, pinned vs checked-out commit, dirty state, unpushed commits, env files",
    details: "Shows vault changes even when `ignore = dirty` hides them from the host's `git status`.",
    examples: [
      ["Where is my vault and is it clean?", "git vault status"],
      ["For scripts", "git vault status --json"],
    ],
  });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { vaultStatus } = await import("../../app/status.js");
    const status = await vaultStatus(this.context, this.target());
    if (this.json) printJson(this.context, status);
    else this.context.stdout.write(renderStatus(status, this.context.cwd));
    return 0;
  }
}
