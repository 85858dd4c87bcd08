import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Context } from "../app/context.js";
import { VaultError } from "../errors.js";
import { reportError } from "./ui.js";

/** A context whose stderr is collected; `env` as given. */
function capture(env: Record<string, string> = {}): { ctx: Context; stderr: () => string } {
  const chunks: Buffer[] = [];
  const stderr = new PassThrough();
  stderr.on("data", (c: Buffer) => chunks.push(c));
  const ctx: Context = { cwd: "/", env, stdin: new PassThrough(), stdout: new PassThrough(), stderr, clock: () => new Date(0) };
  return { ctx, stderr: () => Buffer.concat(chunks).toString("utf8") };
}

const SECRET = "sec\u0000retValue-7171";

describe("reportError", () => {
  it("shows an unexpected error's kind, never its message, which may quote a value", () => {
    const { ctx, stderr } = capture();
    const error = Object.assign(new TypeError(`The property 'options.env['K']' must be a string without null bytes. Received '${SECRET}'`), { code: "ERR_INVALID_ARG_VALUE" });
    expect(reportError(ctx, error)).toBe(1);
    expect(stderr()).toBe(
      "error: internal error (TypeError ERR_INVALID_ARG_VALUE)\nhint: this is a bug in git-vault; please report it with the command you ran. GIT_VAULT_DEBUG=1 shows the details, which may include secret values: check them before you share them\n",
    );
  });

  it("shows the details with GIT_VAULT_DEBUG", () => {
    const { ctx, stderr } = capture({ GIT_VAULT_DEBUG: "1" });
    reportError(ctx, new RangeError("detail-7272"));
    expect(stderr()).toContain("RangeError: detail-7272");
  });

  it("names the file of a failed file-system call, without calling it a bug", () => {
    const { ctx, stderr } = capture();
    const error = Object.assign(new Error("EACCES: permission denied, open '/v/.env.dev.lock.1.ab'"), { code: "EACCES", syscall: "open", path: "/v/.env.dev.lock.1.ab" });
    expect(reportError(ctx, error)).toBe(1);
    expect(stderr()).toBe("error: cannot open /v/.env.dev.lock.1.ab: permission denied\nhint: check the path and its permissions; the file was left as it was\n");
  });

  it("hides a private key anywhere in a message or hint", () => {
    const { ctx, stderr } = capture();
    const key = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
    expect(reportError(ctx, new VaultError("x", `cannot read /home/a/${key}`, { hint: `or ${key.toLowerCase()}` }))).toBe(1);
    expect(stderr()).toBe("error: cannot read /home/a/AGE-SECRET-KEY-… (a private key, not shown)\nhint: or AGE-SECRET-KEY-… (a private key, not shown)\n");
  });
});
