import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Context } from "../app/context.js";
import { VaultError } from "../errors.js";
import { readSecretValue } from "./input.js";
import { HiddenLineEditor } from "./prompt.js";

/** A terminal as the prompt sees it: a readable stream with isTTY and raw mode. */
class FakeTty extends PassThrough {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  setRawMode(on: boolean): this {
    this.rawModes.push(on);
    return this;
  }
}

function terminal(): { ctx: Context; tty: FakeTty; stderr: () => string } {
  const tty = new FakeTty();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  err.on("data", (c: Buffer) => chunks.push(c));
  const ctx: Context = { cwd: "/", env: {}, stdin: tty, stdout: new PassThrough(), stderr: Object.assign(err, { isTTY: true }), clock: () => new Date(0) };
  return { ctx, tty, stderr: () => Buffer.concat(chunks).toString("utf8") };
}

/** What the prompt for K returns (or throws) after the terminal sends `typed`, one chunk per element. */
async function prompt(...typed: (string | Buffer)[]): Promise<string> {
  const { ctx, tty } = terminal();
  const value = readSecretValue(ctx, { positional: undefined, stdin: false, fromFile: undefined, key: "K" });
  for (const chunk of typed) tty.write(chunk);
  return (await value).reveal();
}

async function cancelled(...typed: (string | Buffer)[]): Promise<VaultError> {
  const error = await prompt(...typed).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe("the hidden value prompt", () => {
  it("asks on stderr, reads in raw mode, echoes nothing and restores the terminal", async () => {
    const { ctx, tty, stderr } = terminal();
    const value = readSecretValue(ctx, { positional: undefined, stdin: false, fromFile: undefined, key: "API_TOKEN" });
    tty.write("s3cret-value\r");
    expect((await value).reveal()).toBe("s3cret-value");
    expect(stderr()).toBe("value for API_TOKEN: \n");
    expect(tty.rawModes).toEqual([true, false]);
    expect(tty.listenerCount("data")).toBe(0);
    expect(tty.destroyed).toBe(false);
  });

  it("ends the line at Enter (CR or LF) and ignores what follows", async () => {
    expect(await prompt("one\rtwo\r")).toBe("one");
    expect(await prompt("one\ntwo")).toBe("one");
  });

  it("Backspace and DEL erase one character, however many bytes it has; Ctrl-U erases the line", async () => {
    expect(await prompt("ab\u{1F600}\u007f\bc\r")).toBe("ac");
    expect(await prompt("é", "\u007f\u007f\u007fx\r")).toBe("x");
    expect(await prompt("wrong\u0015right\r")).toBe("right");
  });

  it("drops escape sequences (arrows, Delete, Home, modified keys), also split across reads", async () => {
    expect(await prompt("a\u001b[Db\u001b[1;5Cc\u001bOAd\u001b[3~e\u001b[H\r")).toBe("abcde");
    expect(await prompt("x\u001b", "[", "D", "y\r")).toBe("xy");
  });

  it("drops a lone ESC and other control characters (Tab, NUL, Ctrl-Z, Ctrl-W)", async () => {
    expect(await prompt("a\u001bb\tc\u0000d\u001ae\u0017f\r")).toBe("abcdef");
  });

  it("keeps UTF-8 text, also when a character is split across reads", async () => {
    const bytes = Buffer.from("pässwörd-\u{1F511}", "utf8");
    expect(await prompt(bytes.subarray(0, 2), bytes.subarray(2, 13), bytes.subarray(13), "\r")).toBe("pässwörd-\u{1F511}");
  });

  it("Ctrl-C cancels (exit 130), also inside an escape sequence", async () => {
    for (const typed of ["abc\u0003", "\u001b[1;\u0003"]) {
      const error = await cancelled(typed);
      expect([error.code, error.exitCode, error.message]).toEqual(["cancelled", 130, "cancelled"]);
    }
  });

  it("Ctrl-D cancels an empty line and ends a typed one, like end-of-file for read -s", async () => {
    expect((await cancelled("\u0004")).exitCode).toBe(130);
    expect((await cancelled("ab\u0015\u0004")).exitCode).toBe(130);
    expect(await prompt("ab\u0004c\r")).toBe("ab");
  });

  it("cancels when the terminal goes away before Enter", async () => {
    const { ctx, tty } = terminal();
    const value = readSecretValue(ctx, { positional: undefined, stdin: false, fromFile: undefined, key: "K" });
    tty.end("half-typed");
    const error = await value.then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as VaultError).exitCode).toBe(130);
    expect(tty.rawModes).toEqual([true, false]);
  });

  it("refuses typed bytes that are not UTF-8, without echoing them", async () => {
    const error = await cancelled(Buffer.from([0x61, 0xff, 0xfe, 0x0d]));
    expect(error.code).toBe("value-not-utf8");
    expect(error.message).toBe("the typed value is not UTF-8 text");
  });
});

describe("HiddenLineEditor", () => {
  it("stops at the end of the line and can wipe what was typed", () => {
    const editor = new HiddenLineEditor();
    expect(editor.feed(Buffer.from("ab"))).toBe("typing");
    expect(editor.feed(Buffer.from("c\rdef"))).toBe("done");
    expect(editor.feed(Buffer.from("more"))).toBe("done");
    expect(editor.bytes().toString()).toBe("abc");
    editor.wipe();
    expect(editor.bytes().length).toBe(0);
  });
});

describe("a VALUE argument", () => {
  it("is refused when it holds U+FFFD (what Node makes of bytes that are not UTF-8), without echoing it", async () => {
    const { ctx } = terminal();
    const error = await readSecretValue(ctx, { positional: "ab\uFFFDcd", stdin: false, fromFile: undefined, key: "K" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).exitCode).toBe(2);
    expect((error as VaultError).message).not.toContain("ab");
  });
});
