import { describe, expect, it } from "vitest";
import { encodeRequest, okAnswer, parseAnswer, parseRequest, passAnswer, requestLength } from "./protocol.js";

describe("agent protocol", () => {
  it("a request round-trips, and is complete only with its blank line", () => {
    const wire = Buffer.from(encodeRequest("textconv", { file: "/tmp/a b/.env.dev", "identity-file": "/k" }));
    expect(requestLength(wire.subarray(0, wire.length - 1))).toBe(-1);
    expect(requestLength(Buffer.concat([wire, Buffer.from("extra")]))).toBe(wire.length);
    const request = parseRequest(wire);
    expect(request?.verb).toBe("textconv");
    expect(Object.fromEntries(request?.fields ?? [])).toEqual({ file: "/tmp/a b/.env.dev", "identity-file": "/k" });
    expect(parseRequest(Buffer.from("TEXTCONV\n\n"))).toBeNull();
    expect(parseRequest(Buffer.from("textconv\nno-equals\n\n"))).toBeNull();
  });

  it("an answer is ok only with every byte its header announced", () => {
    const full = okAnswer(Buffer.from("A=1\n\n"));
    expect(parseAnswer(full)).toEqual({ kind: "ok", body: Buffer.from("A=1\n\n") });
    for (let cut = 0; cut < full.length; cut++) expect(parseAnswer(full.subarray(0, cut)).kind).toBe("cut");
    expect(parseAnswer(Buffer.concat([full, Buffer.from("x")])).kind).toBe("cut");
    expect(parseAnswer(okAnswer(Buffer.alloc(0)))).toEqual({ kind: "ok", body: Buffer.alloc(0) });
    expect(parseAnswer(passAnswer("locked"))).toEqual({ kind: "pass", reason: "locked" });
  });
});
