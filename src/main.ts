/**
 * The program behind the entry point (dist/cli.cjs), loaded by bin.ts once its fast paths
 * (`--version`, `--help`, `textconv FILE`) are ruled out.
 */
import type { CliContext } from "./cli/base.js";

/** Runs one invocation and returns its exit code. */
export async function main(argv: string[], context: Omit<CliContext, "colorDepth" | "signals">, signals: CliContext["signals"]): Promise<number> {
  const { runCli } = await import("./cli/index.js");
  return runCli(argv, { ...context, colorDepth: 1, signals });
}
