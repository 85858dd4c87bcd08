// The in-memory streams against Node's own web streams: for any source and
// chain of transformers, what a reader collects (every chunk, or the error)
// is the same; and what needs time is refused, never silently mishandled.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as memory from "./streams.js";

type Impl = {
  ReadableStream: new (source: memory.UnderlyingSource) => { getReader(): Reader; pipeThrough(t: unknown): unknown };
  TransformStream: new (transformer: memory.Transformer) => unknown;
};
type Reader = { read(): Promise<memory.ReadResult>; releaseLock(): void };

const native = globalThis as unknown as Impl;
const inMemory = memory as unknown as Impl;

/** How a step of the pipe behaves; `at` counts the chunks it has seen. */
type Step =
  | { kind: "identity" }
  | { kind: "double" }
  | { kind: "prefix"; chunks: number[] }
  | { kind: "buffer" }
  | { kind: "throw"; at: number }
  | { kind: "error"; at: number }
  | { kind: "flush-throw" };

interface Scenario {
  chunks: number[];
  end: "close" | "error";
  steps: Step[];
  /** Read this many chunks first, release the reader and pipe the rest through a prefix step, as age-encryption's read() does. */
  readFirst: number;
}

const failure = new Error("planned failure");

function transformer(step: Step): memory.Transformer {
  let seen = 0;
  const buffered: number[] = [];
  switch (step.kind) {
    case "identity":
      return {};
    case "double":
      return { transform: (c, ctl) => (ctl.enqueue(c), ctl.enqueue(c)) };
    case "prefix":
      return { start: (ctl) => step.chunks.forEach((c) => ctl.enqueue(c)) };
    case "buffer":
      return { transform: (c) => void buffered.push(c as number), flush: (ctl) => ctl.enqueue(buffered.reduce((a, b) => a + b, 0)) };
    case "throw":
      return {
        transform: (c, ctl) => {
          if (seen++ === step.at) throw failure;
          ctl.enqueue(c);
        },
      };
    case "error":
      return {
        transform: (c, ctl) => {
          if (seen++ === step.at) ctl.error(failure);
          else ctl.enqueue(c);
        },
      };
    case "flush-throw":
      return {
        flush: () => {
          throw failure;
        },
      };
  }
}

/** Everything a reader collects from the scenario's pipe: the chunks in order, or the error. */
async function collect(impl: Impl, s: Scenario): Promise<{ chunks: unknown[] } | { error: unknown }> {
  let stream = new impl.ReadableStream({
    start(ctl) {
      s.chunks.forEach((c) => ctl.enqueue(c));
      if (s.end === "close") ctl.close();
      else ctl.error(failure);
    },
  });
  for (const step of s.steps) stream = stream.pipeThrough(new impl.TransformStream(transformer(step))) as typeof stream;
  const chunks: unknown[] = [];
  try {
    if (s.readFirst > 0) {
      const first = stream.getReader();
      for (let i = 0; i < s.readFirst; i++) {
        const r = await first.read();
        if (r.done) break;
        chunks.push(r.value);
      }
      first.releaseLock();
      stream = stream.pipeThrough(new impl.TransformStream(transformer({ kind: "prefix", chunks: [-1] }))) as typeof stream;
    }
    const reader = stream.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) return { chunks };
      chunks.push(r.value);
    }
  } catch (error) {
    return { error };
  }
}

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: "identity" as const }),
  fc.constant({ kind: "double" as const }),
  fc.record({ kind: fc.constant("prefix" as const), chunks: fc.array(fc.integer(), { maxLength: 3 }) }),
  fc.constant({ kind: "buffer" as const }),
  fc.record({ kind: fc.constant("throw" as const), at: fc.nat(5) }),
  fc.record({ kind: fc.constant("error" as const), at: fc.nat(5) }),
  fc.constant({ kind: "flush-throw" as const }),
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  chunks: fc.array(fc.integer(), { maxLength: 6 }),
  end: fc.constantFrom("close" as const, "error" as const),
  steps: fc.array(step, { maxLength: 4 }),
  readFirst: fc.nat(3),
});

describe("in-memory streams", () => {
  it("give a reader what Node's web streams give it: the same chunks, or the same error", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const expected = await collect(native, s);
        const actual = await collect(inMemory, s);
        if ("error" in expected) {
          // Node may hand over chunks before the error reaches the reader; here
          // the error comes first, which releases less, never more.
          expect(actual).toEqual({ error: expected.error });
        } else {
          expect(actual).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("call a transformer's methods with the transformer as `this`, as the standard does", async () => {
    const seen: unknown[] = [];
    const t = {
      start(this: unknown) {
        seen.push(this);
      },
      transform(this: unknown, chunk: unknown, ctl: memory.TransformStreamController) {
        seen.push(this);
        ctl.enqueue(chunk);
      },
      flush(this: unknown) {
        seen.push(this);
      },
    };
    const source = new memory.ReadableStream({ start: (ctl) => (ctl.enqueue(1), ctl.close()) });
    const reader = source.pipeThrough(new memory.TransformStream(t)).getReader();
    expect(await reader.read()).toEqual({ done: false, value: 1 });
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(seen).toEqual([t, t, t]);
  });

  it("refuse what needs time or another part of the standard, with an error that says so", async () => {
    const closed = () => new memory.ReadableStream({ start: (ctl) => ctl.close() });
    const refused = /in-memory stream: .* not supported/;
    expect(() => new memory.ReadableStream({ start: () => Promise.resolve() })).toThrow(refused);
    expect(() => new memory.ReadableStream({ pull: () => undefined } as memory.UnderlyingSource)).toThrow(refused);
    expect(() => new memory.ReadableStream({}, { highWaterMark: 1 })).toThrow(refused);
    expect(() => new memory.TransformStream({ start: () => Promise.resolve() })).toThrow(refused);
    expect(() => new memory.TransformStream({}, { highWaterMark: 1 })).toThrow(refused);
    expect(() => new memory.TransformStream({}).writable).toThrow(refused);
    expect(() => closed().getReader({ mode: "byob" })).toThrow(refused);
    expect(() => closed().pipeThrough(new TransformStream() as unknown as memory.TransformStream)).toThrow(refused);
    await expect(new memory.ReadableStream().getReader().read()).rejects.toThrow(refused);
    const fromOpen = new memory.ReadableStream().pipeThrough(new memory.TransformStream());
    await expect(fromOpen.getReader().read()).rejects.toThrow(refused);
    const one = () => new memory.ReadableStream({ start: (ctl) => (ctl.enqueue(1), ctl.close()) });
    for (const transformer of [
      { transform: () => Promise.resolve() },
      { flush: () => Promise.resolve() },
      { transform: (_: unknown, ctl: memory.TransformStreamController) => ctl.terminate() },
    ]) {
      const reader = one().pipeThrough(new memory.TransformStream(transformer)).getReader();
      const readAll = async () => {
        while (!(await reader.read()).done);
      };
      await expect(readAll()).rejects.toThrow(refused);
    }
  });

  it("lock a stream to one reader or pipe, and a TransformStream to one source", async () => {
    const stream = new memory.ReadableStream({ start: (ctl) => (ctl.enqueue(1), ctl.close()) });
    const reader = stream.getReader();
    expect(stream.locked).toBe(true);
    expect(() => stream.getReader()).toThrow(/locked/);
    expect(() => stream.pipeThrough(new memory.TransformStream())).toThrow(/locked/);
    reader.releaseLock();
    await expect(reader.read()).rejects.toThrow(/after releaseLock/);
    const t = new memory.TransformStream();
    new memory.ReadableStream({ start: (ctl) => ctl.close() }).pipeThrough(t);
    const second = new memory.ReadableStream({ start: (ctl) => ctl.close() });
    expect(() => second.pipeThrough(t)).toThrow(/piped into once/);
    expect(second.locked).toBe(false); // as with Node's, a refused pipe leaves the source usable
    const ended = new memory.ReadableStream({
      start: (ctl) => {
        ctl.close();
        expect(() => ctl.enqueue(2)).toThrow(TypeError);
        expect(() => ctl.close()).toThrow(TypeError);
      },
    });
    expect(await ended.getReader().read()).toEqual({ done: true, value: undefined });
  });

  it("Response collects a stream of bytes as Node's does, and takes nothing else", async () => {
    const parts = ["h\u00e9", "llo \ud83d", "\ude00"].map((s) => new TextEncoder().encode(s));
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf, 0x61, 0xff);
    const make = (impl: Impl, chunks: Uint8Array[]) => new impl.ReadableStream({ start: (ctl) => (chunks.forEach((c) => ctl.enqueue(c)), ctl.close()) });
    for (const chunks of [parts, [bom], []]) {
      const ours = new memory.Response(make(inMemory, chunks));
      const node = new Response(make(native, chunks) as unknown as globalThis.ReadableStream);
      expect(await ours.text()).toBe(await node.text());
      const bytes = new Uint8Array(await new memory.Response(make(inMemory, chunks)).arrayBuffer());
      expect(bytes).toEqual(new Uint8Array(await new Response(make(native, chunks) as unknown as globalThis.ReadableStream).arrayBuffer()));
    }
    expect(() => new memory.Response(new Uint8Array(1))).toThrow(/not supported/);
    const notBytes = new memory.Response(new memory.ReadableStream({ start: (ctl) => (ctl.enqueue("text"), ctl.close()) }));
    await expect(notBytes.arrayBuffer()).rejects.toThrow(/not a Uint8Array/);
  });
});
