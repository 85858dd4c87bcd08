/** Yes/no questions on the terminal (only asked when a person is there). */
import { createInterface } from "node:readline/promises";
import type { Context } from "../app/context.js";

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
