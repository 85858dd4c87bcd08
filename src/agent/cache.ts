/**
 * The agent's answer cache: textconv answers by a hash of the blob and of the
 * identity, least recently used first out, bounded in bytes. It lives in the
 * agent's memory only: nothing here is ever written anywhere.
 */
import { createHash } from "node:crypto";

/** Counts for `agent status`: never content. */
export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
  readonly hits: number;
  readonly misses: number;
}

/** The key of an answer: the blob and the identity that decrypted it. */
export function answerKey(identityDigest: string, blob: Buffer): string {
  return createHash("sha256").update(identityDigest).update("\0").update(blob).digest("hex");
}

/** A least-recently-used map of answers, at most `maxBytes` of them (0: caches nothing). */
export class AnswerCache {
  readonly #answers = new Map<string, Buffer>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): Buffer | undefined {
    const answer = this.#answers.get(key);
    if (answer === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    // Map keeps insertion order: re-inserting makes it the most recently used.
    this.#answers.delete(key);
    this.#answers.set(key, answer);
    return answer;
  }

  set(key: string, answer: Buffer): void {
    if (answer.length > this.maxBytes) return;
    const previous = this.#answers.get(key);
    if (previous !== undefined) {
      this.#answers.delete(key);
      this.#bytes -= previous.length;
    }
    this.#answers.set(key, answer);
    this.#bytes += answer.length;
    for (const [oldest, old] of this.#answers) {
      if (this.#bytes <= this.maxBytes) break;
      this.#answers.delete(oldest);
      this.#bytes -= old.length;
    }
  }

  /** Drops every answer, overwriting their bytes first. */
  clear(): void {
    for (const answer of this.#answers.values()) answer.fill(0);
    this.#answers.clear();
    this.#bytes = 0;
  }

  stats(): CacheStats {
    return { entries: this.#answers.size, bytes: this.#bytes, maxBytes: this.maxBytes, hits: this.#hits, misses: this.#misses };
  }
}
