/**
 * Trust on first use: the recipient set of each env file and the vault URL of
 * each host, as this device accepted them, kept in a local, non-secret store
 * (`$XDG_STATE_HOME/git-vault/trust.json`). Every command that encrypts asks
 * {@link requireTrust} first: a set that changed in a way this device did not
 * make stops it until accepted.
 */
import { mkdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { type EnvFile } from "../core/envfile.js";
import { type Recipient, fingerprintRecipients, readHeader } from "../core/recipients.js";
import {
  type RecipientDrift,
  type TrustStoreData,
  type TrustedFile,
  emptyTrustStore,
  encodeTrustStore,
  isNoDrift,
  parseTrustStore,
  recipientDrift,
  recipientText,
  trustedFile,
} from "../core/trust.js";
import { VaultError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { withFileLock } from "../files/lock.js";
import { type GitContext, mayBeListedSubmodule, pathInRepo, queryGitmodulesUrl, queryRootCommit, remoteUrl, repoContext, repoPlace, sharesRepository } from "../git/index.js";
import { audited } from "./audit.js";
import { type Context, isInteractive, stateDir } from "./context.js";
import { DEFAULT_VAULT_DIR, type TargetOptions, allTargets, displayPath, resolveTarget } from "./target.js";
import { loadEnvFile, validateEnvFile } from "./vaultfile.js";

/** The trust store file: `$XDG_STATE_HOME/git-vault/trust.json`. */
export function trustStorePath(env: Context["env"]): string {
  return join(stateDir(env), "trust.json");
}

/** What an env file's trust is keyed by, and how to name it in advice. */
export interface TrustSubject {
  /** `remote:URL`, `root:COMMIT` or `path:DIR` of the repository holding the file. */
  readonly vaultId: string;
  /** The file's path inside that repository. */
  readonly file: string;
  readonly display: string;
  /** The options that name this file on a command line (`--env prod`, `--file F`). */
  readonly flags: string;
  /** The host that pins the vault as a submodule, with the URL its `.gitmodules` lists now. */
  readonly host: { readonly id: string; readonly vaultPath: string; readonly url: string; readonly display: string } | null;
}

/** A repository's trust key: its origin URL, else its first commit (asked for unless the branch is known to be unborn), else its path. */
function repoIdentity(repo: GitContext, root: string, mayHaveCommits: boolean): string {
  const url = remoteUrl(repo, "origin");
  if (url !== null) return `remote:${url}`;
  const first = mayHaveCommits ? queryRootCommit(repo) : null;
  return first !== null ? `root:${first}` : `path:${realpathSync(root)}`;
}

/** The options that name `path` for the commands: `--env NAME` in the usual vault dir, else `--file`. */
export function fileFlags(ctx: Context, path: string, vaultDir: string | null, repoRoot: string | null): string {
  const name = basename(path);
  const inVaultDir = vaultDir !== null && dirname(path) === vaultDir && /^\.env\.[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) && !name.endsWith(".lock");
  if (!inVaultDir) return `--file ${displayPath(ctx, path)}`;
  const env = name.slice(".env.".length);
  const usual = repoRoot !== null && (vaultDir === join(repoRoot, DEFAULT_VAULT_DIR) || vaultDir === repoRoot);
  return usual ? `--env ${env}` : `--vault-dir ${displayPath(ctx, vaultDir)} --env ${env}`;
}

/** The repository a folder of env files is in, as the trust store keys it. */
interface TrustPlace {
  readonly root: string | null;
  readonly vaultId: string;
  readonly host: { readonly id: string; readonly vaultPath: string; readonly url: string; readonly superRoot: string } | null;
}

/**
 * The places already worked out in one command, by folder: a command that
 * looks at every env file of a vault asks git about the vault once.
 */
export type TrustPlaces = Map<string, TrustPlace>;

// One `git rev-parse` for the root and the superproject, one query for the
// origin (and the first commit only when there is none), and for a
// submodule one `git config` of the host's `.gitmodules` and the host's origin.
// The rev-parse is left out when the folder is in the repository whose root
// the command already found (`knownRoot`, from its working directory) and no
// `.gitmodules` above could list that repository: `set --file` in a plain
// repository then runs one git process here instead of two and git's child.
function trustPlace(ctx: Context, dir: string, knownRoot: string | null): TrustPlace {
  const here = repoContext({ cwd: ctx.cwd, env: ctx.env }, dir);
  const listed = mayBeListedSubmodule(here.cwd, ctx.env);
  if (!listed && knownRoot !== null && sharesRepository(here.cwd, knownRoot, ctx.env)) {
    return { root: knownRoot, vaultId: repoIdentity(repoContext(here, knownRoot), knownRoot, true), host: null };
  }
  const place = repoPlace(here, { superproject: listed });
  if (place === null) return { root: null, vaultId: `path:${realpathSync(dir)}`, host: null };
  const vaultId = repoIdentity(repoContext(here, place.root), place.root, place.born);
  if (place.superRoot === null) return { root: place.root, vaultId, host: null };
  const superRoot = place.superRoot;
  const hostRepo = repoContext(here, superRoot);
  const vaultPath = relative(superRoot, place.root).split(sep).join("/");
  const url = queryGitmodulesUrl(hostRepo, superRoot, vaultPath);
  return { root: place.root, vaultId, host: url === null ? null : { id: repoIdentity(hostRepo, superRoot, true), vaultPath, url, superRoot } };
}

/**
 * Works out what the trust of the env file at `path` is keyed by. `hostRoot`
 * is the root of the repository of the command's working directory (the
 * target's repoRoot); `places` shares the answer between the env files of
 * one folder.
 */
export function trustSubject(ctx: Context, path: string, vaultDir: string | null, hostRoot: string | null, places: TrustPlaces = new Map()): TrustSubject {
  const dir = dirname(path);
  const place = places.get(dir) ?? trustPlace(ctx, dir, hostRoot);
  places.set(dir, place);
  const file = place.root === null ? basename(path) : pathInRepo(place.root, path);
  const host = place.host === null ? null : { id: place.host.id, vaultPath: place.host.vaultPath, url: place.host.url, display: displayPath(ctx, join(place.host.superRoot, ".gitmodules")) };
  return { vaultId: place.vaultId, file, display: displayPath(ctx, path), flags: fileFlags(ctx, path, vaultDir, hostRoot), host };
}

function readStore(ctx: Context): TrustStoreData {
  const path = trustStorePath(ctx.env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyTrustStore();
    throw new VaultError("trust-store-unreadable", `cannot read the trust store ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const data = parseTrustStore(text);
  if (data === null) {
    throw new VaultError("trust-store-invalid", `the trust store ${path} is not a git-vault trust store`, {
      hint: `move it away; the next command records the recipient sets again (check them with \`git vault trust status --all\`)`,
    });
  }
  return data;
}

/** Changes the store under its lock, written atomically. */
async function updateStore(ctx: Context, change: (data: TrustStoreData) => void): Promise<void> {
  const path = trustStorePath(ctx.env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await withFileLock(path, () => {
    const data = readStore(ctx);
    change(data);
    writeFileAtomic(path, encodeTrustStore(data), { mode: 0o600 });
    return Promise.resolve();
  });
}

function headerRecipients(file: EnvFile): Recipient[] {
  return readHeader(file).recipients.map((r) => ({ recipient: r.recipient, label: r.label }));
}

/** How an env file stands to what this device accepted. */
export interface TrustState {
  readonly subject: TrustSubject;
  /** The file as read, whose recipients `recipients` lists. */
  readonly envFile: EnvFile;
  readonly recipients: readonly Recipient[];
  readonly fingerprint: string;
  /** What was accepted; null when nothing was recorded yet (first use). */
  readonly trusted: TrustedFile | null;
  /** Null on first use; otherwise what changed (empty when nothing). */
  readonly drift: RecipientDrift | null;
  /** The vault URL accepted and the one `.gitmodules` lists now, when the vault is a submodule with a record. */
  readonly url: { readonly trusted: string | null; readonly current: string } | null;
}

/** True when the state holds a change nobody on this device accepted. */
export function isUntrusted(state: TrustState): boolean {
  return (state.drift !== null && !isNoDrift(state.drift)) || urlChanged(state);
}

function urlChanged(state: TrustState): boolean {
  return state.url !== null && state.url.trusted !== null && state.url.trusted !== state.url.current;
}

/** The trust state of a file's recipient set (and its vault's URL), read from the store. */
export function trustState(ctx: Context, subject: TrustSubject, file: EnvFile, data: TrustStoreData = readStore(ctx)): TrustState {
  const recipients = headerRecipients(file);
  const trusted = data.vaults[subject.vaultId]?.files[subject.file] ?? null;
  const host = subject.host;
  return {
    subject,
    envFile: file,
    recipients,
    fingerprint: fingerprintRecipients(recipients.map((r) => r.recipient)),
    trusted,
    drift: trusted === null ? null : recipientDrift(trusted.recipients, recipients),
    url: host === null ? null : { trusted: data.hosts[host.id]?.[host.vaultPath] ?? null, current: host.url },
  };
}

/** Records `file`'s recipient set (and the vault URL) as accepted by this device. */
export async function recordTrust(ctx: Context, subject: TrustSubject, file: EnvFile): Promise<void> {
  const record = trustedFile(headerRecipients(file), ctx.clock());
  await updateStore(ctx, (data) => {
    const vault = (data.vaults[subject.vaultId] ??= { files: {} });
    vault.files[subject.file] = record;
    if (subject.host !== null) (data.hosts[subject.host.id] ??= {})[subject.host.vaultPath] = subject.host.url;
  });
}

/** Lines describing what changed, for prompts and errors: `+ age1… (label)`, `- …`, the URL. */
export function describeTrustChange(state: TrustState): string[] {
  const lines: string[] = [];
  if (state.drift !== null) {
    lines.push(...state.drift.added.map((r) => `  + ${recipientText(r)}`), ...state.drift.removed.map((r) => `  - ${recipientText(r)}`));
  }
  if (urlChanged(state) && state.url !== null) lines.push(`  vault URL in ${state.subject.host?.display ?? ".gitmodules"}: ${state.url.trusted ?? ""} -> ${state.url.current}`);
  return lines;
}

/** The command that accepts the current state of a file. */
export function acceptCommand(subject: TrustSubject): string {
  return `git vault trust accept ${subject.flags}`;
}

/**
 * The gate of every command that encrypts: on first use records the file's
 * recipient set (and vault URL) and prints its fingerprint; after that, a
 * change this device did not make is asked about on a terminal and is an
 * error without one, naming the change and the accept command.
 */
export async function requireTrust(ctx: Context, subject: TrustSubject, file: EnvFile): Promise<void> {
  const state = trustState(ctx, subject, file);
  // A changed vault URL is a change even for a file with no record yet: after
  // `git submodule sync` the vault's origin names the new repository, so its
  // files have no records under it and would otherwise pass for a first use.
  if (state.trusted === null && !urlChanged(state)) {
    ctx.stderr.write(
      `trust: first use of ${subject.display}: recording its ${state.recipients.length} recipient${state.recipients.length === 1 ? "" : "s"}, fingerprint ${state.fingerprint.slice(0, 16)}\n` +
        state.recipients.map((r) => `  ${recipientText(r)}\n`).join("") +
        (subject.host !== null && state.url?.trusted === null ? `trust: vault URL ${subject.host.url}\n` : ""),
    );
    await recordTrust(ctx, subject, file);
    return;
  }
  if (!isUntrusted(state)) {
    // A host seen for the first time (a second clone of a known vault) records its URL.
    if (subject.host !== null && state.url?.trusted === null) await recordTrust(ctx, subject, file);
    return;
  }
  const what = urlChanged(state) && (state.drift === null || isNoDrift(state.drift)) ? "the vault URL changed" : "the recipients changed";
  const message = `${subject.display}: ${what} since this device last trusted it:\n${describeTrustChange(state).join("\n")}`;
  if (ctx.ask !== undefined && isInteractive(ctx)) {
    ctx.stderr.write(`${message}\n`);
    if (await ctx.ask(`Trust this change and encrypt to the new recipient set of ${subject.display}?`)) {
      await recordTrust(ctx, subject, file);
      return;
    }
    throw new VaultError("untrusted-change", `${subject.display}: change not trusted; nothing was encrypted`, { hint: `review it with \`git vault trust status ${subject.flags}\`` });
  }
  // A URL is changed in the host's .gitmodules, recipients in the vault's env file.
  const where = what === "the vault URL changed" ? `\`git log -p -- .gitmodules\` in the host` : "`git log -p` in the vault";
  throw new VaultError("untrusted-change", message, {
    hint: `nothing was encrypted. Check who made the change (${where}); if you expected it, run \`${acceptCommand(subject)}\``,
  });
}

/** The gate for a target: loads nothing, takes the file as the caller read it. `places`: as for {@link trustSubject}. */
export async function requireTrustFor(ctx: Context, target: { path: string; vaultDir: string | null; repoRoot: string | null }, file: EnvFile, places?: TrustPlaces): Promise<void> {
  await requireTrust(ctx, trustSubject(ctx, target.path, target.vaultDir, target.repoRoot, places), file);
}

/** Records a change this device made itself (recipients add/remove, rotate). */
export async function recordOwnChange(ctx: Context, target: { path: string; vaultDir: string | null; repoRoot: string | null }, file: EnvFile, places?: TrustPlaces): Promise<void> {
  await recordTrust(ctx, trustSubject(ctx, target.path, target.vaultDir, target.repoRoot, places), file);
}

/** One row of `trust status`. */
export interface TrustRow {
  readonly file: string;
  readonly state: "trusted" | "changed" | "new";
  readonly fingerprint: string;
  readonly trustedFingerprint: string | null;
  readonly added: readonly Recipient[];
  readonly removed: readonly Recipient[];
  readonly url: string | null;
  readonly trustedUrl: string | null;
  readonly accept: string;
}

async function statesOf(ctx: Context, request: TargetOptions & { all?: boolean }): Promise<TrustState[]> {
  const target = await resolveTarget(ctx, request);
  const paths = request.all ? allTargets(target) : [target.path];
  const data = readStore(ctx);
  const places: TrustPlaces = new Map();
  return paths.map((path) => {
    const loaded = loadEnvFile(path, displayPath(ctx, path));
    validateEnvFile(ctx, loaded);
    return trustState(ctx, trustSubject(ctx, path, target.vaultDir, target.repoRoot, places), loaded.file, data);
  });
}

function rowOf(state: TrustState): TrustRow {
  return {
    file: state.subject.display,
    state: isUntrusted(state) ? "changed" : state.trusted === null ? "new" : "trusted",
    fingerprint: state.fingerprint,
    trustedFingerprint: state.trusted?.fingerprint ?? null,
    added: state.drift?.added ?? [],
    removed: state.drift?.removed ?? [],
    url: state.url?.current ?? null,
    trustedUrl: state.url?.trusted ?? null,
    accept: acceptCommand(state.subject),
  };
}

/** `trust status`: each file's recipient set against the accepted one. */
export async function trustStatus(ctx: Context, request: TargetOptions & { all?: boolean }): Promise<TrustRow[]> {
  return (await statesOf(ctx, request)).map(rowOf);
}

/** `trust accept`: records the current recipient sets (and vault URL) as trusted; returns what was accepted. */
export function acceptTrust(ctx: Context, request: TargetOptions & { all?: boolean }): Promise<TrustRow[]> {
  return audited(ctx, request.all ? "trust accept --all" : "trust accept", async (note) => {
    const states = await statesOf(ctx, request);
    note.target = await resolveTarget(ctx, request);
    for (const state of states) await recordTrust(ctx, state.subject, state.envFile);
    return states.map(rowOf);
  });
}

/** `trust forget`: drops the records of the files (the next use records them afresh). */
export function forgetTrust(ctx: Context, request: TargetOptions & { all?: boolean }): Promise<string[]> {
  return audited(ctx, request.all ? "trust forget --all" : "trust forget", async (note) => {
    const states = await statesOf(ctx, request);
    note.target = await resolveTarget(ctx, request);
    await updateStore(ctx, (data) => {
      for (const { subject } of states) {
        delete data.vaults[subject.vaultId]?.files[subject.file];
        if (request.all && subject.host !== null) delete data.hosts[subject.host.id]?.[subject.host.vaultPath];
      }
    });
    return states.map((s) => s.subject.display);
  });
}
