/**
 * `pull`: the one command a teammate runs to pick up vault changes. Fetches
 * the vault's remote, fast-forwards its branch (rebases only when asked),
 * checks trust, and summarizes what changed by key and recipient name.
 */
import { relative, sep } from "node:path";
import { type FileChanges, compareEnvFiles, isUnchanged } from "../core/changes.js";
import { parseEnvFile } from "../core/envfile.js";
import { VaultError } from "../errors.js";
import {
  type GitContext,
  attachBranch,
  changedPaths,
  currentBranch,
  fastForward,
  fetch,
  hasCommit,
  headCommit,
  isAncestor,
  isWorkTreeRoot,
  lsFiles,
  rebase,
  remoteDefaultBranch,
  repoContext,
  setUpstreamIfPresent,
  tryShowBlob,
  upstreamBranch,
} from "../git/index.js";
import type { Context } from "./context.js";
import { ENV_FILE_RE, type TargetOptions, displayPath, resolveVaultDir } from "./target.js";
import { type TrustRow, trustStatus } from "./trust.js";

export interface PullRequest extends TargetOptions {
  readonly rebase?: boolean;
}

/** One env file's changes in a pull (or a review), by name. */
export interface EnvFileChanges extends FileChanges {
  readonly file: string;
}

export interface PullResult {
  readonly vaultDir: string;
  readonly branch: string;
  readonly upstream: string;
  readonly before: string | null;
  readonly after: string | null;
  readonly how: "up-to-date" | "fast-forward" | "rebased" | "ahead";
  readonly files: readonly EnvFileChanges[];
  /** Env files whose recipients or vault URL changed in a way this device has not accepted. */
  readonly untrusted: readonly TrustRow[];
  /** The vault's path in the host, when it is a submodule (to commit the new pin). */
  readonly vaultPath: string | null;
  /** Whether the host's index already pins `after` (then there is no pin to commit). */
  readonly pinned: boolean;
}

/** The env-file changes between two commits of a repository, by key and recipient. */
export function envFileChanges(repo: GitContext, from: string | null, to: string, display: (path: string) => string): EnvFileChanges[] {
  const paths = from === null ? [] : changedPaths(repo, from, to);
  const read = (rev: string | null, path: string) => {
    if (rev === null) return null;
    const blob = tryShowBlob(repo, `${rev}:${path}`);
    return blob === null ? null : parseEnvFile(blob.toString("utf8"));
  };
  return paths
    .filter((p) => ENV_FILE_RE.test(p.split("/").pop() ?? ""))
    .map((p) => ({ file: display(p), ...compareEnvFiles(read(from, p), read(to, p)) }))
    .filter((c) => !isUnchanged(c));
}

function attachToBranch(vault: GitContext, vaultRel: string): string {
  const branch = currentBranch(vault);
  if (branch !== null) return branch;
  // A vault left detached by `git submodule update`: put it on its branch when that loses nothing.
  const wanted = remoteDefaultBranch(vault) ?? "main";
  // A branch origin holds whole is moved to HEAD (the pin `git pull --recurse-submodules` checked out),
  // when HEAD is on origin's branch too: a pin from another branch must not become this one's.
  const origin = `refs/remotes/origin/${wanted}`;
  const onOrigin = hasCommit(vault, origin) && isAncestor(vault, "HEAD", origin);
  if (attachBranch(vault, wanted, onOrigin ? { keptBy: origin } : {}) === "diverged") {
    const why = onOrigin ? `its branch ${wanted} has commits origin does not have` : `the checked-out commit is not on origin/${wanted} and its branch ${wanted} points elsewhere`;
    throw new VaultError("vault-detached", `the vault (${vaultRel}) is on a detached HEAD, and ${why}`, {
      hint: `look first (git -C ${vaultRel} log --oneline --graph HEAD ${wanted} origin/${wanted}), then switch: git -C ${vaultRel} switch ${wanted} (or switch -c NAME to keep these commits); then pull again`,
    });
  }
  return wanted;
}

/** Runs `pull` in the vault repo. */
export async function pullVault(ctx: Context, request: PullRequest): Promise<PullResult> {
  const { vaultDir, repoRoot } = await resolveVaultDir(ctx, request);
  const vaultRel = displayPath(ctx, vaultDir);
  if (!isWorkTreeRoot({ cwd: ctx.cwd, env: ctx.env }, vaultDir)) {
    throw new VaultError("vault-not-repo", `the vault (${vaultRel}) is not a git repository of its own, so there is nothing to pull`, {
      hint: "a vault kept as a folder of this repository comes with `git pull`; after cloning, `git vault init` checks out a vault submodule",
    });
  }
  const vault = repoContext({ cwd: ctx.cwd, env: ctx.env }, vaultDir);
  const branch = attachToBranch(vault, vaultRel);
  fetch(vault, "origin");
  const upstream = upstreamBranch(vault) ?? (setUpstreamIfPresent(vault, "origin", branch) ? `origin/${branch}` : null);
  if (upstream === null) {
    throw new VaultError("no-upstream", `the vault branch ${branch} has no upstream and origin has no branch ${branch}`, {
      hint: `push it first: git -C ${vaultRel} push -u origin ${branch}`,
    });
  }
  const before = headCommit(vault);
  let how: PullResult["how"];
  if (before !== null && isAncestor(vault, upstream, before)) {
    how = isAncestor(vault, before, upstream) ? "up-to-date" : "ahead";
  } else if (before === null || isAncestor(vault, before, upstream)) {
    fastForward(vault, upstream);
    how = "fast-forward";
  } else if (request.rebase) {
    rebase(vault, upstream);
    how = "rebased";
  } else {
    throw new VaultError("vault-diverged", `the vault branch ${branch} and ${upstream} have diverged (each has commits the other lacks)`, {
      hint: `run \`git vault pull --rebase\` to replay your vault commits on top (env files merge key by key), or merge by hand in ${vaultRel}`,
    });
  }
  const after = headCommit(vault);
  const files = after === null ? [] : envFileChanges(vault, before, after, (p) => displayPath(ctx, `${vaultDir}/${p}`));
  const untrusted = (await trustStatus(ctx, { vaultDir, all: true })).filter((r) => r.state === "changed");
  const vaultPath = repoRoot !== null && repoRoot !== vaultDir ? relative(repoRoot, vaultDir).split(sep).join("/") : null;
  const pin = repoRoot === null || vaultPath === null ? undefined : lsFiles(repoContext({ cwd: ctx.cwd, env: ctx.env }, repoRoot), [`:(literal)${vaultPath}`], { stage: true }).find((e) => e.mode === "160000");
  return { vaultDir, branch, upstream, before, after, how, files, untrusted, vaultPath, pinned: pin !== undefined && pin.object === after };
}
