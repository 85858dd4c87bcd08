/**
 * `import`: a plaintext dotenv file (or an `export --bundle`) into a vault env
 * file, every value encrypted. Pairs are read exactly as the `dotenv` package
 * reads the file; comments, blank lines and order are kept. The plaintext
 * file is deleted (with `--delete`) only after the vault file was written and
 * read back.
 */
import { readFileSync, realpathSync, unlinkSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { DIVIDER, type Entry, type EnvFile, assignments, effectiveAssignments, encodeEnvFile, fileEol, lineEntry, parseEnvFile, renumber, withRawValue } from "../core/envfile.js";
import { mapAssignments } from "../core/edit.js";
import { ensureHeader } from "../core/recipients.js";
import { Secret } from "../core/secret.js";
import { classifyValue } from "../core/value.js";
import { UsageError, VaultError, containsPrivateKey } from "../errors.js";
import { lsFiles, revList } from "../git/index.js";
import { requireIdentity } from "../keys/identity.js";
import { encryptValue } from "./cipher.js";
import { type Context, warn } from "./context.js";
import { BUNDLE_FORMAT } from "./export.js";
import { ownRecipient } from "./recipient-of.js";
import { updateEnvFile } from "./store.js";
import { type Target, type TargetOptions, resolveTarget } from "./target.js";
import { decodeEnvText, loadEnvFile, requireRecipients } from "./vaultfile.js";
import { type AuditNote, audited } from "./audit.js";
import { requireTrustFor } from "./trust.js";
import { checkSectionName } from "./secrets.js";

export interface ImportRequest extends TargetOptions {
  /** The plaintext file's path, or null for stdin (`-`). */
  readonly path: string | null;
  /** stdin's bytes, when `path` is null. */
  readonly stdin?: Buffer | undefined;
  readonly section?: string | undefined;
  readonly replace?: boolean;
  readonly delete?: boolean;
  /** The source is an age bundle made by `export --bundle`. */
  readonly bundle?: boolean;
  readonly identityFile?: string | undefined;
}

export interface ImportResult {
  readonly target: Target;
  readonly imported: string[];
  readonly replaced: string[];
  readonly deleted: boolean;
  /** Whether the host repo tracks the plaintext file now, or had it in a commit. */
  readonly history: "tracked" | "in-history" | null;
}

/** The entries to copy (source order, comments included) and the plaintext of each assignment among them. */
interface Source {
  readonly display: string;
  readonly entries: Entry[];
  readonly values: Map<Entry, Secret>;
}

/** Reads a plaintext dotenv text as dotenv does: the last assignment of a key wins; lines dotenv skips are dropped. */
function sourceFromDotenv(ctx: Context, display: string, text: string): Source {
  // A byte-order mark is white space to dotenv; in the vault file it would sit mid-file.
  const file = parseEnvFile(text.replace(/^\uFEFF/, ""));
  const effective = new Set<Entry>(effectiveAssignments(file));
  const entries: Entry[] = [];
  const values = new Map<Entry, Secret>();
  const skipped: number[] = [];
  const dropped: string[] = [];
  for (const e of file.entries) {
    if (e.kind === "invalid") skipped.push(e.line);
    else if (e.kind === "version" || e.kind === "recipient") continue; // a vault header: the target has its own
    else if (e.kind === "comment" && containsPrivateKey(e.text)) {
      // Never into a file that is committed: the line is named, its text is not.
      warn(ctx, `${display}:${e.line}: a comment holding an age private key (AGE-SECRET-KEY-…) is left out of the vault file`);
    } else if (e.kind === "comment" && /^\s*#\s*(export\s+)?[\w.-]+\s*=\s*\S/.test(e.text)) {
      warn(ctx, `${display}:${e.line}: a commented-out assignment is copied as a comment, in plaintext; remove it from the vault file if it holds a secret`);
      entries.push(e);
    } else if (e.kind === "assignment") {
      if (!effective.has(e)) {
        dropped.push(`${e.key} (line ${e.line})`);
        continue;
      }
      const kind = classifyValue(e.value).kind;
      if (kind !== "plaintext" && kind !== "empty") {
        throw new VaultError("import-encrypted", `${display}:${e.line}: ${e.key} is already encrypted (is this a vault env file?)`, { hint: "copy an env file between vaults with its recipients' consent, not with import" });
      }
      if (e.value.includes("\0")) throw new VaultError("invalid-value", `${display}:${e.line}: ${e.key} holds a NUL byte, which no environment variable can hold`);
      entries.push(e);
      values.set(e, new Secret(e.value));
    } else entries.push(e);
  }
  if (skipped.length > 0) warn(ctx, `${display}: line${skipped.length === 1 ? "" : "s"} ${skipped.join(", ")} skipped: not KEY=value, comment or blank (dotenv ignores them too)`);
  if (dropped.length > 0) warn(ctx, `${display}: duplicate keys: only the last assignment is imported, as dotenv reads it (skipped ${dropped.join(", ")})`);
  return { display, entries, values };
}

/** Decrypts an `export --bundle` file and reads its pairs. */
async function sourceFromBundle(ctx: Context, display: string, bytes: Buffer, identityFile: string | undefined): Promise<Source> {
  const identity = requireIdentity({ env: ctx.env, cwd: ctx.cwd, identityFile });
  const { CryptoError, dearmorFile, decryptFile } = await import("../crypto/index.js");
  let payload: unknown;
  try {
    const text = bytes.toString("latin1");
    const file = text.trimStart().startsWith("-----BEGIN AGE ENCRYPTED FILE-----") ? await dearmorFile(text) : bytes;
    payload = JSON.parse(Buffer.from(await decryptFile(identity.keys.map((k) => k.reveal()), file)).toString("utf8"));
  } catch (error) {
    if (!(error instanceof CryptoError) && !(error instanceof SyntaxError)) throw error;
    const why = error instanceof CryptoError && error.code === "crypto-no-match" ? `none of your identities (${identity.source.description}) can decrypt it` : "it is not a git-vault bundle or it was modified";
    throw new VaultError("bundle-invalid", `${display}: cannot read the bundle: ${why}`, { hint: "make one with `git vault export --bundle --recipient age1…` (your `git vault keys show`)" });
  }
  const p = payload as { format?: unknown; pairs?: unknown };
  if (p.format !== BUNDLE_FORMAT || !Array.isArray(p.pairs) || p.pairs.some((x: unknown) => !Array.isArray(x) || x.length !== 2 || typeof x[0] !== "string" || typeof x[1] !== "string" || !/^[\w.-]+$/.test(x[0]))) {
    throw new VaultError("bundle-invalid", `${display}: not a git-vault bundle (${BUNDLE_FORMAT})`);
  }
  const entries: Entry[] = [];
  const values = new Map<Entry, Secret>();
  for (const [key, value] of p.pairs as [string, string][]) {
    const entry = lineEntry(`${key}=`, "\n");
    entries.push(entry);
    values.set(entry, new Secret(value));
  }
  return { display, entries, values };
}

/** The keys of a source, in order. */
function sourceKeys(source: Source): string[] {
  return source.entries.flatMap((e) => (e.kind === "assignment" ? [e.key] : []));
}

/** Inserts `block` into `file`: at the end, or at the end of section `section` (a new section block when it does not exist). */
function insertBlock(file: EnvFile, block: Entry[], section: string | null): EnvFile {
  const eol = fileEol(file);
  const entries = [...file.entries];
  while (entries.length > 0 && entries[entries.length - 1]?.kind === "blank") entries.pop();
  const last = entries[entries.length - 1];
  if (last !== undefined && last.eol === "") entries[entries.length - 1] = { ...last, eol };
  if (section === null) {
    if (entries.length > 0) entries.push(lineEntry("", eol));
    return renumber([...entries, ...block]);
  }
  const header = entries.findIndex((e) => e.kind === "section" && e.name === section);
  if (header === -1) {
    if (entries.length > 0) entries.push(lineEntry("", eol));
    return renumber([...entries, lineEntry(DIVIDER, eol), lineEntry(`# [${section}]`, eol), ...block]);
  }
  // The section runs to the next divider or section header; the block goes after its last non-blank entry.
  let end = header + 1;
  while (end < entries.length && entries[end]?.kind !== "divider" && entries[end]?.kind !== "section") end++;
  let at = end;
  while (at > header + 1 && entries[at - 1]?.kind === "blank") at--;
  return renumber([...entries.slice(0, at), ...block, ...entries.slice(at)]);
}

/** Whether git tracks `path` in the repository around it, or had it in any commit. */
function plaintextHistory(ctx: Context, path: string): "tracked" | "in-history" | null {
  const git = { cwd: dirname(path), env: ctx.env };
  const name = basename(path);
  try {
    if (lsFiles(git, [name]).length > 0) return "tracked";
    return revList(git, ["--all"], { pathspecs: [name], maxCount: 1 }).length > 0 ? "in-history" : null;
  } catch {
    // No repository around it (or one git refuses), or an empty one: no history to search.
    // The vault file is written by now, so this never fails the import.
    return null;
  }
}

/** Imports the plaintext pairs of a dotenv file (or a bundle) into the target env file; audited, and stopped by an untrusted recipient set. */
export function importFile(ctx: Context, request: ImportRequest): Promise<ImportResult> {
  return audited(ctx, request.bundle ? "import --bundle" : "import", (note) => importInto(ctx, request, note));
}

async function importInto(ctx: Context, request: ImportRequest, note: AuditNote): Promise<ImportResult> {
  checkSectionName(request.section);
  if (request.delete && request.path === null) throw new UsageError("--delete needs a file (stdin cannot be deleted)");
  const target = await resolveTarget(ctx, request);
  note.target = target;
  const path = request.path === null ? null : resolve(ctx.cwd, request.path);
  const display = path === null ? "stdin" : relative(ctx.cwd, path).startsWith("..") ? path : relative(ctx.cwd, path);
  let bytes: Buffer;
  if (path === null) bytes = request.stdin ?? Buffer.alloc(0);
  else {
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new VaultError("file-unreadable", `${display}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    let same = false;
    try {
      same = realpathSync(path) === realpathSync(target.path);
    } catch {
      // the vault file does not exist yet
    }
    if (same) throw new UsageError(`${display} is the vault env file itself`, "import a plaintext .env file from outside the vault");
  }
  const source = request.bundle ? await sourceFromBundle(ctx, display, bytes, request.identityFile) : sourceFromDotenv(ctx, display, decodeEnvText(bytes, display));
  const keys = sourceKeys(source);
  note.keys = keys;
  // Nothing to import is not an error (an .env of comments only): the env file is still made, so export works.
  if (keys.length === 0) warn(ctx, `${display}: no KEY=value lines to import`);

  const written = new Map<string, string>();
  let replaced: string[] = [];
  await updateEnvFile(
    ctx,
    target.path,
    target.display,
    async (loaded) => {
      let file = loaded.file;
      if (!loaded.exists || file.entries.every((e) => e.kind !== "version")) file = ensureHeader(file, [await ownRecipient(ctx, request.identityFile)]);
      const existing = new Set(assignments(file).map((a) => a.key));
      replaced = keys.filter((k) => existing.has(k));
      if (replaced.length > 0 && !request.replace) {
        throw new VaultError("keys-exist", `${target.display} already has ${replaced.join(", ")}`, { hint: "import again with --replace to overwrite them, or remove them from the file you import" });
      }
      const recipients = requireRecipients({ ...loaded, file });
      await requireTrustFor(ctx, target, file);
      const eol = fileEol(file);
      const block: Entry[] = [];
      const fresh = new Map<string, string>();
      for (const e of source.entries) {
        const plain = source.values.get(e);
        if (e.kind !== "assignment" || plain === undefined) {
          block.push({ ...e, eol });
          continue;
        }
        const raw = plain.reveal() === "" ? "" : await encryptValue(e.key, plain, recipients);
        written.set(e.key, raw);
        if (existing.has(e.key)) fresh.set(e.key, raw);
        else block.push({ ...withRawValue(e, raw, raw), eol, section: request.section ?? e.section });
      }
      file = mapAssignments(file, (a) => {
        const raw = fresh.get(a.key);
        return raw === undefined ? a : withRawValue(a, raw, raw);
      });
      while (block.length > 0 && block[0]?.kind === "blank") block.shift();
      while (block.length > 0 && block[block.length - 1]?.kind === "blank") block.pop();
      if (block.some((e) => e.kind === "assignment")) file = insertBlock(file, block, request.section ?? null);
      return parseEnvFile(encodeEnvFile(file));
    },
    { allowMissing: true },
  );

  // Read back what is on disk before the plaintext goes.
  const back = effectiveAssignments(loadEnvFile(target.path, target.display).file);
  const lost = keys.filter((k) => back.find((a) => a.key === k)?.rawValue !== written.get(k));
  if (lost.length > 0) {
    throw new VaultError("import-unverified", `${target.display}: reading it back does not show ${lost.join(", ")} as imported`, { hint: `${display} was left in place` });
  }
  const history = path === null ? null : plaintextHistory(ctx, path);
  let deleted = false;
  if (request.delete && path !== null) {
    unlinkSync(path);
    deleted = true;
  }
  return { target, imported: keys.filter((k) => !replaced.includes(k)), replaced, deleted, history };
}
