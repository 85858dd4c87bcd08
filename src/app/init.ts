/**
 * `init`: bootstraps or joins a vault. Adds the vault repo as a submodule (or
 * uses a plain folder), writes the vault's `.gitattributes`, creates the env
 * file with this device's recipient, and installs the diff/merge drivers and
 * the pre-commit guard in the host repo and in the vault repo. Safe to re-run.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { encodeEnvFile, parseEnvFile } from "../core/envfile.js";
import { ensureHeader, readHeader, recipientList } from "../core/recipients.js";
import { loadConfig } from "../config/index.js";
import { UsageError, VaultError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import {
  type GitContext,
  absorbGitDirs,
  add,
  attachBranch,
  clone,
  commit,
  configGet,
  configGetRegexp,
  configSet,
  currentBranch,
  isAncestor,
  isFileTransportRefusal,
  isWorkTreeRoot,
  push,
  remoteDefaultBranch,
  remoteIsEmpty,
  repoContext,
  repoRoot,
  setUpstreamIfPresent,
  submoduleAdd,
  submoduleFetchUrl,
  submoduleStatus,
  submoduleUpdateInit,
  submoduleUrl,
  unbornBranch,
} from "../git/index.js";
import { resolveIdentity } from "../keys/identity.js";
import { hookStatus, installHook } from "./hook.js";
import { installDrivers } from "./install.js";
import { type Context, warn } from "./context.js";
import { keygen } from "./keys.js";
import { fileFlags, requireTrustFor } from "./trust.js";
import { ownRecipient } from "./recipient-of.js";
import { refuseMissingTrackedFile } from "./store.js";
import { DEFAULT_VAULT_DIR, envNameFor } from "./target.js";
import { loadEnvFile, validateEnvFile } from "./vaultfile.js";

export interface InitRequest {
  readonly submoduleUrl?: string | undefined;
  readonly vaultDir?: string | undefined;
  readonly env?: string | undefined;
  readonly ignoreDirty?: boolean;
  readonly noSubmodule?: boolean;
  readonly identityFile?: string | undefined;
}

export interface InitResult {
  readonly vaultDir: string;
  readonly mode: "submodule" | "folder";
  /** What happened to the vault repo: added now, checked out, or already there. */
  readonly vault: "added" | "created-remote" | "checked-out" | "present" | "folder";
  readonly envFile: string;
  readonly envCreated: boolean;
  readonly recipient: string;
  /** False when this device is not yet a recipient of the existing env file. */
  readonly isRecipient: boolean;
  readonly keyCreated: boolean;
  readonly branch: string | null;
  readonly committedInVault: boolean;
  /** Why the pre-commit guard was not installed in a repository (empty when it was everywhere). */
  readonly guardProblems: readonly GuardProblem[];
  readonly next: string[];
}

/** A repository where init left the pre-commit guard out, and how to install it. */
export interface GuardProblem {
  /** The repository's top-level directory. */
  readonly repo: string;
  readonly message: string;
  /** What to run, with `git -C DIR` for the vault repo. */
  readonly hint: string;
}

/** The `.gitattributes` lines the vault needs; missing ones are appended. */
export const VAULT_ATTRIBUTES = [".env diff=git-vault merge=git-vault", ".env.* diff=git-vault merge=git-vault"];

function ensureAttributes(vaultDir: string): boolean {
  const path = join(vaultDir, ".gitattributes");
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim().replace(/\s+/g, " ")));
  const missing = VAULT_ATTRIBUTES.filter((l) => !have.has(l));
  if (missing.length === 0) return false;
  const sepNl = text === "" || text.endsWith("\n") ? "" : "\n";
  writeFileAtomic(path, `${text}${sepNl}${missing.join("\n")}\n`);
  return true;
}

/**
 * Joins the vault listed in `.gitmodules`: checks it out when it is not. The
 * URL is the repository's, not the user's, so git's own configuration decides
 * whether a local path may be cloned (CVE-2022-39253); when git refuses, the
 * error says how to allow it for a URL the user trusts.
 */
function checkOutListedVault(rootCtx: GitContext, vaultDir: string, vaultRel: string, url: string): "checked-out" | "present" {
  if (submoduleStatus(rootCtx, vaultRel)?.state !== "uninitialized" && isWorkTreeRoot(rootCtx, vaultDir)) return "present";
  try {
    submoduleUpdateInit(rootCtx, vaultRel);
  } catch (error) {
    if (!isFileTransportRefusal(error)) throw error;
    // The URL git tried (a relative one resolved against this clone's remote), for the user to judge.
    throw new VaultError("submodule-file-transport", `git refused to clone the vault submodule from ${submoduleFetchUrl(rootCtx, url)}: a submodule on a local path or file:// URL is cloned only when git's configuration allows the file transport (CVE-2022-39253)`, {
      hint: `if you trust that path, run \`git -c protocol.file.allow=always submodule update --init -- ${vaultRel}\` and then \`git vault init\` again, or allow it for good with \`git config --global protocol.file.allow always\``,
    });
  }
  return "checked-out";
}

/**
 * Puts the vault submodule on a branch tracking its remote so commits made in
 * it are not orphaned. The host's pin decides the commit: when the local
 * branch is elsewhere but holds nothing the remote lacks (a fresh clone whose
 * pin is behind the remote), the branch is moved to the pin; a branch with
 * commits of its own is never moved, and the vault stays detached with advice.
 */
function attachVaultBranch(vault: GitContext, next: string[], vaultRel: string): string | null {
  const branch = remoteDefaultBranch(vault) ?? "main";
  const upstream = `refs/remotes/origin/${branch}`;
  const attached = attachBranch(vault, branch, { keptBy: upstream });
  if (attached === "diverged") {
    next.push(`the vault is on a detached HEAD because its branch ${branch} has commits the pinned one lacks: run git -C ${vaultRel} switch ${branch} (or git -C ${vaultRel} switch -c <name>) before committing there`);
    return currentBranch(vault);
  }
  if (attached === "moved" && !isAncestor(vault, upstream, "HEAD")) next.push(`this repo pins an older vault commit than origin/${branch}: run git -C ${vaultRel} pull to get the newest secrets`);
  setUpstreamIfPresent(vault, "origin", branch);
  return branch;
}

/** What this run of `init` made that a failure must not leave behind. */
interface Made {
  /** The vault clone of an empty remote, until it is registered as a submodule. */
  clone: string | null;
}

/**
 * Runs `init`. A vault made from an empty remote is removed again when a
 * later step fails (the first push refused, say): left in place it is a
 * nested clone no submodule lists, which a second `init` could neither clone
 * into nor tell from a folder vault. Nothing of value is lost: it holds only
 * what this run wrote.
 */
export async function initVault(ctx: Context, request: InitRequest): Promise<InitResult> {
  const made: Made = { clone: null };
  try {
    return await initSteps(ctx, request, made);
  } catch (error) {
    if (made.clone !== null) {
      rmSync(made.clone, { recursive: true, force: true });
      warn(ctx, `init did not finish: removed the vault clone it had made in ${relative(ctx.cwd, made.clone) || made.clone}/, so that init can be run again`);
    }
    throw error;
  }
}

async function initSteps(ctx: Context, request: InitRequest, made: Made): Promise<InitResult> {
  if (request.noSubmodule && request.submoduleUrl !== undefined) throw new UsageError("--no-submodule cannot be combined with --submodule-url");
  const host: GitContext = { cwd: ctx.cwd, env: ctx.env };
  const root = repoRoot(host);
  const rootCtx = repoContext(host, root);
  // The same precedence as every other command: flag, GIT_VAULT_DIR, configuration, vault/.
  const configured = request.vaultDir ?? (ctx.env["GIT_VAULT_DIR"] || undefined);
  const config = await loadConfig(ctx.cwd, root);
  const vaultDir = configured !== undefined ? resolve(ctx.cwd, configured) : (config.vaultDir ?? join(root, DEFAULT_VAULT_DIR));
  const vaultRel = relative(root, vaultDir).split(sep).join("/");
  if (vaultRel === "" || vaultRel.startsWith("..")) throw new UsageError(`the vault dir must be inside the repository: ${vaultDir}`);
  // The env every later command defaults to: --env, GIT_VAULT_ENV, the configuration's defaultEnv, dev.
  const envName = envNameFor(ctx, request, config);
  const next: string[] = [];

  // Joining comes first, so a checkout git refuses leaves nothing behind, not even a new identity.
  const listed = submoduleUrl(rootCtx, vaultRel);
  const joined = listed === null ? null : checkOutListedVault(rootCtx, vaultDir, vaultRel, listed);

  // Make sure there is an identity: a new env file needs this device's recipient.
  // Only when no identity is found the usual way (a CI job's GIT_VAULT_IDENTITY counts).
  const key = resolveIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile: request.identityFile }) === null ? await keygen(ctx) : null;
  const me = await ownRecipient(ctx, request.identityFile);

  let vault: InitResult["vault"];
  let mode: InitResult["mode"] = "submodule";
  let emptyRemote = false;
  if (joined !== null) {
    vault = joined;
  } else if (request.submoduleUrl !== undefined) {
    const url = request.submoduleUrl;
    if (existsSync(vaultDir) && !isWorkTreeRoot(rootCtx, vaultDir)) {
      throw new VaultError("vault-dir-exists", `${vaultRel}/ already exists and is not a git repository`, { hint: "choose another --vault-dir, or move it away" });
    }
    // git resolves a relative URL (../app-secrets.git) against this repo's remote; so must
    // every call that takes the URL itself. `submodule add` gets it as typed, for .gitmodules.
    const fetchUrl = submoduleFetchUrl(rootCtx, url);
    emptyRemote = remoteIsEmpty(rootCtx, fetchUrl);
    if (emptyRemote) {
      // A folder that is no work tree was refused above: one here is a clone no submodule lists.
      if (existsSync(vaultDir)) {
        throw new VaultError("vault-dir-exists", `${vaultRel}/ already exists, and no submodule of this repository lists it; the remote is empty, so init would clone into it`, {
          hint: `if an earlier init left it (its first push failed), move it away and run init again: mv ${vaultRel} ${vaultRel}.old`,
        });
      }
      // `submodule add` needs a commit to point at: clone the empty remote, make one, push it.
      clone(rootCtx, fetchUrl, vaultDir);
      made.clone = vaultDir;
      vault = "created-remote";
    } else {
      submoduleAdd(rootCtx, url, vaultRel);
      vault = "added";
    }
  } else if (request.noSubmodule || existsSync(vaultDir)) {
    mkdirSync(vaultDir, { recursive: true });
    mode = "folder";
    vault = "folder";
  } else {
    // A teammate of a repo whose vault lives elsewhere (libs/secrets) must not be sent to create a new one.
    const others = existsSync(join(root, ".gitmodules"))
      ? configGetRegexp(rootCtx, "^submodule\\..*\\.path$", { scope: "file", file: join(root, ".gitmodules") }).map((e) => e.value)
      : [];
    const hint =
      others.length > 0
        ? `this repo has submodule${others.length === 1 ? "" : "s"} at ${others.join(", ")}: if the vault is one of them, run \`git vault init --vault-dir ${others[0] as string}\` (and set vaultDir in .git-vaultrc.yml for every command); else create one with \`git vault init --submodule-url URL\``
        : "create a private repo for your secrets and run `git vault init --submodule-url URL`, or keep them in this repo with `git vault init --no-submodule`";
    throw new UsageError(`no vault at ${vaultRel}/`, hint);
  }

  const vaultIsRepo = mode === "submodule";
  const vaultCtx = vaultIsRepo ? repoContext(host, vaultDir) : rootCtx;
  const branch = vaultIsRepo ? (emptyRemote ? unbornBranch(vaultCtx) : attachVaultBranch(vaultCtx, next, vaultRel)) : null;

  const attributesWritten = ensureAttributes(vaultDir);
  const envFile = join(vaultDir, `.env.${envName}`);
  const envCreated = !existsSync(envFile);
  if (envCreated) {
    refuseMissingTrackedFile(ctx, envFile, { git: vaultIsRepo ? vaultCtx : rootCtx, dir: vaultIsRepo ? vaultDir : root });
    writeFileAtomic(envFile, encodeEnvFile(ensureHeader(parseEnvFile(""), [me])), { exclusive: true });
  }
  const loaded = loadEnvFile(envFile, relative(ctx.cwd, envFile) || envFile);
  validateEnvFile(ctx, loaded);
  // Joining records the recipients (and vault URL) on first use; a known vault that changed is asked about.
  await requireTrustFor(ctx, { path: envFile, vaultDir, repoRoot: root }, loaded.file);
  const isRecipient = recipientList(readHeader(loaded.file)).includes(me.recipient);
  if (!isRecipient) next.push(`ask a recipient to run: git vault recipients add ${me.recipient}${me.label ? ` --label ${me.label}` : ""} --reencrypt ${fileFlags(ctx, envFile, vaultDir, root)}`);

  // Drivers and the guard where env files are committed: the vault repo, and the host.
  // A guard that needs --force (a hooks folder shared by all repositories, a
  // tracked hook) is left out with advice: that choice is the user's.
  const guardProblems: GuardProblem[] = [];
  installDrivers(rootCtx, { scope: "local" });
  addGuardProblem(guardProblems, tryInstallHook(rootCtx, null));
  if (vaultIsRepo) {
    installDrivers(vaultCtx, { scope: "local" });
    addGuardProblem(guardProblems, tryInstallHook(vaultCtx, vaultRel));
  }
  for (const problem of guardProblems) next.push(problem.hint);

  let committedInVault = false;
  if (vaultIsRepo && emptyRemote) {
    add(vaultCtx, [".gitattributes", `.env.${envName}`]);
    commit(vaultCtx, "Initialize git-vault vault");
    push(vaultCtx, "origin", [`HEAD:refs/heads/${branch ?? "main"}`], { setUpstream: true });
    submoduleAdd(rootCtx, request.submoduleUrl as string, vaultRel);
    made.clone = null; // registered: from here on it is the vault, kept whatever happens next
    absorbGitDirs(rootCtx, vaultRel);
    committedInVault = true;
  } else if (vaultIsRepo && (attributesWritten || envCreated)) {
    next.push(`commit the vault: git -C ${vaultRel} add .gitattributes .env.${envName} && git -C ${vaultRel} commit -m "Add ${envName} env" && git -C ${vaultRel} push`);
  }
  if (request.ignoreDirty && vaultIsRepo) {
    const gitmodules = join(root, ".gitmodules");
    const already = configGet(rootCtx, `submodule.${vaultRel}.ignore`, { scope: "file", file: gitmodules }) === "dirty";
    if (!already) {
      configSet(rootCtx, `submodule.${vaultRel}.ignore`, "dirty", { scope: "file", file: gitmodules });
      add(rootCtx, [".gitmodules"]);
      if (vault !== "added" && vault !== "created-remote") next.push('commit .gitmodules (now with ignore = dirty): git commit -m "Ignore a dirty vault in git status" .gitmodules');
    }
  }
  if (listed !== null && request.submoduleUrl !== undefined && request.submoduleUrl !== listed) {
    // The vault is already registered; init joins it and does not move it to another repo.
    next.push(`--submodule-url was not used: ${vaultRel} already comes from ${listed} (.gitmodules); to move the vault, run git submodule set-url ${vaultRel} URL`);
  }
  if (vault === "added" || vault === "created-remote") next.push(`commit the submodule in this repo: git add .gitmodules ${vaultRel} && git commit -m "Add secrets vault"`);
  if (mode === "folder") next.push(`commit the vault folder: git add ${vaultRel} && git commit -m "Add secrets vault"`);

  return {
    vaultDir,
    mode,
    vault,
    envFile,
    envCreated,
    recipient: me.recipient,
    isRecipient,
    keyCreated: key?.created ?? false,
    branch,
    committedInVault,
    guardProblems,
    next,
  };
}

/** Installs the guard; a refusal becomes a GuardProblem whose commands run in that repository (`-C rel`). */
function tryInstallHook(repo: GitContext, rel: string | null): GuardProblem | null {
  try {
    installHook(repo);
    return null;
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    const here = (text: string) => (rel === null ? text : text.replaceAll("`git vault ", `\`git -C ${rel} vault `));
    const fix = hookStatus(repo).fix;
    const hint = error.hint ?? (fix === null ? "see `git vault hooks status`" : `run \`${fix}\``);
    return { repo: repo.cwd, message: error.message, hint: here(hint) };
  }
}

// The host and the vault can share one hooks folder (a global core.hooksPath): one report for both.
function addGuardProblem(list: GuardProblem[], problem: GuardProblem | null): void {
  if (problem !== null && !list.some((p) => p.message === problem.message)) list.push(problem);
}
