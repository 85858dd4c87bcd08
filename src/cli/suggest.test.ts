import { describe, expect, it } from "vitest";
import { similarCommands, unknownCommandText, unknownCommandWord } from "./suggest.js";

const WORDS = new Set(["init", "set", "get", "list", "ls", "keys", "keygen", "recipients", "status", "help", "__man"]);

describe("unknown command words", () => {
  it("are first arguments that are neither options nor command words", () => {
    expect(unknownCommandWord(["stauts"], WORDS)).toBe("stauts");
    expect(unknownCommandWord(["set", "KEY"], WORDS)).toBeNull();
    expect(unknownCommandWord(["--help"], WORDS)).toBeNull();
    expect(unknownCommandWord([], WORDS)).toBeNull();
  });

  it("get the commands a few edits away, or that they begin, closest first", () => {
    expect(similarCommands("stauts", WORDS)).toEqual(["status"]);
    expect(similarCommands("inti", WORDS)).toEqual(["init"]);
    expect(similarCommands("key", WORDS)).toEqual(["keys", "keygen"]);
    expect(similarCommands("lst", WORDS)).toEqual(["list", "ls"]);
    expect(similarCommands("recip", WORDS)).toEqual(["recipients"]);
    expect(similarCommands("STATUS", WORDS)).toEqual(["status"]);
  });

  it("get no suggestion when nothing is close, and never an internal command", () => {
    expect(similarCommands("xy", WORDS)).toEqual([]);
    expect(similarCommands("frobnicate", WORDS)).toEqual([]);
    expect(similarCommands("man", WORDS)).toEqual([]);
  });

  it("are quoted back only when they look like a command name", () => {
    expect(unknownCommandText("stauts", WORDS)).toBe("usage error: 'stauts' is not a git-vault command\ndid you mean: status?\nhint: see `git vault --help` for the commands\n");
    expect(unknownCommandText("TOKEN=abc", WORDS)).toBe("usage error: unknown command\nhint: see `git vault --help` for the commands\n");
  });
});
