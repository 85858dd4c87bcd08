/** Small statistics and formatting helpers. */

export function median(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function max(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x));
  return v.length === 0 ? null : Math.max(...v);
}

/** Milliseconds for a table: 3 significant figures below 10 s, whole ms or seconds above. */
export function fmtMs(ms) {
  if (ms === null || ms === undefined) return "—";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function fmtMb(kb) {
  if (kb === null || kb === undefined) return "—";
  return `${(kb / 1024).toFixed(0)} MB`;
}

export function fmtRatio(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return "—";
  if (r >= 10) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}
