/**
 * `status`: where the vault is and what state it is in, including what
 * `ignore = dirty` hides from the host's `git status`.
 */
import { existsSync, realpathSync } from "node:fs";
import { basename, relative, sep } from "node:path";
import { effectiveAssignments, encodeEnvFile, invalidEntries, isConflictMarker } from "../core/envfile.js";
import { formatEnvFile } from "../core/format.js";
import { fingerprintRecipients, readHeader, recipientList, shortFingerprint } from "../core/recipients.js";
import { staticState } from "../core/value.js";
import { withoutPrivateKeys } from "../errors.js";
import {
  type GitContext,
  aheadCount,
  commitsOnNoRemote,
  configGet,
  currentBranch,
  hasCommit,
  headCommit,
  isAncestor,
  isWorkTreeRoot,
  remoteUrl,
  repoContext,
  statusPorcelain,
  submoduleStatus,
  submoduleUrl,
  upstreamBranch,
} from "../git/index.js";
import { resolveIdentity } from "../keys/identity.js";
import { type IdentityBackend, identityBackend } from "./keys.js";
import type { Context } from "./context.js";
import { type TargetOptions, listEnvFiles, resolveVaultDir } from "./target.js";
import { type TrustPlaces, acceptCommand, isUntrusted, trustState, trustSubject } from "./trust.js";
import { type RecipientProblem, invalidRecipientLines, loadEnvFile } from "./vaultfile.js";

export interface EnvFileStatus {
  readonly file: string;
  readonly keys: number;
  readonly plaintext: number;
  readonly stale: number;
  readonly recipients: number;
  readonly fingerprint: string;
  /** Whether the file is in canonical style (what `fmt --check` checks). */
  readonly canonical: boolean;
  /** Recipient lines that are no valid age recipient (a typo), by line. */
  readonly invalidRecipients: readonly RecipientProblem[];
  /** Lines of an unresolved merge conflict (marker lines), which every command that reads the file refuses. */
  readonly conflictLines: readonly number[];
  /** Other lines that are no KEY=value line, comment or blank line. */
  readonly invalidLines: readonly number[];
  /** Against this device's trust store: `new` when it has no record yet, `changed` for recipients or a vault URL nobody here accepted. */
  readonly trust: "trusted" | "changed" | "new";
  /** The command that names this file (`--env dev`), for advice. */
  readonly flags: string;
  /** What accepting the file's current recipients takes, when `trust` is `changed`. */
  readonly accept: string;
}

export interface VaultStatus {
  readonly vaultDir: string;
  readonly exists: boolean;
  readonly mode: "submodule" | "folder" | "missing";
  /** URL in .gitmodules, and the vault's own origin (they differ after a local override). */
  readonly url: string | null;
  readonly originUrl: string | null;
  readonly pinned: string | null;
  /**
   * True when the vault dir is the top of its own git work tree. False for a
   * folder vault, a missing one, and a submodule that is not checked out (an
   * empty dir): then `checkedOut`, `branch`, `upstream`, `unpushed` and
   * `originUrl` are null and `dirty` is empty, since git run there would
   * describe the host repo.
   */
  readonly vaultRepo: boolean;
  readonly checkedOut: string | null;
  readonly submoduleState: string | null;
  readonly branch: string | null;
  readonly upstream: string | null;
  /**
   * Commits on HEAD that others cannot fetch: those the upstream lacks, or,
   * with no upstream (a new branch, a detached HEAD), those on no remote at all.
   */
  readonly unpushed: number | null;
  /**
   * How the checked-out commit stands to the one the host pins: `vault-ahead`
   * (commit the submodule in the host), `pin-ahead` (the host moved on: update
   * the vault), `diverged`, `pin-missing` (the pinned commit is not in the
   * vault repo: fetch it); null when they are the same or either is unknown.
   */
  readonly pinRelation: "vault-ahead" | "pin-ahead" | "diverged" | "pin-missing" | null;
  /** False when the pinned commit is in the vault repo but on none of its remotes: teammates cannot check it out. */
  readonly pinnedOnRemote: boolean | null;
  /** Changed or untracked paths inside the vault. */
  readonly dirty: readonly string[];
  readonly ignoreSetting: string | null;
  /** True when the host's `git status` does not show the vault's changes. */
  readonly hiddenFromHostStatus: boolean;
  readonly envFiles: readonly EnvFileStatus[];
  readonly identity: string | null;
  /** Where this device keeps its identity (the keychain or the file), whether that persists, and why not the keychain. */
  readonly identityStore: IdentityBackend;
}

function envFileStatus(ctx: Context, path: string, display: string, vaultDir: string, repoRoot: string | null, places: TrustPlaces): EnvFileStatus {
  const { file, text } = loadEnvFile(path, display);
  const subject = trustSubject(ctx, path, vaultDir, repoRoot, places);
  const trust = trustState(ctx, subject, file);
  const recipients = recipientList(readHeader(file));
  const current = shortFingerprint(recipients);
  const effective = effectiveAssignments(file);
  const states = effective.map((a) => staticState(a.value, current));
  const invalid = invalidEntries(file);
  return {
    file: display,
    keys: effective.length,
    plaintext: states.filter((s) => s === "plaintext").length,
    stale: states.filter((s) => s === "stale").length,
    recipients: recipients.length,
    fingerprint: fingerprintRecipients(recipients),
    canonical: encodeEnvFile(formatEnvFile(file)) === text,
    invalidRecipients: invalidRecipientLines(file),
    conflictLines: invalid.filter((e) => isConflictMarker(e.text)).map((e) => e.line),
    invalidLines: invalid.filter((e) => !isConflictMarker(e.text)).map((e) => e.line),
    trust: isUntrusted(trust) ? "changed" : trust.trusted === null ? "new" : "trusted",
    flags: subject.flags,
    accept: acceptCommand(subject),
  };
}

function pinRelation(vault: GitContext, pinned: string, head: string): NonNullable<VaultStatus["pinRelation"]> {
  if (!hasCommit(vault, pinned)) return "pin-missing";
  if (isAncestor(vault, pinned, head)) return "vault-ahead";
  if (isAncestor(vault, head, pinned)) return "pin-ahead";
  return "diverged";
}

/** Collects the status of the vault. */
export async function vaultStatus(ctx: Context, request: TargetOptions & { identityFile?: string | undefined }): Promise<VaultStatus> {
  const { vaultDir, repoRoot } = await resolveVaultDir(ctx, request);
  const exists = existsSync(vaultDir);
  const host = repoRoot === null ? null : repoContext({ cwd: ctx.cwd, env: ctx.env }, repoRoot);
  const rel = repoRoot === null ? basename(vaultDir) : relative(repoRoot, vaultDir).split(sep).join("/");
  const url = host === null ? null : submoduleUrl(host, rel);
  const sub = host === null || url === null ? null : submoduleStatus(host, rel);
  // The one guard against describing the host as the vault: an empty submodule
  // dir lies in the host's work tree, and git run there would find the host.
  // (Run from inside the vault repo itself, the vault dir is the repo root: a folder.)
  const vaultRepo = isWorkTreeRoot({ cwd: ctx.cwd, env: ctx.env }, vaultDir) && realpathSync(vaultDir) !== repoRoot;
  const mode = !exists ? "missing" : url !== null || vaultRepo ? "submodule" : "folder";
  const vault = vaultRepo ? repoContext({ cwd: ctx.cwd, env: ctx.env }, vaultDir) : null;

  const upstream = vault === null ? null : upstreamBranch(vault);
  const dirty = vault === null ? [] : statusPorcelain(vault, { untracked: "normal" }).map((e) => `${e.index}${e.worktree} ${e.path}`);
  const ignoreSetting = host === null || mode !== "submodule" ? null : configGet(host, `submodule.${rel}.ignore`) ?? configGet(host, `submodule.${rel}.ignore`, { scope: "file", file: `${repoRoot ?? ""}/.gitmodules` });
  const hostSees = host === null || mode !== "submodule" ? true : statusPorcelain(host, { pathspecs: [rel] }).length > 0;
  const pinned = sub?.pinned ?? null;
  const head = vault === null ? null : headCommit(vault);
  const identityStore = identityBackend(ctx);
  let identity: string | null = null;
  try {
    identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile })?.source.description ?? null;
  } catch (error) {
    identity = `unusable: ${withoutPrivateKeys((error as Error).message)}`;
  }
  const places: TrustPlaces = new Map();
  return {
    vaultDir,
    exists,
    mode,
    url,
    originUrl: vault === null ? null : remoteUrl(vault, "origin"),
    pinned,
    vaultRepo,
    checkedOut: head,
    submoduleState: sub?.state ?? null,
    branch: vault === null ? null : currentBranch(vault),
    upstream,
    unpushed: vault === null || head === null ? null : upstream !== null ? aheadCount(vault, upstream) : commitsOnNoRemote(vault, "HEAD"),
    pinRelation: vault === null || head === null || pinned === null || pinned === head ? null : pinRelation(vault, pinned, head),
    pinnedOnRemote: vault === null || pinned === null || !hasCommit(vault, pinned) ? null : commitsOnNoRemote(vault, pinned) === 0,
    dirty,
    ignoreSetting,
    hiddenFromHostStatus: dirty.length > 0 && !hostSees,
    envFiles: exists ? listEnvFiles(vaultDir).map((p) => envFileStatus(ctx, p, relative(ctx.cwd, p) || p, vaultDir, repoRoot, places)) : [],
    identity,
    identityStore,
  };
}
