import { describe, expect, it } from "vitest";
import { withValueNames } from "./placeholders.js";

describe("option value names", () => {
  it("replace clipanion's #0 in a synopsis", () => {
    expect(withValueNames("$ git vault get [--file,-f #0] [--vault-dir #0] [--reveal] <KEY>")).toBe("$ git vault get [--file,-f PATH] [--vault-dir DIR] [--reveal] <KEY>");
  });

  it("keep an options table aligned", () => {
    const table = ["  --file,-f #0             Env file", "  --trust-fingerprint #0   Pin", "  --json                   Print JSON"].join("\n");
    expect(withValueNames(table)).toBe(["  --file,-f PATH           Env file", "  --trust-fingerprint FP   Pin", "  --json                   Print JSON"].join("\n"));
  });

  it("call an unlisted option's value VALUE and leave other text alone", () => {
    expect(withValueNames("[--new-option #0] and #0 alone")).toBe("[--new-option VALUE] and #0 alone");
  });
});
