/** Terminal rendering: colour (only on a terminal, never with NO_COLOR), masking, tables, JSON, errors. */
import { Chalk } from "chalk";
import type { Context } from "../app/context.js";
import { VaultError, fileSystemError, withoutPrivateKeys } from "../errors.js";
import { shouldColor } from "./color.js";

/** What a masked value looks like: fixed width, so even the length stays hidden. */
export const MASK = "********";

type Style = "red" | "yellow" | "green" | "dim" | "bold";

/** True when colour may be used on this stream. */
export function colorEnabled(ctx: Context, stream: Context["stdout"]): boolean {
  return shouldColor(ctx.env, stream.isTTY);
}

/** Wraps text in an ANSI style when colour is enabled for the stream. */
export function paint(ctx: Context, stream: Context["stdout"], style: Style, text: string): string {
  return new Chalk({ level: colorEnabled(ctx, stream) ? 1 : 0 })[style](text);
}

/** Prints data as pretty JSON on stdout. */
export function printJson(ctx: Context, data: unknown): void {
  ctx.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

/** Left-aligned columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  // No trailing blanks when the last cells are empty (a recipient without a label).
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd()).join("\n") + (rows.length ? "\n" : "");
}

/** A status message on stderr (data goes to stdout). */
export function say(ctx: Context, message: string): void {
  ctx.stderr.write(`${withoutPrivateKeys(message)}\n`);
}

/** Renders an error on stderr and returns the exit code it maps to. */
export function reportError(ctx: Context, error: unknown): number {
  const known = error instanceof VaultError ? error : fileSystemError(error);
  if (known !== null) {
    ctx.stderr.write(`${paint(ctx, ctx.stderr, "red", "error:")} ${withoutPrivateKeys(known.message)}\n`);
    if (known.hint) ctx.stderr.write(`${paint(ctx, ctx.stderr, "dim", "hint:")} ${withoutPrivateKeys(known.hint)}\n`);
    return known.exitCode;
  }
  // An unexpected error's message may quote anything it was handed, a
  // decrypted value included (Node's argument checks do): only its kind is
  // shown unless the user asks for the details.
  const { name, code } = error instanceof Error ? (error as NodeJS.ErrnoException) : { name: typeof error, code: undefined };
  ctx.stderr.write(`${paint(ctx, ctx.stderr, "red", "error:")} internal error (${name}${code ? ` ${code}` : ""})\n`);
  if (ctx.env["GIT_VAULT_DEBUG"]) ctx.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  ctx.stderr.write("hint: this is a bug in git-vault; please report it with the command you ran. GIT_VAULT_DEBUG=1 shows the details, which may include secret values: check them before you share them\n");
  return 1;
}
