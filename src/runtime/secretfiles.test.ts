import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepSecretFolders, writeSecretFolder } from "./secretfiles.js";

let temp: string;
let savedTmpdir: string | undefined;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), "git-vault-sweep-"));
  savedTmpdir = process.env["TMPDIR"];
  process.env["TMPDIR"] = temp; // os.tmpdir() reads it
});
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env["TMPDIR"];
  else process.env["TMPDIR"] = savedTmpdir;
  rmSync(temp, { recursive: true, force: true });
});

describe("sweepSecretFolders", () => {
  it("also sweeps the temp folder, where --allow-disk puts files when no tmpfs is found", () => {
    const live = writeSecretFolder(tmpdir(), [{ name: "KEY", content: "x", mode: 0o400 }]);
    // A folder named after a process that is gone (pid 2^22 + 1 is above Linux's pid_max).
    const dead = join(temp, `git-vault-${process.getuid?.() ?? "user"}`, "run-4194305-123-0badc0de");
    mkdirSync(dead, { mode: 0o700 });
    sweepSecretFolders({});
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live.paths.get("KEY") as string)).toBe(true);
    live.remove();
  });
});
