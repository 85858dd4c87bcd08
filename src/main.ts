/**
 * The ESM side of the entry point, loaded by bin.ts once the start-up fast
 * paths are ruled out. `textconv FILE`, which git runs once per blob in
 * `git log -p`, goes straight to its use case without the command-line
 * framework; everything else goes through the CLI.
 */
import type { CliContext } from "./cli/base.js";

/** Runs one invocation and returns its exit code. */
export async function main(argv: string[], context: Omit<CliContext, "colorDepth" | "signals">, signals: CliContext["signals"]): Promise<number> {
  if (argv.length === 2 && argv[0] === "textconv" && argv[1] !== undefined) {
    const { textconvText } = await import("./app/textconv.js");
    context.stdout.write(await textconvText(context, argv[1]));
    return 0;
  }
  const { runCli } = await import("./cli/index.js");
  return runCli(argv, { ...context, colorDepth: 1, signals });
}
