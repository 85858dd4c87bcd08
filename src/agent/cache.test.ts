import { describe, expect, it } from "vitest";
import { AnswerCache, answerKey } from "./cache.js";

const answer = (text: string) => Buffer.from(text);

describe("AnswerCache", () => {
  it("keeps answers up to its size in bytes, dropping the least recently used first", () => {
    const cache = new AnswerCache(10);
    cache.set("a", answer("aaaa"));
    cache.set("b", answer("bbbb"));
    expect(cache.get("a")?.toString()).toBe("aaaa"); // a is now the most recently used
    cache.set("c", answer("cccc")); // 12 bytes: b goes
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.toString()).toBe("aaaa");
    expect(cache.get("c")?.toString()).toBe("cccc");
    expect(cache.stats()).toEqual({ entries: 2, bytes: 8, maxBytes: 10, hits: 3, misses: 1 });
  });

  it("caches nothing larger than itself, and nothing at all with size 0", () => {
    const cache = new AnswerCache(3);
    cache.set("big", answer("four"));
    expect(cache.get("big")).toBeUndefined();
    const off = new AnswerCache(0);
    off.set("x", answer("x"));
    expect(off.stats().entries).toBe(0);
  });

  it("replacing an answer counts its bytes once", () => {
    const cache = new AnswerCache(100);
    cache.set("a", answer("12345"));
    cache.set("a", answer("123"));
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 3 });
  });

  it("clear() drops every answer and overwrites the bytes it held", () => {
    const cache = new AnswerCache(100);
    const held = answer("SECRET=value");
    cache.set("a", held);
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(held.every((byte) => byte === 0)).toBe(true);
  });
});

describe("answerKey", () => {
  it("differs for another identity or another blob, and is the same for the same pair", () => {
    const blob = Buffer.from("KEY=encrypted:gv1:…\n");
    expect(answerKey("id-a", blob)).toBe(answerKey("id-a", Buffer.from(blob)));
    expect(answerKey("id-a", blob)).not.toBe(answerKey("id-b", blob));
    expect(answerKey("id-a", blob)).not.toBe(answerKey("id-a", Buffer.from("KEY=other\n")));
    // The separator keeps identity and blob apart: ("ab", "c") is not ("a", "bc").
    expect(answerKey("ab", Buffer.from("c"))).not.toBe(answerKey("a", Buffer.from("bc")));
  });
});
