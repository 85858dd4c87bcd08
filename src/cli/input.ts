/** Reading a secret value from the user: argument, stdin, a file, or a hidden prompt. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Context, isInteractive, warn } from "../app/context.js";
import { Secret } from "../core/secret.js";
import { decodeUtf8Strict } from "../core/text.js";
import { UsageError, VaultError } from "../errors.js";
import { promptHidden } from "./prompt.js";

/** Every byte of a stream (stdin). */
export async function readAll(stream: Context["stdin"]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Values are text (they become environment variables): bytes that are not UTF-8 are refused, not mangled. */
function utf8(bytes: Buffer, source: string): string {
  const text = decodeUtf8Strict(bytes);
  if (text === null) {
    throw new VaultError("value-not-utf8", `${source}: the value is not UTF-8 text`, { hint: "store binary data base64-encoded (e.g. base64 -w0 FILE | git vault set KEY --stdin)" });
  }
  return text;
}

export interface ValueSources {
  readonly positional: string | undefined;
  readonly stdin: boolean;
  readonly fromFile: string | undefined;
  readonly key: string;
}

/**
 * The value to store. `--from-file` is taken byte for byte; `--stdin` (or piped
 * input) drops one final line break, as `echo` adds one.
 */
export async function readSecretValue(ctx: Context, sources: ValueSources): Promise<Secret> {
  const given = [sources.positional !== undefined, sources.stdin, sources.fromFile !== undefined].filter(Boolean).length;
  if (given > 1) throw new UsageError("give the value one way only: VALUE, --stdin or --from-file");
  if (sources.fromFile !== undefined) {
    try {
      const bytes = readFileSync(resolve(ctx.cwd, sources.fromFile));
      return new Secret(utf8(bytes, sources.fromFile));
    } catch (error) {
      if (error instanceof VaultError) throw error;
      throw new VaultError("file-unreadable", `cannot read ${sources.fromFile} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  if (sources.positional !== undefined) {
    // Node decodes argv lossily: bytes that are not UTF-8 arrive as U+FFFD, and the originals are gone.
    if (sources.positional.includes("\uFFFD")) {
      throw new UsageError("the VALUE argument is not valid UTF-8 text (it contains U+FFFD)", "give the value with --stdin or --from-file, which keep it byte for byte");
    }
    if (isInteractive(ctx)) warn(ctx, "a value on the command line stays in your shell history; prefer --stdin or the prompt");
    return new Secret(sources.positional);
  }
  if (sources.stdin || ctx.stdin.isTTY !== true) {
    const bytes = await readAll(ctx.stdin);
    // Piped-in nothing without --stdin is a script that forgot the value, not an empty secret.
    if (!sources.stdin && bytes.length === 0) {
      throw new UsageError("no value given: stdin is empty and not a terminal", "give the value as an argument, with --from-file, or pipe it in; an empty value needs --stdin");
    }
    return new Secret(utf8(bytes, "stdin").replace(/\r?\n$/, ""));
  }
  return promptHidden(ctx, `value for ${sources.key}: `);
}
