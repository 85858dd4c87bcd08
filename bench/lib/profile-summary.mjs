#!/usr/bin/env node
/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by
 * function and by source module. esbuild's unminified bundle marks every
 * module with a `// path` comment line, so a bundle line maps back to the
 * module (src/... or node_modules/...) it came from.
 *
 *   node --cpu-prof --cpu-prof-dir=bench/.work/prof dist/bin.cjs get KEY --reveal --file F
 *   node bench/lib/profile-summary.mjs bench/.work/prof/*.cpuprofile [--top 25]
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const topIdx = args.indexOf("--top");
const top = topIdx === -1 ? 25 : Number(args.splice(topIdx, 2)[1]);

const moduleMaps = new Map();
/** Module boundaries of a bundle file: [line, name] sorted by line. */
function modulesOf(url) {
  if (moduleMaps.has(url)) return moduleMaps.get(url);
  let marks = [];
  try {
    const path = url.startsWith("file:") ? fileURLToPath(url) : url;
    const lines = readFileSync(path, "utf8").split("\n");
    lines.forEach((l, i) => {
      const m = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(l);
      if (m) marks.push([i, m[1].replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, "node_modules/$1")]);
    });
  } catch {
    marks = [];
  }
  moduleMaps.set(url, marks);
  return marks;
}

function moduleOf(frame) {
  const { url, lineNumber } = frame;
  if (!url) return frame.functionName ? `(${frame.functionName})` : "(native)";
  if (url.startsWith("node:")) return url;
  const marks = modulesOf(url);
  let name = null;
  for (const [line, mod] of marks) {
    if (line <= lineNumber) name = mod;
    else break;
  }
  const file = url.split("/").pop();
  return name ? `${name} [${file}]` : file;
}

for (const file of args) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  }
  const total = (prof.endTime - prof.startTime) / 1000;
  const byFn = new Map();
  const byMod = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const f = n.callFrame;
    const fn = `${f.functionName || "(anonymous)"} ${f.url ? `${f.url.split("/").pop()}:${f.lineNumber + 1}` : ""}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us / 1000);
    const mod = moduleOf(f);
    byMod.set(mod, (byMod.get(mod) ?? 0) + us / 1000);
  }
  const show = (title, m) => {
    process.stdout.write(`\n${title}\n`);
    for (const [k, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${ms.toFixed(1).padStart(9)} ms  ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${k}\n`);
    }
  };
  process.stdout.write(`# ${file}: ${total.toFixed(1)} ms profiled\n`);
  show("self time by module", byMod);
  show("self time by function", byFn);
}
