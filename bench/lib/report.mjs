/** Markdown tables for the results and the budgets. */
import { fmtMb, fmtMs, fmtRatio } from "./stats.mjs";

function cell(v) {
  if (v === null) return "—";
  const hangs = v.hangs ? ` (+${v.hangs} hung run${v.hangs === 1 ? "" : "s"}, killed)` : "";
  if (v.status === "ok") return `${fmtMs(v.medianMs)}${hangs}`;
  if (v.status === "n/a") return "n/a (not implemented)";
  if (v.status === "skipped") return `skipped (${v.reason})`;
  return `error (${(v.reason ?? "").split(/[:\n]/)[0]})`;
}

const ok = (v) => v !== null && v.status === "ok";
const cpu = (v) => (ok(v) ? fmtMs(v.cpuMedianMs) : "—");
const rss = (v) => (ok(v) ? fmtMb(v.peakRssKb) : "—");
const n = (v) => (ok(v) ? String(v.n) : "—");

/** One row per (git-vault variant, reference) pair; a case without one side gets "—". */
export function resultRows(results) {
  const rows = [];
  for (const c of results) {
    const ours = c.variants.filter((v) => v.role === "ours");
    const others = c.variants.filter((v) => v.role !== "ours");
    const pairs = [];
    if (ours.length === 0) for (const o of others) pairs.push([null, o]);
    else if (others.length === 0) for (const g of ours) pairs.push([g, null]);
    else for (const g of ours) for (const o of others) pairs.push([g, o]);
    for (const [g, o] of pairs) {
      rows.push({
        case: c.id,
        ours: g,
        ref: o,
        ratio: ok(g) && ok(o) ? g.medianMs / o.medianMs : null,
        cpuRatio: ok(g) && ok(o) && g.cpuMedianMs > 0 && o.cpuMedianMs > 0 ? g.cpuMedianMs / o.cpuMedianMs : null,
        others: c.otherCoresBusy ?? null,
      });
    }
  }
  return rows;
}

export function resultsTable(results) {
  const head = [
    "| case | git-vault command | git-vault median | reference | reference median | ratio (gv / ref) | CPU-time ratio | gv CPU | gv peak RSS | ref peak RSS | n (gv/ref) | others busy |",
    "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const lines = resultRows(results).map((r) =>
    `| ${r.case} | ${r.ours ? r.ours.label : "—"} | ${cell(r.ours)} | ${r.ref ? r.ref.label : "—"} | ${cell(r.ref)} | ${fmtRatio(r.ratio)} | ${fmtRatio(r.cpuRatio)} | ${cpu(r.ours)} | ${rss(r.ours)} | ${rss(r.ref)} | ${n(r.ours)}/${n(r.ref)} | ${r.others === null ? "—" : r.others.toFixed(2)} |`,
  );
  return [...head, ...lines].join("\n");
}

export function budgetsTable(budgets) {
  const head = ["| budget | limit | measured | result |", "| --- | --- | --- | --- |"];
  const lines = budgets.map((b) => `| ${b.title} | ${b.limit} | ${b.measured} | ${b.result === "PASS" ? "PASS" : b.result === "FAIL" ? "**FAIL**" : b.result} |`);
  return [...head, ...lines].join("\n");
}
