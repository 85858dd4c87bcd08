/**
 * What changed between two versions of an env file, by key name and
 * recipient, never by value: the summary `pull` prints and `review` reports.
 */
import { type EnvFile, effectiveAssignments } from "./envfile.js";
import { type Recipient, readHeader, recipientList, shortFingerprint } from "./recipients.js";
import { recipientDrift } from "./trust.js";
import { staticState } from "./value.js";

/** The changes of one env file between two versions (null: absent in that version). */
export interface FileChanges {
  readonly added: readonly string[];
  /** Keys whose stored text changed (a new value, or the same one encrypted again). */
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  readonly recipientsAdded: readonly Recipient[];
  readonly recipientsRemoved: readonly Recipient[];
  /** Keys of the newer version whose values are encrypted to another recipient set than its header's. */
  readonly stale: readonly string[];
}

function recipientsOf(file: EnvFile | null): Recipient[] {
  return file === null ? [] : readHeader(file).recipients.map((r) => ({ recipient: r.recipient, label: r.label }));
}

/** Compares two versions of an env file by key and recipient. */
export function compareEnvFiles(before: EnvFile | null, after: EnvFile | null): FileChanges {
  const old = new Map((before === null ? [] : effectiveAssignments(before)).map((a) => [a.key, a.value]));
  const now = new Map((after === null ? [] : effectiveAssignments(after)).map((a) => [a.key, a.value]));
  const drift = recipientDrift(recipientsOf(before), recipientsOf(after));
  return {
    added: [...now.keys()].filter((k) => !old.has(k)),
    changed: [...now.keys()].filter((k) => old.has(k) && old.get(k) !== now.get(k)),
    removed: [...old.keys()].filter((k) => !now.has(k)),
    recipientsAdded: drift.added,
    recipientsRemoved: drift.removed,
    stale: after === null ? [] : staleKeys(after),
  };
}

/** Keys whose encrypted value names another recipient-set fingerprint than the header's. */
export function staleKeys(file: EnvFile): string[] {
  const current = shortFingerprint(recipientList(readHeader(file)));
  return effectiveAssignments(file)
    .filter((a) => staticState(a.value, current) === "stale")
    .map((a) => a.key);
}

/** True when nothing changed but, possibly, stale values that were stale before too. */
export function isUnchanged(c: FileChanges): boolean {
  return c.added.length + c.changed.length + c.removed.length + c.recipientsAdded.length + c.recipientsRemoved.length === 0;
}
