/**
 * `check --staged`: the pre-commit guard. Reads the blobs git is about to
 * commit (not the working tree), so a plaintext value that was staged and
 * then encrypted only on disk is still caught.
 */
import { basename, join, relative, sep } from "node:path";
import { parseEnvFile } from "../core/envfile.js";
import { readHeader } from "../core/recipients.js";
import { repoRoot, showBlob, stagedFiles } from "../git/index.js";
import { type Finding, findPlaintext } from "./bulk.js";
import type { Context } from "./context.js";
import { ENV_FILE_RE, displayPath, resolveVaultDir } from "./target.js";

/** Whether a repo-relative path lies in the vault dir (when the vault is a plain folder of this repo). */
function inVaultDir(root: string, vaultDir: string | null, path: string): boolean {
  if (vaultDir === null) return false;
  const rel = relative(vaultDir, join(root, path));
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep);
}

/**
 * Plaintext values in staged env files. An env file is one named `.env` or
 * `.env.NAME` that carries the git-vault header or lies in the vault dir.
 */
export async function checkStaged(ctx: Context): Promise<Finding[]> {
  const git = { cwd: ctx.cwd, env: ctx.env };
  const root = repoRoot(git);
  let vaultDir: string | null = null;
  try {
    vaultDir = (await resolveVaultDir(ctx, {})).vaultDir;
  } catch {
    vaultDir = null; // inside the vault repo itself the header decides
  }
  const findings: Finding[] = [];
  for (const path of stagedFiles({ cwd: root, env: ctx.env }, [])) {
    if (!ENV_FILE_RE.test(basename(path))) continue;
    const text = showBlob({ cwd: root, env: ctx.env }, `:${path}`).toString("utf8");
    const file = parseEnvFile(text);
    if (readHeader(file).version === null && !inVaultDir(root, vaultDir, path)) continue;
    findings.push(...findPlaintext(displayPath(ctx, join(root, path)), file));
  }
  return findings;
}
