import { describe, expect, it } from "vitest";
import { groupHelpRequest, similarCommands, subcommandProblem, unknownCommandText, unknownCommandWord, unknownOption, unknownOptionText } from "./suggest.js";

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

const PATHS = [["keys", "show"], ["keys", "where"], ["recipients", "list"], ["recipients"], ["recipients", "add"], ["set"]];

describe("command groups", () => {
  it("accept their commands, options after a group that runs bare, and anything outside a group", () => {
    expect(subcommandProblem(["keys", "show"], PATHS)).toBeNull();
    expect(subcommandProblem(["recipients"], PATHS)).toBeNull();
    expect(subcommandProblem(["recipients", "--json"], PATHS)).toBeNull();
    expect(subcommandProblem(["keys", "--help"], PATHS)).toBeNull();
    expect(subcommandProblem(["set", "KEY", "value"], PATHS)).toBeNull();
    expect(subcommandProblem([], PATHS)).toBeNull();
  });

  it("name a missing command and list the group's commands", () => {
    expect(subcommandProblem(["keys"], PATHS)).toBe(
      "usage error: `git vault keys` needs a command\nthe keys commands: show, where\nhint: see `git vault keys <command> --help`\n",
    );
    expect(subcommandProblem(["keys", "--json"], PATHS)).toMatch(/^usage error: `git vault keys` needs a command\n/);
  });

  it("name an unknown command, suggest close ones, and never quote what is not a plain name", () => {
    expect(subcommandProblem(["keys", "shwo"], PATHS)).toBe(
      "usage error: 'shwo' is not a `git vault keys` command\ndid you mean: show?\nthe keys commands: show, where\nhint: see `git vault keys <command> --help`\n",
    );
    expect(subcommandProblem(["recipients", "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"], PATHS)).toMatch(/^usage error: unknown `git vault recipients` command\n/);
    expect(subcommandProblem(["keys", "AGE-SECRET-KEY-1ABC"], PATHS)).toMatch(/^usage error: unknown `git vault keys` command\n/);
    expect(unknownCommandText("AGE-SECRET-KEY-1ABC", WORDS)).toMatch(/^usage error: unknown command\n/);
  });

  it("recognise a request for a group's help", () => {
    expect(groupHelpRequest(["keys", "--help"], PATHS)).toBe("keys");
    expect(groupHelpRequest(["recipients", "-h"], PATHS)).toBe("recipients");
    expect(groupHelpRequest(["keys", "show", "--help"], PATHS)).toBeNull();
    expect(groupHelpRequest(["set", "--help"], PATHS)).toBeNull();
  });
});

describe("unknown options", () => {
  const names = new Set(["--file", "-f", "--section", "-s", "--stdin", "--format", "--help", "-h"]);

  it("are the first option a command does not have, before `--`", () => {
    expect(unknownOption(["KEY", "value", "--sectoin", "db"], names)).toBe("--sectoin");
    expect(unknownOption(["--section=db", "--no-format", "-fs", "KEY", "-", "--bogus=1"], names)).toBe("--bogus");
    expect(unknownOption(["-fz", "KEY"], names)).toBe("-fz");
    expect(unknownOption(["KEY", "--", "--not-an-option"], names)).toBeNull();
    expect(unknownOption(["KEY", "value", "extra"], names)).toBeNull();
  });

  it("are named when they look like options, with close long options", () => {
    expect(unknownOptionText("--sectoin", "set", names)).toBe("unknown option --sectoin for `git vault set` (did you mean --section?)");
    expect(unknownOptionText("-Z", "set", names)).toBe("unknown option -Z for `git vault set`");
    expect(unknownOptionText("--p@ss word", "set", names)).toBe("unknown option for `git vault set`");
  });
});
