/**
 * `run --as-files`: each selected secret as a file in a private folder on a
 * tmpfs; the command gets `KEY_FILE=/path` (not the value) in its
 * environment, and the folder is removed when it ends.
 */
import { VaultError } from "../errors.js";
import { runChild } from "../runtime/child.js";
import { type SecretFile, chooseFilesRoot, writeSecretFolder } from "../runtime/secretfiles.js";
import type { Context } from "./context.js";
import { manifestFor } from "./manifest.js";
import type { DecryptedValue } from "./run.js";
import type { Target } from "./target.js";

/** The environment variable that names a key's file: `KEY_FILE`. */
export function fileVariable(key: string): string {
  return `${key}_FILE`;
}

/** The files to write: the manifest's `file` target of a key where there is one, else a file named after the key. */
function filesFor(target: Target, values: ReadonlyMap<string, DecryptedValue>): (SecretFile & { key: string })[] {
  const manifest = new Map(manifestFor(target.config, target.envName));
  const out: (SecretFile & { key: string })[] = [];
  const taken = new Map<string, string>();
  for (const [key, v] of values) {
    const spec = manifest.get(key)?.file;
    const name = spec?.path ?? key;
    if (name === "." || name === "..") {
      throw new VaultError("files-name", `${target.display}: ${key} cannot be the name of its file (. and .. name folders)`, { hint: `give it a file.path in ${target.config.source ?? "the configuration"} (secrets.${key}.file.path)` });
    }
    const other = taken.get(name);
    if (other !== undefined) {
      throw new VaultError("files-clash", `${key} and ${other} would both be written to the file ${name}`, { hint: `give one of them another file.path in ${target.config.source ?? "the configuration"}` });
    }
    taken.set(name, key);
    out.push({ key, name, mode: spec?.mode ?? 0o400, content: v.value.reveal() });
  }
  return out;
}

/** Runs `argv` with the values as files; the folder is removed when it exits, however it ends. */
export async function runWithSecretFiles(
  ctx: Context,
  target: Target,
  values: ReadonlyMap<string, DecryptedValue>,
  request: { argv: readonly string[]; allowDisk?: boolean | undefined; baseEnv: Record<string, string>; signals: Pick<NodeJS.Process, "on" | "off"> },
): Promise<number> {
  const files = filesFor(target, values);
  const root = chooseFilesRoot(ctx.env, request.allowDisk === true);
  const folder = writeSecretFolder(root, files);
  // A git-vault that exits without reaching `finally` (an uncaught error) still removes it; SIGKILL is swept by the next run.
  const onExit = (): void => {
    folder.remove();
  };
  request.signals.on("exit", onExit);
  try {
    const env = { ...request.baseEnv };
    for (const f of files) env[fileVariable(f.key)] = folder.paths.get(f.name) as string;
    return await runChild(request.argv, { cwd: ctx.cwd, env, signals: request.signals });
  } finally {
    request.signals.off("exit", onExit);
    folder.remove();
  }
}
