/** Durations as people type them in options: `90s`, `15m`, `2h`, `30d`, `2w`, or plain seconds. */
import { UsageError } from "../errors.js";

const SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * Reads digits and one unit letter of `units` (`"smhd"`, say) as whole
 * seconds; with `bare`, plain digits are seconds too. Null when the text is
 * no such duration. The one reader of the options that take a duration
 * (`--timeout`, `--ttl`, `--since`), each with the units it accepts.
 */
export function durationSeconds(text: string, units: string, bare = false): number | null {
  const match = /^(\d{1,9})([a-z]?)$/.exec(text.trim());
  const unit = match?.[2] ?? "";
  if (match === null || (unit === "" ? !bare : !units.includes(unit))) return null;
  return Number(match[1]) * (unit === "" ? 1 : (SECONDS[unit] ?? Number.NaN));
}

/** Parses a duration (`90s`, `15m`, `2h`, `1d` or plain seconds) into whole seconds; throws a UsageError naming the option. */
export function parseDuration(text: string, option: string): number {
  const seconds = durationSeconds(text, "smhd", true);
  if (seconds === null) throw new UsageError(`${option} takes a duration such as 90s, 15m or 2h (got "${text}")`);
  return seconds;
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
