import { describe, expect, it } from "vitest";
import { commands } from "./commands/index.js";
import { reachableCommands } from "./index.js";

const names = (list: typeof commands) => list.map((c) => c.name);

describe("reachableCommands", () => {
  it("registers only the commands whose path starts with the first argument", () => {
    expect(names(reachableCommands(["get", "KEY", "--reveal"]))).toEqual(["GetCommand"]);
    expect(names(reachableCommands(["ls", "--json"]))).toEqual(["ListCommand"]);
    expect(names(reachableCommands(["recipients", "add", "age1x"])).sort()).toEqual([
      "RecipientsAddCommand",
      "RecipientsListCommand",
      "RecipientsRemoveCommand",
    ]);
  });

  it("keeps every command for help, unknown words, options first and the man page", () => {
    for (const argv of [[], ["help"], ["gte"], ["--file", "x"], ["__man"]]) {
      expect(reachableCommands(argv), argv.join(" ")).toBe(commands);
    }
  });
});
