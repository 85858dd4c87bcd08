/**
 * Env files as they were at a commit: of the vault repo, or of the host
 * (`--host`), followed through the submodule pin. For `get --at`; values are
 * decrypted with every key of the identity, retired ones included.
 */
import { dirname, relative, sep } from "node:path";
import { type EnvFile, parseEnvFile } from "../core/envfile.js";
import { VaultError } from "../errors.js";
import { type GitContext, gitlinkAt, pathInRepo, repoContext, repoPlace, resolveCommit, tryShowBlob } from "../git/index.js";
import type { Context } from "./context.js";
import type { Target } from "./target.js";

/** The vault repository holding `path`, and the host that pins it (null for a vault that is a plain folder of the host). */
export function vaultRepos(ctx: Context, path: string): { vault: GitContext; vaultRoot: string; host: GitContext | null; vaultPath: string | null } {
  const place = repoPlace(repoContext({ cwd: ctx.cwd, env: ctx.env }, dirname(path)));
  if (place === null) {
    throw new VaultError("not-committed", `${relative(ctx.cwd, path) || path}: not in a git repository, so it has no history`);
  }
  const vaultRoot = place.root;
  const vault = repoContext({ cwd: ctx.cwd, env: ctx.env }, vaultRoot);
  const hostRoot = place.superRoot;
  if (hostRoot === null) return { vault, vaultRoot, host: null, vaultPath: null };
  return { vault, vaultRoot, host: repoContext({ cwd: ctx.cwd, env: ctx.env }, hostRoot), vaultPath: relative(hostRoot, vaultRoot).split(sep).join("/") };
}

/** An env file as stored at a commit. */
export interface FileAt {
  readonly file: EnvFile;
  /** `REV:path` as the user can read it, for messages. */
  readonly display: string;
  /** The vault commit it was read from. */
  readonly commit: string;
}

/**
 * The target env file as of `rev`: a vault commit, or with `host` a host
 * commit whose submodule pin names the vault commit.
 */
export function envFileAt(ctx: Context, target: Target, rev: string, options: { host?: boolean } = {}): FileAt {
  const { vault, vaultRoot, host, vaultPath } = vaultRepos(ctx, target.path);
  let commit: string | null;
  if (options.host) {
    // A folder vault lives in the host repository itself: a host commit is a vault commit.
    const repo = host ?? vault;
    const hostCommit = resolveCommit(repo, rev);
    if (hostCommit === null) throw new VaultError("unknown-revision", `${rev}: no such commit in the host repository`);
    commit = host === null || vaultPath === null ? hostCommit : gitlinkAt(host, hostCommit, vaultPath);
    if (commit === null) throw new VaultError("no-vault-pin", `host commit ${rev} pins no vault at ${vaultPath ?? ""}`);
    if (resolveCommit(vault, commit) === null) {
      throw new VaultError("pin-missing", `host commit ${rev} pins vault commit ${commit.slice(0, 12)}, which this vault clone does not have`, { hint: "fetch it: git vault pull (or git -C VAULT fetch)" });
    }
  } else {
    commit = resolveCommit(vault, rev);
    if (commit === null) throw new VaultError("unknown-revision", `${rev}: no such commit in the vault repository`, { hint: "name a vault commit (`git -C VAULT log`), or a host commit with --host" });
  }
  const rel = pathInRepo(vaultRoot, target.path);
  const blob = tryShowBlob(vault, `${commit}:${rel}`);
  const display = `${rev}:${rel}`;
  if (blob === null) throw new VaultError("file-missing", `${display}: the env file did not exist at that commit`);
  return { file: parseEnvFile(blob.toString("utf8")), display, commit };
}
