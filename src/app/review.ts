/**
 * `review [BASE..HEAD]`: a pull-request summary of a vault range from git
 * history alone, with no identity: keys added / changed / removed per env
 * file (names only), recipients added / removed with labels, stale values,
 * plaintext and invalid lines, invalid recipient lines, format drift, and
 * whether each resulting recipient set is a trusted one.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { type FileChanges, compareEnvFiles, isUnchanged } from "../core/changes.js";
import { type EnvFile, encodeEnvFile, invalidEntries, parseEnvFile } from "../core/envfile.js";
import { findPlaintext } from "./bulk.js";
import { formatEnvFile } from "../core/format.js";
import { fingerprintRecipients, readHeader, recipientList } from "../core/recipients.js";
import { parseTrustPins, pinFor } from "../core/trust.js";
import { UsageError, VaultError } from "../errors.js";
import { type GitContext, gitlinkAt, isWorkTreeRoot, mergeBase, repoContext, resolveCommit, treePaths, tryShowBlob, upstreamBranch } from "../git/index.js";
import type { Context } from "./context.js";
import { vaultRepos } from "./history.js";
import { ENV_FILE_RE, type TargetOptions, displayPath, resolveVaultDir } from "./target.js";
import { type TrustPlaces, trustState, trustSubject } from "./trust.js";
import { type RecipientProblem, invalidRecipientLines } from "./vaultfile.js";

export interface ReviewRequest extends TargetOptions {
  /** `BASE..HEAD`, `BASE...HEAD` or `BASE` (to HEAD); default: the vault branch's upstream..HEAD. */
  readonly range?: string | undefined;
  /** The range names host commits; the vault commits are the submodule pins. */
  readonly host?: boolean;
  /** Pins (`HEX` or `ENV=HEX`) a resulting recipient set must match, as for verify. */
  readonly trustFingerprint?: readonly string[] | undefined;
}

/** What review found in one env file. Names and line numbers only, never a value. */
export interface ReviewedFile extends FileChanges {
  /** The file's path in the vault repository. */
  readonly file: string;
  readonly deleted: boolean;
  readonly fingerprint: string;
  /** `trusted`: matches the trust store or a pin; `unchanged`: same set as the base, nobody's record says otherwise; `untrusted`: neither. */
  readonly trust: "trusted" | "unchanged" | "untrusted";
  readonly trustDetail: string;
  readonly invalidRecipients: readonly RecipientProblem[];
  /** Keys stored in plaintext, and lines no dotenv reader would take (by line). */
  readonly plaintext: readonly string[];
  readonly invalidLines: readonly number[];
  readonly canonical: boolean;
  /** True when a reviewer must look: untrusted set, invalid recipient or line, stale or plaintext values. */
  readonly attention: boolean;
}

export interface ReviewResult {
  readonly range: string;
  /** The vault commits compared (base null: the vault did not exist at the base). */
  readonly base: string | null;
  readonly head: string;
  readonly files: readonly ReviewedFile[];
  readonly attention: boolean;
}

function parseRange(range: string): { base: string; head: string; symmetric: boolean } {
  const sym = range.indexOf("...");
  if (sym !== -1) return { base: range.slice(0, sym) || "HEAD", head: range.slice(sym + 3) || "HEAD", symmetric: true };
  const two = range.indexOf("..");
  if (two !== -1) return { base: range.slice(0, two) || "HEAD", head: range.slice(two + 2) || "HEAD", symmetric: false };
  return { base: range, head: "HEAD", symmetric: false };
}

function commitIn(repo: GitContext, rev: string, where: string): string {
  const commit = resolveCommit(repo, rev);
  if (commit === null) throw new VaultError("unknown-revision", `${rev}: no such commit in the ${where} repository`);
  return commit;
}

function envFileAtCommit(repo: GitContext, commit: string | null, path: string): { file: EnvFile; text: string } | null {
  if (commit === null) return null;
  const blob = tryShowBlob(repo, `${commit}:${path}`);
  if (blob === null) return null;
  const text = blob.toString("utf8");
  return { file: parseEnvFile(text), text };
}

function envPaths(repo: GitContext, commit: string | null): string[] {
  return commit === null ? [] : treePaths(repo, commit).filter((p) => ENV_FILE_RE.test(p.split("/").pop() ?? ""));
}

/** Runs `review`. */
export async function reviewVault(ctx: Context, request: ReviewRequest): Promise<ReviewResult> {
  const { vaultDir } = await resolveVaultDir(ctx, request);
  if (!isWorkTreeRoot({ cwd: ctx.cwd, env: ctx.env }, vaultDir)) {
    throw new VaultError("vault-not-repo", `the vault (${displayPath(ctx, vaultDir)}) is not a git repository of its own`, {
      hint: "a vault kept as a folder of the host is reviewed with the host's own diff; `git vault init` checks out a vault submodule",
    });
  }
  const vault = repoContext({ cwd: ctx.cwd, env: ctx.env }, vaultDir);
  let range = request.range;
  if (range === undefined) {
    const upstream = upstreamBranch(vault);
    if (upstream === null) throw new UsageError("the vault branch has no upstream to review against", "name a range: git vault review main..HEAD");
    range = `${upstream}..HEAD`;
  }
  const parsed = parseRange(range);
  let base: string | null;
  let head: string;
  if (request.host) {
    const { host, vaultPath } = vaultRepos(ctx, join(vaultDir, ".gitattributes"));
    if (host === null || vaultPath === null) throw new UsageError("--host needs a vault that is a submodule of the host repository");
    const hostBase = commitIn(host, parsed.base, "host");
    const hostHead = commitIn(host, parsed.head, "host");
    const from = parsed.symmetric ? mergeBase(host, hostBase, hostHead) ?? hostBase : hostBase;
    base = gitlinkAt(host, from, vaultPath);
    const pinned = gitlinkAt(host, hostHead, vaultPath);
    if (pinned === null) throw new VaultError("no-vault-pin", `host commit ${parsed.head} pins no vault at ${vaultPath}`);
    head = pinned;
    for (const c of [base, head]) {
      if (c !== null && resolveCommit(vault, c) === null) throw new VaultError("pin-missing", `the host pins vault commit ${c.slice(0, 12)}, which this vault clone does not have`, { hint: "fetch it: git vault pull" });
    }
  } else {
    const b = commitIn(vault, parsed.base, "vault");
    head = commitIn(vault, parsed.head, "vault");
    base = parsed.symmetric ? mergeBase(vault, b, head) ?? b : b;
  }

  const pins = parseTrustPins(request.trustFingerprint ?? []);
  const paths = [...new Set([...envPaths(vault, base), ...envPaths(vault, head)])].sort();
  const files: ReviewedFile[] = [];
  const places: TrustPlaces = new Map();
  for (const path of paths) {
    const before = envFileAtCommit(vault, base, path);
    const after = envFileAtCommit(vault, head, path);
    const changes = compareEnvFiles(before?.file ?? null, after?.file ?? null);
    const reviewed = reviewFile(ctx, { vaultDir, path, before: before?.file ?? null, after, changes, pin: pinFor(pins, path.split("/").pop() ?? path) }, places);
    if (!isUnchanged(changes) || reviewed.attention) files.push(reviewed);
  }
  return { range, base, head, files, attention: files.some((f) => f.attention) };
}

interface FileInput {
  readonly vaultDir: string;
  readonly path: string;
  readonly before: EnvFile | null;
  readonly after: { file: EnvFile; text: string } | null;
  readonly changes: FileChanges;
  readonly pin: string | null;
}

function reviewFile(ctx: Context, { vaultDir, path, before, after, changes, pin }: FileInput, places: TrustPlaces): ReviewedFile {
  const file = after?.file ?? null;
  const recipients = file === null ? [] : recipientList(readHeader(file));
  const fingerprint = fingerprintRecipients(recipients);
  let trust: ReviewedFile["trust"];
  let trustDetail: string;
  const sameAsBase = before !== null && fingerprintRecipients(recipientList(readHeader(before))) === fingerprint;
  if (file === null) {
    [trust, trustDetail] = ["unchanged", "file deleted"];
  } else if (pin !== null) {
    [trust, trustDetail] = fingerprint.startsWith(pin) ? ["trusted", `matches the pinned ${pin}`] : ["untrusted", `fingerprint ${fingerprint.slice(0, 16)} does not match the pinned ${pin}`];
  } else {
    // A file in a folder the work tree lacks has no record this device could have made.
    const full = join(vaultDir, path);
    const state = existsSync(dirname(full)) ? trustState(ctx, trustSubject(ctx, full, vaultDir, null, places), file) : null;
    if (state?.trusted != null) {
      [trust, trustDetail] = state.trusted.fingerprint === fingerprint ? ["trusted", "matches this device's trust store"] : ["untrusted", "differs from the set this device trusts"];
    } else {
      [trust, trustDetail] = sameAsBase ? ["unchanged", "same recipients as the base"] : ["untrusted", before === null ? "new file: its recipients were never reviewed" : "recipients changed in this range: nobody has accepted the new set"];
    }
  }
  const invalidRecipients = file === null ? [] : invalidRecipientLines(file);
  const plaintextFindings = file === null ? [] : findPlaintext(path, file);
  const plaintext = plaintextFindings.filter((f) => f.key !== "").map((f) => f.key);
  const invalidLines = file === null ? [] : invalidEntries(file).map((e) => e.line);
  const canonical = after === null || encodeEnvFile(formatEnvFile(after.file)) === after.text;
  const attention = trust === "untrusted" || invalidRecipients.length > 0 || changes.stale.length > 0 || plaintext.length > 0 || invalidLines.length > 0;
  return { file: path, ...changes, deleted: file === null, fingerprint, trust, trustDetail, invalidRecipients, plaintext, invalidLines, canonical, attention };
}
