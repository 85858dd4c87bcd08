import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { durationSeconds, formatDuration, parseDuration } from "./duration.js";

describe("durationSeconds", () => {
  it("reads digits and one unit of those allowed, plain digits only when bare", () => {
    expect(durationSeconds("90s", "smhd")).toBe(90);
    expect(durationSeconds(" 15m ", "smhd")).toBe(900);
    expect(durationSeconds("2h", "smhd")).toBe(7200);
    expect(durationSeconds("3d", "smhd")).toBe(259_200);
    expect(durationSeconds("2w", "smhdw")).toBe(1_209_600);
    expect(durationSeconds("2w", "smhd")).toBeNull();
    expect(durationSeconds("45", "smhd")).toBeNull();
    expect(durationSeconds("45", "smhd", true)).toBe(45);
    for (const bad of ["", "s", "-1s", "1.5h", "1h30m", "1H", "1y", "1234567890s", "1 h"]) expect(durationSeconds(bad, "smhdw", true), bad).toBeNull();
  });
});

describe("parseDuration", () => {
  it("takes plain seconds or s, m, h, d, and names the option when it cannot", () => {
    expect(parseDuration("120", "--timeout")).toBe(120);
    expect(parseDuration("15m", "--timeout")).toBe(900);
    expect(() => parseDuration("2w", "--timeout")).toThrow(new UsageError('--timeout takes a duration such as 90s, 15m or 2h (got "2w")'));
    expect(formatDuration(parseDuration("1d", "--timeout"))).toBe("1d");
  });
});
