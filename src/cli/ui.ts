/** Terminal rendering: colour (only on a terminal, never with NO_COLOR), masking, tables, JSON, errors. */
import { Chalk } from "chalk";
import type { Context } from "../app/context.js";
import { VaultError } from "../errors.js";
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
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).join("\n") + (rows.length ? "\n" : "");
}

/** A status message on stderr (data goes to stdout). */
export function say(ctx: Context, message: string): void {
  ctx.stderr.write(`${message}\n`);
}

/** Renders an error on stderr and returns the exit code it maps to. */
export function reportError(ctx: Context, error: unknown): number {
  if (error instanceof VaultError) {
    ctx.stderr.write(`${paint(ctx, ctx.stderr, "red", "error:")} ${error.message}\n`);
    if (error.hint) ctx.stderr.write(`${paint(ctx, ctx.stderr, "dim", "hint:")} ${error.hint}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(`${paint(ctx, ctx.stderr, "red", "error:")} internal error: ${message}\n`);
  if (ctx.env["GIT_VAULT_DEBUG"] && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
  ctx.stderr.write("hint: this is a bug in git-vault; please report it with the command you ran (no secret values)\n");
  return 1;
}
