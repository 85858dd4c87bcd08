/** The read-modify-write cycle of an env file: locked, validated, written atomically. */
import { existsSync, realpathSync } from "node:fs";
import { dirname, relative } from "node:path";
import { type EnvFile, encodeEnvFile } from "../core/envfile.js";
import { VaultError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { withFileLock } from "../files/lock.js";
import { type GitContext, commit, lsFiles, pathInRepo, repoContext, statusPorcelain, tryRepoRoot, tryShowBlob } from "../git/index.js";
import type { Context } from "./context.js";
import { type LoadedFile, loadEnvFile, validateEnvFile } from "./vaultfile.js";

/** What an update did to the file. */
export interface UpdateOutcome {
  readonly written: boolean;
  readonly created: boolean;
  /** The commit made with `commitAs`, else null. */
  readonly commit: string | null;
}

/**
 * Locks `path`, loads and validates it, lets `change` compute the new file
 * (null: leave it), and writes it atomically only if its bytes changed.
 */
export async function updateEnvFile(
  ctx: Context,
  path: string,
  display: string,
  change: (loaded: LoadedFile) => EnvFile | null | Promise<EnvFile | null>,
  options: { allowMissing?: boolean; commitAs?: string | undefined } = {},
): Promise<UpdateOutcome> {
  return withFileLock(path, async () => {
    // Checked and committed under the lock: no other writer's change can slip into the commit.
    if (options.commitAs !== undefined) refuseUncommittedChanges(ctx, path, display);
    const loaded = loadEnvFile(path, display, options);
    if (!loaded.exists) refuseMissingTrackedFile(ctx, path);
    validateEnvFile(ctx, loaded);
    const next = await change(loaded);
    if (next === null) return { written: false, created: false, commit: null };
    const text = encodeEnvFile(next);
    if (loaded.exists && text === loaded.text) return { written: false, created: false, commit: null };
    writeFileAtomic(path, text, { mode: 0o644 });
    const commitId = options.commitAs === undefined ? null : commit({ cwd: dirname(path), env: ctx.env }, options.commitAs, [path]);
    return { written: true, created: !loaded.exists, commit: commitId };
  });
}

/**
 * Refuses, before a change that is to be committed alone (the API's
 * `commit: true`), an env file with changes nobody committed: the commit
 * would take them too, under the wrong name.
 */
function refuseUncommittedChanges(ctx: Context, path: string, display: string): void {
  const changed = statusPorcelain({ cwd: dirname(path), env: ctx.env }, { pathspecs: [path], untracked: "all" });
  if (changed.length === 0) return;
  throw new VaultError("uncommitted-changes", `${display} has changes that are not committed; nothing was written`, {
    hint: "commit (or undo) them first, or send the change without commit",
  });
}

/**
 * A new env file must not stand in for one the repository already has: a
 * file in HEAD or the index that is missing on disk (deleted by hand, left out
 * by a sparse checkout or by a clone that failed) would be replaced by one
 * with none of its values and recipients, and the next commit would drop
 * them all. `repo`: the repository and its root, when the caller knows them
 * (else found from the file's folder; none: nothing to refuse).
 */
export function refuseMissingTrackedFile(ctx: Context, envFile: string, repo?: { readonly git: GitContext; readonly dir: string }): void {
  const folder = dirname(envFile);
  let git = repo?.git;
  let dir = repo?.dir;
  if (git === undefined || dir === undefined) {
    if (!existsSync(folder)) return;
    const here = repoContext({ cwd: ctx.cwd, env: ctx.env }, folder);
    dir = tryRepoRoot(here) ?? undefined;
    if (dir === undefined) return;
    git = repoContext(here, dir);
  }
  // Both real: git's root is a real path, and `envFile` may lead into the tree through a link.
  const rel = pathInRepo(realpathSync(dir), envFile);
  const inIndex = lsFiles(git, [`:(literal)${rel}`]).length > 0;
  if (!inIndex && tryShowBlob(git, `HEAD:${rel}`) === null) return;
  const shown = relative(ctx.cwd, envFile) || envFile;
  const where = relative(ctx.cwd, dir) || ".";
  // From the index when it is there (what was staged), else from HEAD (its deletion is staged).
  const restore = inIndex ? `git -C ${where} checkout -- ${rel}` : `git -C ${where} checkout HEAD -- ${rel}`;
  throw new VaultError("env-file-missing", `${shown} is tracked by git but missing from the working tree; a new file in its place would drop its values and recipients at the next commit`, {
    hint: `restore it with \`${restore}\` (in a sparse checkout, \`git -C ${where} sparse-checkout add\` its folder); if cloning the vault failed, run \`git submodule update --init\` first`,
  });
}
