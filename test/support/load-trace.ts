// A `node --require` preload that logs every bundle git-vault compiles to
// $LOAD_LOG ("compiled PATH"): bundles are read with fs.readFileSync, by
// Node's CommonJS loader and by the code-cache loader alike (which compiles
// them with node:vm). `extra` lines add other probes (dlopen, builtins).
import { writeFileSync } from "node:fs";

/** Writes the preload to `path`, with `extra` lines of probes after the bundle one. */
export function writeLoadTracer(path: string, extra: readonly string[] = []): void {
  writeFileSync(
    path,
    [
      'const fs = require("node:fs");',
      "const { appendFileSync, readFileSync } = fs;",
      "fs.readFileSync = function (path, ...rest) {",
      '  if (typeof path === "string" && path.endsWith(".cjs")) appendFileSync(process.env.LOAD_LOG, `compiled ${path}\\n`);',
      "  return readFileSync.call(this, path, ...rest);",
      "};",
      ...extra,
      "",
    ].join("\n"),
  );
}
