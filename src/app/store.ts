/** The read-modify-write cycle of an env file: locked, validated, written atomically. */
import { type EnvFile, encodeEnvFile } from "../core/envfile.js";
import { writeFileAtomic } from "../files/atomic.js";
import { withFileLock } from "../files/lock.js";
import type { Context } from "./context.js";
import { type LoadedFile, loadEnvFile, validateEnvFile } from "./vaultfile.js";

/** What an update did to the file. */
export interface UpdateOutcome {
  readonly written: boolean;
  readonly created: boolean;
}

/**
 * Locks `path`, loads and validates it, lets `change` compute the new file
 * (null: leave it), and writes it atomically only if its bytes changed.
 */
export async function updateEnvFile(
  ctx: Context,
  path: string,
  display: string,
  change: (loaded: LoadedFile) => EnvFile | null | Promise<EnvFile | null>,
  options: { allowMissing?: boolean } = {},
): Promise<UpdateOutcome> {
  return withFileLock(path, async () => {
    const loaded = loadEnvFile(path, display, options);
    validateEnvFile(ctx, loaded);
    const next = await change(loaded);
    if (next === null) return { written: false, created: false };
    const text = encodeEnvFile(next);
    if (loaded.exists && text === loaded.text) return { written: false, created: false };
    writeFileAtomic(path, text, { mode: 0o644 });
    return { written: true, created: !loaded.exists };
  });
}
