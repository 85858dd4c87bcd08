/** Questions on the terminal (only asked when a person is there): yes/no, and a hidden value. */
import { createInterface } from "node:readline/promises";
import type { Context } from "../app/context.js";
import { Secret } from "../core/secret.js";
import { decodeUtf8Strict } from "../core/text.js";
import { VaultError } from "../errors.js";

/** Asks a yes/no question on stderr; anything but y/yes is no. */
export async function askYesNo(ctx: Context, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Where a hidden line stands: still being typed, ended, or cancelled. */
export type HiddenLineState = "typing" | "done" | "cancelled";

const ENTER = new Set([0x0d, 0x0a]);
const ERASE = new Set([0x7f, 0x08]);
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const ESC = 0x1b;

/**
 * The line editor of the hidden prompt, fed the raw bytes of a terminal in raw
 * mode. Enter ends the line; Backspace (DEL or Ctrl-H) erases one character,
 * Ctrl-U the whole line; Ctrl-C cancels; Ctrl-D cancels an empty line and ends
 * a typed one, as end-of-file ends the line of `read -s` or getpass. Escape
 * sequences (ESC [ or ESC O, parameter bytes, a final byte: arrow keys,
 * Delete, Home…) and every other control character are dropped, not stored.
 */
export class HiddenLineEditor {
  readonly #bytes: number[] = [];
  #escape: "none" | "esc" | "sequence" = "none";
  #state: HiddenLineState = "typing";

  /** Feeds bytes and returns the state after them; bytes after the end of the line are ignored. */
  feed(chunk: Uint8Array): HiddenLineState {
    for (const byte of chunk) {
      if (this.#state !== "typing") break;
      this.#feedByte(byte);
    }
    return this.#state;
  }

  /** The bytes typed so far (the value, once the state is "done"). */
  bytes(): Buffer {
    return Buffer.from(this.#bytes);
  }

  /** Overwrites the typed bytes in memory. */
  wipe(): void {
    this.#bytes.fill(0);
    this.#bytes.length = 0;
  }

  #feedByte(byte: number): void {
    if (this.#escape === "esc") {
      // ESC [ (CSI) and ESC O (SS3) start a sequence; a lone ESC is dropped.
      if (byte === 0x5b || byte === 0x4f) {
        this.#escape = "sequence";
        return;
      }
      this.#escape = "none";
    } else if (this.#escape === "sequence") {
      if (byte >= 0x20 && byte <= 0x3f) return; // parameter and intermediate bytes
      this.#escape = "none";
      if (byte >= 0x40 && byte <= 0x7e) return; // the final byte
      // Anything else cuts the sequence short and counts as typed (Ctrl-C still cancels).
    }
    if (ENTER.has(byte)) this.#state = "done";
    else if (byte === CTRL_C) this.#state = "cancelled";
    else if (byte === CTRL_D) this.#state = this.#bytes.length === 0 ? "cancelled" : "done";
    else if (ERASE.has(byte)) this.#eraseCharacter();
    else if (byte === CTRL_U) this.wipe();
    else if (byte === ESC) this.#escape = "esc";
    else if (byte >= 0x20) this.#bytes.push(byte);
    // Other C0 controls (Tab, Ctrl-Z, Ctrl-W…) are dropped.
  }

  /** Erases the last UTF-8 character: its continuation bytes (10xxxxxx) and the byte before them. */
  #eraseCharacter(): void {
    while (this.#bytes.length > 0 && ((this.#bytes.at(-1) as number) & 0xc0) === 0x80) this.#bytes.pop();
    this.#bytes.pop();
  }
}

/**
 * Reads one line from the terminal without echoing it (see {@link HiddenLineEditor}
 * for the keys). A cancel, or the terminal going away, exits 130 with nothing read.
 */
export async function promptHidden(ctx: Context, question: string): Promise<Secret> {
  // Only called when stdin is a terminal, which has setRawMode.
  const stdin = ctx.stdin as Context["stdin"] & Pick<NodeJS.ReadStream, "setRawMode">;
  const editor = new HiddenLineEditor();
  // Raw mode before the question: keys typed once it shows must not meet the line discipline (Ctrl-D as EOF).
  stdin.setRawMode(true);
  ctx.stderr.write(question);
  let state: HiddenLineState;
  try {
    state = await new Promise<HiddenLineState>((resolve, reject) => {
      const finish = (outcome: HiddenLineState | Error): void => {
        stdin.off("data", onData);
        stdin.off("end", onEnd);
        stdin.off("error", finish);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const onData = (chunk: Buffer | string): void => {
        const now = editor.feed(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
        if (now !== "typing") finish(now);
      };
      const onEnd = (): void => {
        finish("cancelled");
      };
      stdin.on("data", onData);
      stdin.on("end", onEnd);
      stdin.on("error", finish);
      stdin.resume();
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    ctx.stderr.write("\n");
  }
  if (state === "cancelled") {
    editor.wipe();
    throw new VaultError("cancelled", "cancelled", { exitCode: 130 });
  }
  const bytes = editor.bytes();
  editor.wipe();
  const text = decodeUtf8Strict(bytes);
  bytes.fill(0);
  if (text === null) {
    throw new VaultError("value-not-utf8", "the typed value is not UTF-8 text", { hint: "use a UTF-8 terminal, or store binary data base64-encoded with --stdin" });
  }
  return new Secret(text);
}
