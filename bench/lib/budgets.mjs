/**
 * The performance budgets, evaluated on medians. Each gives PASS, FAIL,
 * pending (a command that is not implemented yet) or not run.
 */
import { fmtMb, fmtMs, fmtRatio } from "./stats.mjs";

function lookup(results, id, name) {
  const c = results.find((r) => r.id === id);
  return c ? (c.variants.find((v) => v.name === name) ?? null) : null;
}

function unavailable(...vs) {
  for (const v of vs) {
    if (v === null) return { result: "not run", measured: "—" };
    if (v.status === "n/a") return { result: "pending", measured: "n/a (not implemented)" };
    if (v.status !== "ok") return { result: "not run", measured: `${v.status}${v.reason ? `: ${v.reason.split("\n")[0].slice(0, 80)}` : ""}` };
  }
  return null;
}

/** ours ≤ factor × peer (medians). */
function ratioBudget(results, { id, title, caseId, ours, peer, factor, limitText }) {
  const a = lookup(results, caseId, ours);
  const b = lookup(results, caseId, peer);
  const u = unavailable(a, b);
  if (u) return { id, title, limit: limitText, ...u };
  const ratio = a.medianMs / b.medianMs;
  return {
    id,
    title,
    limit: limitText,
    measured: `${fmtMs(a.medianMs)} vs ${fmtMs(b.medianMs)} = ${ratio < 10 ? ratio.toFixed(3) : ratio.toFixed(1)}×`,
    value: ratio,
    result: ratio <= factor ? "PASS" : "FAIL",
  };
}

export function evaluateBudgets(results) {
  const out = [];
  for (const [name, label] of [["gv-version", "--version"], ["gv-help", "--help"]]) {
    out.push(ratioBudget(results, { id: `cold-start${label}`, title: `cold start (\`git-vault ${label}\`) ≤ 1.3× \`node -e 0\``, caseId: "cold-start", ours: name, peer: "node", factor: 1.3, limitText: "≤ 1.30×" }));
  }
  for (const cmd of ["get", "list", "run"]) {
    out.push(ratioBudget(results, { id: `${cmd}/100`, title: `\`${cmd}\`, 100 keys, ≥ 10× faster than dotenvx`, caseId: `${cmd}/100`, ours: "gv", peer: "dotenvx", factor: 0.1, limitText: "≤ 0.10×" }));
  }
  out.push(ratioBudget(results, { id: "encrypt/1000/1r", title: "`encrypt`, 1000 plaintext keys, 1 recipient, ≥ 20× faster than dotenvx", caseId: "encrypt/1000/1r", ours: "gv", peer: "dotenvx", factor: 0.05, limitText: "≤ 0.05×" }));
  {
    const v = lookup(results, "encrypt/1000/10r", "gv");
    const u = unavailable(v);
    const title = "`encrypt`, 1000 plaintext keys, 10 recipients, ≤ 2.5 s";
    out.push(u ? { id: "encrypt/1000/10r", title, limit: "≤ 2.5 s", ...u } : { id: "encrypt/1000/10r", title, limit: "≤ 2.5 s", measured: fmtMs(v.medianMs), value: v.medianMs, result: v.medianMs <= 2500 ? "PASS" : "FAIL" });
  }
  {
    // "one encryption": the age CLI encrypting one small value (a whole
    // process, so a generous allowance); without age, git-vault's own marginal
    // cost per value between 10 and 1000 keys.
    const set = lookup(results, "set/1000", "gv");
    const floor = lookup(results, "set/1000", "node-floor");
    const cold = lookup(results, "cold-start", "gv-version");
    const age = lookup(results, "age/1", "age-encrypt");
    const e10 = lookup(results, "encrypt/10/1r", "gv");
    const e1000 = lookup(results, "encrypt/1000/1r", "gv");
    const title = "`set` one key in a 1000-key file ≤ cold start + one encryption";
    const u = unavailable(set, cold);
    let oneEnc = null;
    let how = "";
    if (age?.status === "ok") {
      oneEnc = age.medianMs;
      how = "age CLI, one value";
    } else if (e10?.status === "ok" && e1000?.status === "ok") {
      oneEnc = Math.max(0, (e1000.medianMs - e10.medianMs) / 990);
      how = "git-vault marginal cost per value";
    }
    if (u) out.push({ id: "set/1000", title, limit: "cold + 1 enc", ...u });
    else if (oneEnc === null) out.push({ id: "set/1000", title, limit: "cold + 1 enc", result: "not run", measured: "no figure for one encryption" });
    else {
      const limit = cold.medianMs + oneEnc;
      out.push({
        id: "set/1000",
        title,
        limit: `≤ ${fmtMs(limit)} (${fmtMs(cold.medianMs)} + ${fmtMs(oneEnc)}, ${how})`,
        measured: `${fmtMs(set.medianMs)} (${fmtRatio(set.medianMs / limit)} the limit)${floor?.status === "ok" ? `; Node's least work for it: ${fmtMs(floor.medianMs)}` : ""}`,
        value: set.medianMs / limit,
        result: set.medianMs <= limit ? "PASS" : "FAIL",
      });
    }
  }
  out.push(ratioBudget(results, { id: "set/1000/floor", title: "`set` one key in a 1000-key file ≤ 1.5× Node's least work for it (set-floor.cjs)", caseId: "set/1000", ours: "gv", peer: "node-floor", factor: 1.5, limitText: "≤ 1.50×" }));
  out.push(ratioBudget(results, { id: "textconv/100", title: "`textconv`, 100 keys, no agent, ≤ 1.9× the Node print-only script", caseId: "textconv/100", ours: "gv", peer: "print", factor: 1.9, limitText: "≤ 1.90×" }));
  out.push(ratioBudget(results, { id: "textconv/100/agent", title: "textconv, 100 keys, sh client with the agent (no cache), ≤ 0.6× the Node print-only script", caseId: "textconv/100", ours: "gv-agent", peer: "print", factor: 0.6, limitText: "≤ 0.60×" }));
  out.push(ratioBudget(results, { id: "git-log-p/100x50", title: "`git log -p`, 50 revisions, 100 keys, ≤ 2× with the print-only textconv", caseId: "git-log-p/100x50", ours: "gv", peer: "print", factor: 2, limitText: "≤ 2.00×" }));
  out.push(ratioBudget(results, { id: "git-log-p/100x50/agent", title: "`git log -p`, 50 revisions, 100 keys, agent running, no cache, ≤ 1.0× git-crypt", caseId: "git-log-p/100x50", ours: "gv-agent", peer: "git-crypt", factor: 1, limitText: "≤ 1.00×" }));
  out.push(ratioBudget(results, { id: "git-log-p/100x50/agent-cache", title: "`git log -p`, 50 revisions, 100 keys, agent with its cache, ≤ 0.5× git-crypt", caseId: "git-log-p/100x50", ours: "gv-agent-cache", peer: "git-crypt", factor: 0.5, limitText: "≤ 0.50×" }));
  {
    const v = lookup(results, "encrypt/10000/1r", "gv");
    const u = unavailable(v);
    const title = "memory: `encrypt` of 10,000 keys under 200 MB peak";
    if (u) out.push({ id: "memory/encrypt/10000", title, limit: "< 200 MB", ...u });
    else if (v.peakRssKb === null) out.push({ id: "memory/encrypt/10000", title, limit: "< 200 MB", result: "not run", measured: "no memory figure (GNU time missing)" });
    else {
      // Both recipient counts count: the larger peak is held to the budget.
      const v10 = lookup(results, "encrypt/10000/10r", "gv");
      const peak10 = v10?.status === "ok" ? v10.peakRssKb : null;
      const peak = Math.max(v.peakRssKb, peak10 ?? 0);
      const measured = `${fmtMb(v.peakRssKb)} (1 recipient)${peak10 !== null ? `, ${fmtMb(peak10)} (10 recipients)` : ""}`;
      out.push({ id: "memory/encrypt/10000", title, limit: "< 200 MB", measured, value: peak, result: peak < 200 * 1024 ? "PASS" : "FAIL" });
    }
  }
  return out;
}
