import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A plaintext secret value. Printing, logging or serializing it shows
 * `[redacted]`; only code that deliberately reveals a value calls `reveal()`.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plaintext. Call only where the user asked to see or use the value. */
  reveal(): string {
    return this.#value;
  }

  /** Length in UTF-16 code units, for validation without revealing. */
  get length(): number {
    return this.#value.length;
  }

  /** Constant-time-ish equality with another secret (no early exit on length). */
  equals(other: Secret): boolean {
    const a = this.#value;
    const b = other.#value;
    let diff = a.length ^ b.length;
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
    return diff === 0;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
