import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { quoteShell, quoteShellIfNeeded } from "./shell.js";

describe("quoteShell / quoteShellIfNeeded", () => {
  it("round-trips through sh, quotes included", () => {
    for (const word of ["plain", "with space", "it's", "$HOME `x` \"y\"", "", "a\nb"]) {
      const out = spawnSync("sh", ["-c", `printf %s ${quoteShell(word)}`], { encoding: "utf8" }).stdout;
      expect(out).toBe(word);
      const maybe = spawnSync("sh", ["-c", `printf %s ${quoteShellIfNeeded(word)}`], { encoding: "utf8" }).stdout;
      expect(maybe).toBe(word);
    }
  });

  it("leaves ordinary paths bare", () => {
    expect(quoteShellIfNeeded("/home/alice/app/.git/hooks/pre-commit")).toBe("/home/alice/app/.git/hooks/pre-commit");
    expect(quoteShellIfNeeded("/tmp/my hooks")).toBe("'/tmp/my hooks'");
  });
});
