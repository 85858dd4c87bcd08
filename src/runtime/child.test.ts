import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { checkCommand, isForegroundStat, runChild } from "./child.js";

describe("isForegroundStat", () => {
  // pid (comm) state ppid pgrp session tty_nr tpgid …
  it("is true when the process group is the terminal's foreground group", () => {
    expect(isForegroundStat("4242 (node) S 4200 4242 4200 34817 4242 4194304 97 0")).toBe(true);
  });

  it("is false for a background group, and without a terminal (tpgid -1)", () => {
    expect(isForegroundStat("4242 (node) S 4200 4242 4200 34817 4300 4194304 97 0")).toBe(false);
    expect(isForegroundStat("4242 (node) S 4200 4242 4242 0 -1 4194304 97 0")).toBe(false);
  });

  it("reads the fields after a command name holding spaces and parentheses", () => {
    expect(isForegroundStat("4242 (a) b (c) S 4200 4242 4200 34817 4242 0")).toBe(true);
    expect(isForegroundStat("4242 (a) 1 2 3 4 5 6) S 4200 4242 4200 34817 4300 0")).toBe(false);
  });

  it("is false for anything it cannot read", () => {
    expect(isForegroundStat("")).toBe(false);
    expect(isForegroundStat("garbage")).toBe(false);
  });
});

describe("checkCommand", () => {
  it("refuses no command and an empty command name as usage errors (exit 2)", () => {
    expect(() => checkCommand([])).toThrow(UsageError);
    expect(() => checkCommand([""])).toThrow("empty command name");
    expect(() => checkCommand(["", "x"])).toThrow(expect.objectContaining({ exitCode: 2 }) as Error);
    expect(() => checkCommand(["true", ""])).not.toThrow();
  });
});

describe("runChild's signal forwarding", () => {
  /**
   * Runs a shell that records the SIGINTs and SIGTERMs it gets, delivers
   * `signal` to git-vault's handlers (a fake process) once the shell waits,
   * and returns what the shell recorded and its exit code.
   */
  async function forwarded(signal: NodeJS.Signals, inForeground: boolean): Promise<{ received: string; code: number }> {
    const dir = mkdtempSync(join(tmpdir(), "git-vault-child-"));
    try {
      const signals = new EventEmitter();
      const script = 'trap "echo INT >> got" INT; trap "echo TERM >> got" TERM; touch ready; sleep 0.5 & wait; wait';
      const done = runChild(["sh", "-c", script], {
        cwd: dir,
        env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
        signals: signals as unknown as Pick<NodeJS.Process, "on" | "off">,
        inForeground: () => inForeground,
      });
      while (!existsSync(join(dir, "ready"))) await new Promise((r) => setTimeout(r, 20));
      signals.emit(signal, signal);
      const code = await done;
      const received = existsSync(join(dir, "got")) ? readFileSync(join(dir, "got"), "utf8") : "";
      return { received, code };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("forwards SIGINT when git-vault is not in its terminal's foreground (no terminal, or a background job)", async () => {
    expect(await forwarded("SIGINT", false)).toEqual({ received: "INT\n", code: 0 });
  });

  it("does not forward SIGINT from the terminal's foreground: the terminal sent it to the child too", async () => {
    expect(await forwarded("SIGINT", true)).toEqual({ received: "", code: 0 });
  });

  it("forwards SIGTERM in the foreground too: no terminal sends it", async () => {
    expect(await forwarded("SIGTERM", true)).toEqual({ received: "TERM\n", code: 0 });
  });

  it("stops listening once the child has ended", async () => {
    const signals = new EventEmitter();
    await runChild(["true"], { cwd: process.cwd(), env: {}, signals: signals as unknown as Pick<NodeJS.Process, "on" | "off"> });
    expect(signals.eventNames()).toEqual([]);
  });
});
