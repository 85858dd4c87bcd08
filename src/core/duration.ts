/** Durations as people type them in options: `90s`, `15m`, `2h`, or plain seconds. */
import { UsageError } from "../errors.js";

const UNITS: Readonly<Record<string, number>> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses a duration into whole seconds; throws a UsageError naming the option. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  const unit = match ? UNITS[match[2] ?? ""] : undefined;
  if (!match || unit === undefined) throw new UsageError(`${option} takes a duration such as 90s, 15m or 2h (got "${text}")`);
  return Number(match[1]) * unit;
}

/** Renders whole seconds the way {@link parseDuration} reads them (`15m`, `1h30m`, `45s`). */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join("");
}
