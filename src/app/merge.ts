/**
 * The merge driver use case: git hands over three temporary files (ancestor,
 * ours = %A, theirs) and expects the result in %A. Keys changed on both sides
 * are settled without a conflict when their plaintexts show it is none: both
 * sides hold the same plaintext, or one side only re-encrypted it.
 */
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { type Assignment, type EnvFile, encodeEnvFile, findAssignment, parseEnvFile } from "../core/envfile.js";
import { type MergeConflict, mergeBlocker, mergeEnvFiles } from "../core/merge.js";
import { VaultError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { type Identity, resolveIdentity } from "../keys/identity.js";
import { decryptAssignment } from "./cipher.js";
import type { Context } from "./context.js";

export interface MergeRequest {
  /** %O: the common ancestor's version. */
  readonly ancestor: string;
  /** %A: our version; receives the result. */
  readonly current: string;
  /** %B: the other branch's version. */
  readonly other: string;
  /** %P: the path in the repository, for messages. */
  readonly path?: string | undefined;
}

/** What the driver did: merged (maybe with conflicts), or left %A as ours because a file is not mergeable. */
export type MergeOutcome =
  | {
      readonly kind: "merged";
      readonly display: string;
      readonly conflicts: readonly MergeConflict[];
      readonly recipientsConflict: boolean;
      readonly droppedLines: number;
      readonly notes: readonly string[];
    }
  | { readonly kind: "unmergeable"; readonly display: string; readonly reason: string };

function readSide(ctx: Context, path: string, side: string): { text: string; file: EnvFile } | string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(ctx.cwd, path));
  } catch (error) {
    throw new VaultError("file-unreadable", `merge-driver: ${side} version cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return `${side} version is not UTF-8 text`;
  }
  const file = parseEnvFile(text);
  const blocker = mergeBlocker(file);
  return blocker === null ? { text, file } : `${side} version: ${blocker}`;
}

/** How conflicting keys settle once their plaintexts are known. */
interface Settled {
  /** Keep our line (or our deletion): both sides hold the same plaintext, or theirs only re-encrypted it. */
  readonly keepOurs: Set<string>;
  /** Take theirs (or their deletion): ours only re-encrypted the ancestor's plaintext. */
  readonly takeTheirs: Set<string>;
}

/**
 * Settles conflicts that are not real by plaintext: a side that re-encrypted
 * a value without changing it (`recipients add --reencrypt`) changed nothing,
 * so the other side's change or deletion wins; two sides with the same
 * plaintext agree. A value that does not decrypt leaves its conflict as it is.
 */
async function settleByPlaintext(display: string, conflicts: readonly MergeConflict[], base: EnvFile, identity: Identity): Promise<Settled> {
  const settled: Settled = { keepOurs: new Set(), takeTheirs: new Set() };
  const reveal = async (a: Assignment | null | undefined): Promise<string | null> => (a ? (await decryptAssignment(display, a, identity)).reveal() : null);
  for (const c of conflicts) {
    try {
      const [b, o, t] = [await reveal(findAssignment(base, c.key)), await reveal(c.ours), await reveal(c.theirs)];
      if (c.ours !== null && c.theirs !== null && o === t) settled.keepOurs.add(c.key);
      else if (c.theirs !== null && b !== null && t === b) settled.keepOurs.add(c.key);
      else if (c.ours !== null && b !== null && o === b) settled.takeTheirs.add(c.key);
    } catch {
      // not readable with this identity: the conflict stays
    }
  }
  return settled;
}

/** Merges the three versions by key and writes the result into `current` (atomically). */
export async function mergeDriver(ctx: Context, request: MergeRequest): Promise<MergeOutcome> {
  const display = request.path ?? basename(request.current);
  const base = readSide(ctx, request.ancestor, "ancestor");
  const ours = readSide(ctx, request.current, "our");
  const theirs = readSide(ctx, request.other, "their");
  if (typeof base === "string") return { kind: "unmergeable", display, reason: base };
  if (typeof ours === "string") return { kind: "unmergeable", display, reason: ours };
  if (typeof theirs === "string") return { kind: "unmergeable", display, reason: theirs };

  let result = mergeEnvFiles(base.file, ours.file, theirs.file);
  const notes: string[] = [];
  if (result.conflicts.length > 0) {
    let identity: Identity | null = null;
    try {
      identity = resolveIdentity({ env: ctx.env, cwd: ctx.cwd });
    } catch (error) {
      notes.push(`identity not usable, conflicting values were not compared (${error instanceof VaultError ? error.code : "error"})`);
    }
    if (identity !== null) {
      const settled = await settleByPlaintext(display, result.conflicts, base.file, identity);
      if (settled.keepOurs.size + settled.takeTheirs.size > 0) result = mergeEnvFiles(base.file, ours.file, theirs.file, settled);
    }
  }
  const text = encodeEnvFile(result.file);
  if (text !== ours.text) writeFileAtomic(resolve(ctx.cwd, request.current), text);
  return { kind: "merged", display, conflicts: result.conflicts, recipientsConflict: result.recipientsConflict, droppedLines: result.droppedLines, notes };
}
