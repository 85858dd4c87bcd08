/**
 * `doctor`: everything `status` shows plus problems and their fixes. A
 * problem that git-vault can repair safely (a textconv cache holding
 * plaintext, `cachetextconv` switched on) carries a `repair` action.
 */
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readHeader, recipientList } from "../core/recipients.js";
import { quoteShellIfNeeded } from "../core/shell.js";
import { VaultError, withoutPrivateKeys } from "../errors.js";
import { type GitContext, configGet, configGetAllOrigins, configUnset, deleteRef, gitDir, gitVersion, pruneUnreachableNow, refsMatching, repoContext, repoRoot, versionAtLeast } from "../git/index.js";
import { resolveIdentity } from "../keys/identity.js";
import { type DockerDaemon, dockerRefusal, resolveDockerDaemon } from "../runtime/docker.js";
import { configFor } from "./audit.js";
import { findExecutable } from "../runtime/child.js";
import type { Context } from "./context.js";
import { hookStatus } from "./hook.js";
import { identityRecipients } from "./recipient-of.js";
import { VAULT_ATTRIBUTES } from "./init.js";
import { type VaultStatus, vaultStatus } from "./status.js";
import type { TargetOptions } from "./target.js";
import { loadEnvFile } from "./vaultfile.js";

/** One finding of `doctor`. */
export interface Problem {
  readonly id: string;
  readonly message: string;
  readonly fix: string;
  /** Present when doctor can repair it itself. */
  readonly repair?: () => void;
}

export interface DoctorReport {
  readonly status: VaultStatus;
  readonly problems: readonly Problem[];
}

const MIN_GIT = [2, 26] as const;
/** The textconv client `git vault install` configures. */
const CLIENT = "git-vault-textconv";

function repoChecks(name: string, repo: GitContext, problems: Problem[]): void {
  const textconv = configGet(repo, "diff.git-vault.textconv");
  if (textconv === null) {
    problems.push({ id: "textconv-missing", message: `${name}: the textconv diff driver is not configured (git diff shows ciphertext)`, fix: `git -C ${repo.cwd} vault install` });
  } else {
    textconvProgramCheck(name, repo, textconv, problems);
  }
  if (configGet(repo, "merge.git-vault.driver") === null) {
    problems.push({ id: "merge-driver-missing", message: `${name}: the merge driver is not configured (env files merge line by line)`, fix: `git -C ${repo.cwd} vault install` });
  } else if (configGet(repo, "merge.git-vault.recursive") !== "binary") {
    problems.push({
      id: "merge-driver-recursive",
      message: `${name}: merge.git-vault.recursive is not binary: a merge with two merge bases can drop the other branch's changes`,
      fix: `git -C ${repo.cwd} vault install`,
    });
  }
  cacheTextconvCheck(name, repo, problems);
  const notes = refsMatching(repo, "refs/notes/textconv");
  if (notes.length > 0) {
    const refs = notes.map((note) => note.ref);
    problems.push({
      id: "textconv-cache-notes",
      message: `${name}: ${refs.join(", ")} ${refs.length === 1 ? "exists" : "exist"}: a textconv cache that holds decrypted values`,
      fix: `${refs.map((ref) => `git -C ${repo.cwd} update-ref -d ${ref}`).join(" && ")} && git -C ${repo.cwd} gc --prune=now (gc also drops any other unreachable object, such as a dropped stash)`,
      repair: () => {
        for (const ref of refs) deleteRef(repo, ref);
        // The ref gone, its objects stay in .git until pruned.
        pruneUnreachableNow(repo);
      },
    });
  }
  const hook = hookStatus(repo);
  if (!hook.willRun) {
    problems.push({ id: "hook-inactive", message: `${name}: the pre-commit guard will not run (${hook.state}${hook.problems.length ? `: ${hook.problems.join("; ")}` : ""})`, fix: hookFix(repo.cwd, hook.fix) });
  }
}

const CACHE_KEY = "diff.git-vault.cachetextconv";

/**
 * `diff.git-vault.cachetextconv` in effect: the fix names every config file
 * that turns it on (the user's global one included); doctor repairs it only
 * in the repository's own config, and never a setting it cannot remove.
 */
function cacheTextconvCheck(name: string, repo: GitContext, problems: Problem[]): void {
  const settings = configGetAllOrigins(repo, CACHE_KEY, { type: "bool" });
  if (settings.at(-1)?.value !== "true") return;
  const on = settings.filter((s) => s.value === "true");
  // git names the repository's own files relative to the top of its work tree, whatever folder it runs in.
  const top = repoRoot(repo);
  const fileOf = (origin: string): string | null => (origin.startsWith("file:") ? resolve(top, origin.slice("file:".length)) : null);
  const fixes = on.map((s) => {
    const file = fileOf(s.origin);
    return file !== null ? `git config --file ${quoteShellIfNeeded(file)} --unset-all ${CACHE_KEY}` : `leave out -c ${CACHE_KEY} (or GIT_CONFIG_PARAMETERS / GIT_CONFIG_COUNT) where git is run`;
  });
  // Repaired only in files of the repository's own git folder (not a file its config includes from elsewhere).
  const own = gitDir(repo);
  const ownFiles = on.map((s) => fileOf(s.origin));
  const repairable = ownFiles.every((f) => f !== null && !relative(own, f).startsWith(".."));
  problems.push({
    id: "textconv-cache-enabled",
    message: `${name}: ${CACHE_KEY} is on (${on.map((s) => `${s.scope} ${s.origin.replace(/^file:/, "")}`).join(", ")}): git stores decrypted values as notes in the object database`,
    fix: fixes.join(" && "),
    ...(repairable
      ? {
          repair: () => {
            for (const file of ownFiles) if (file !== null) configUnset(repo, CACHE_KEY, { scope: "file", file });
          },
        }
      : {}),
  });
}

/**
 * git runs `diff.git-vault.textconv` through the shell with the PATH it was
 * given, so a program that is not there fails every diff of an env file.
 * Checked for a value whose command is a plain word or path (what install
 * writes); a shell expression is left alone.
 */
function textconvProgramCheck(name: string, repo: GitContext, textconv: string, problems: Problem[]): void {
  const program = /^\s*([\w./+-]+)(?:\s|$)/.exec(textconv)?.[1];
  if (program === undefined) return;
  const missing = (command: string) => findExecutable(command, repo.cwd, repo.env["PATH"]) === null;
  const consequence = "git diff and git log -p of an env file fail";
  if (missing(program)) {
    const where = program.includes("/") ? "does not exist or is not executable" : "is not on PATH";
    const config = `git -C ${quoteShellIfNeeded(repo.cwd)} config diff.git-vault.textconv`;
    const fix =
      program === CLIENT
        ? `put the shipped client on PATH: ln -s ${quoteShellIfNeeded(shippedClientPath())} DIR-ON-PATH/${CLIENT} (install.sh and npm install -g do); or use the Node textconv: ${config} 'git-vault textconv'`
        : `put ${program} on PATH, or point the driver at the client: ${config} ${CLIENT}`;
    problems.push({ id: "textconv-program-missing", message: `${name}: diff.git-vault.textconv runs ${program}, which ${where}: ${consequence}`, fix });
  } else if (program === CLIENT && missing("git-vault")) {
    problems.push({
      id: "textconv-program-missing",
      message: `${name}: ${CLIENT} falls back to git-vault when no agent answers, and git-vault is not on PATH: without an agent ${consequence}`,
      fix: "put git-vault on PATH (install.sh and npm install -g do)",
    });
  }
}

/** The sh client the package ships next to the bundle (dist/git-vault-textconv). */
function shippedClientPath(): string {
  return fileURLToPath(new URL(`./${CLIENT}`, import.meta.url));
}

// The command hooks status suggests, run in that repository; without one, status explains.
function hookFix(cwd: string, fix: string | null): string {
  const where = `git -C ${quoteShellIfNeeded(cwd)} vault`;
  return fix === null ? `${where} hooks status (it says what stops the guard)` : fix.replace(/^git vault/, where);
}

/**
 * Whether this device has an identity that works: found, safe, and made of
 * valid age keys. Returns its recipients (public keys), or null when it has
 * none that works.
 */
async function identityChecks(ctx: Context, identityFile: string | undefined, problems: Problem[]): Promise<string[] | null> {
  try {
    const identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
    if (identity === null) {
      problems.push({ id: "no-identity", message: "this device has no identity: it can encrypt but not read", fix: "git vault keygen" });
      return null;
    }
    return await identityRecipients(identity);
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    problems.push({ id: error.code, message: withoutPrivateKeys(error.message), fix: withoutPrivateKeys(error.hint ?? "see `git vault keys where`") });
    return null;
  }
}

/** Env files whose header does not list any of this device's recipients: it cannot read them. */
function recipientChecks(ctx: Context, status: VaultStatus, mine: readonly string[], problems: Problem[]): void {
  for (const f of status.envFiles) {
    if (f.recipients === 0) continue; // no header yet: nothing is encrypted to anybody
    const listed = recipientList(readHeader(loadEnvFile(resolve(ctx.cwd, f.file), f.file).file));
    if (listed.some((r) => mine.includes(r))) continue;
    problems.push({
      id: "not-a-recipient",
      message: `${f.file}: this device is not a recipient, so it cannot read the values (its recipient: ${mine[0] ?? ""})`,
      fix: `ask a recipient to run: git vault recipients add ${mine[0] ?? ""} --reencrypt ${f.flags}`,
    });
  }
}

/**
 * The docker daemon `docker exec` and `docker build` would send values to,
 * resolved as they resolve it; a broken docker configuration is reported,
 * not thrown, so the other checks still run.
 */
async function dockerChecks(ctx: Context, problems: Problem[]): Promise<void> {
  let daemon: DockerDaemon;
  try {
    daemon = resolveDockerDaemon(ctx.env);
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    problems.push({ id: "docker-config", message: error.message, fix: error.hint ?? "see `docker context ls`" });
    return;
  }
  if (dockerRefusal(daemon, false) === null) return;
  let allowInsecureHost = false;
  try {
    allowInsecureHost = (await configFor(ctx)).docker?.allowInsecureHost === true;
  } catch {
    // an invalid configuration is another check's finding
  }
  const refusal = dockerRefusal(daemon, allowInsecureHost);
  if (refusal === null) return;
  const where = daemon.source === "DOCKER_HOST" ? `DOCKER_HOST=${daemon.host}` : `the docker daemon ${daemon.host} (from ${daemon.source})`;
  problems.push(
    refusal === "docker-host-insecure"
      ? {
          id: "docker-host-insecure",
          message: `${where} without TLS verification: \`git vault docker exec\` and \`docker build\` refuse to send secrets there (they would cross the network in clear)`,
          fix: "set DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH, or use an ssh:// or unix socket DOCKER_HOST (or set docker.allowInsecureHost in the configuration for a trusted network)",
        }
      : { id: "docker-host-unknown", message: `${where}: git-vault does not know how values travel there and refuses to send secrets`, fix: "use a unix://, ssh:// or TLS-verified tcp:// docker host" },
  );
}

function vaultChecks(cwd: string, status: VaultStatus, problems: Problem[]): void {
  if (!status.exists) {
    problems.push({ id: "vault-missing", message: `vault dir ${status.vaultDir} does not exist`, fix: "git vault init" });
    return;
  }
  if (status.mode === "submodule" && !status.vaultRepo) {
    // Nothing of the vault is here to check: its files and repo come with the checkout.
    const path = relative(cwd, status.vaultDir) || ".";
    problems.push({ id: "vault-uninitialized", message: `the vault submodule is not checked out at ${path}`, fix: `git vault init (or git submodule update --init -- ${path})` });
    return;
  }
  if (status.pinnedOnRemote === false) {
    problems.push({
      id: "pin-unpushed",
      message: `the host pins vault commit ${(status.pinned ?? "").slice(0, 12)}, which is on no remote of the vault: a teammate's clone cannot check it out`,
      fix: `git -C ${relative(cwd, status.vaultDir) || "."} push (the branch that holds it)`,
    });
  }
  if (status.mode === "submodule" && status.branch === null) {
    problems.push({ id: "vault-detached", message: "the vault is on a detached HEAD: commits made there can be lost", fix: "git vault init (attaches a branch)" });
  }
  let attributes = "";
  try {
    attributes = readFileSync(join(status.vaultDir, ".gitattributes"), "utf8");
  } catch {
    // reported below
  }
  const lines = new Set(attributes.split(/\r?\n/).map((l) => l.trim().replace(/\s+/g, " ")));
  if (!VAULT_ATTRIBUTES.every((l) => lines.has(l))) {
    problems.push({ id: "attributes-missing", message: `${status.vaultDir}/.gitattributes does not map env files to diff=git-vault merge=git-vault`, fix: "git vault init" });
  }
  for (const f of status.envFiles) {
    const conflict = f.conflictLines[0];
    if (conflict !== undefined) {
      problems.push({
        id: "merge-conflict",
        message: `${f.file}:${conflict}: unresolved merge conflict (every command that reads the file refuses it)`,
        fix: `resolve it: git vault textconv ${f.file} shows both sides in plaintext; keep one line per key, delete the marker lines, then git add it`,
      });
    }
    for (const line of f.invalidLines) problems.push({ id: "invalid-line", message: `${f.file}:${line}: not a KEY=value line, comment or blank line`, fix: "fix or comment out that line (dotenv would silently ignore it)" });
    if (f.plaintext > 0) problems.push({ id: "plaintext", message: `${f.file}: ${f.plaintext} plaintext value${f.plaintext === 1 ? "" : "s"}`, fix: `git vault encrypt ${f.flags}` });
    for (const bad of f.invalidRecipients) problems.push({ id: "invalid-recipient", message: `${f.file}:${bad.line}: ${bad.problem}`, fix: "fix or remove that recipient line (copy the recipient again from its owner's `git vault keys show`)" });
    if (f.trust === "changed") problems.push({ id: "untrusted", message: `${f.file}: its recipients changed since this device trusted them; encrypting to it is stopped`, fix: `check the change (git vault trust status ${f.flags}), then: ${f.accept}` });
    // Re-encrypting hands every value to the current set: advised only for a set this device trusts.
    if (f.stale > 0) problems.push({ id: "stale", message: `${f.file}: ${f.stale} value${f.stale === 1 ? "" : "s"} encrypted to an older recipient set`, fix: f.trust === "changed" || f.invalidRecipients.length > 0 ? "settle the recipient problems above first, then re-encrypt" : `git vault encrypt --reencrypt ${f.flags}` });
    if (!f.canonical && conflict === undefined) problems.push({ id: "format-drift", message: `${f.file}: not in canonical style`, fix: `git vault fmt ${f.flags}` });
  }
}

/** Runs every check. */
export async function diagnose(ctx: Context, request: TargetOptions & { identityFile?: string | undefined }): Promise<DoctorReport> {
  const problems: Problem[] = [];
  const git = { cwd: ctx.cwd, env: ctx.env };
  const version = gitVersion(git);
  if (!versionAtLeast(version, MIN_GIT[0], MIN_GIT[1])) {
    problems.push({ id: "git-too-old", message: `git ${version.major}.${version.minor}.${version.patch} is older than ${MIN_GIT.join(".")}`, fix: "upgrade git" });
  }
  const status = await vaultStatus(ctx, request);
  const mine = await identityChecks(ctx, request.identityFile, problems);
  await dockerChecks(ctx, problems);
  vaultChecks(ctx.cwd, status, problems);
  if (mine !== null && status.exists) recipientChecks(ctx, status, mine, problems);
  if (status.mode === "submodule" && status.vaultRepo) repoChecks("vault repo", repoContext(git, status.vaultDir), problems);
  else if (status.mode === "folder") repoChecks("this repo", git, problems);
  return { status, problems };
}
