/**
 * In-memory streams for age-encryption: the part of WHATWG `ReadableStream`,
 * `TransformStream` and `Response` it uses, for data that is all in memory.
 * The build and the tests give age-encryption's modules these classes instead
 * of the globals (age-shims.mjs, docs/adr/0009-in-memory-streams-for-age.md).
 *
 * git-vault hands age-encryption one value of a few hundred bytes at a time,
 * already in memory. Node 20's web streams cost ~0.3 ms per value in a fresh
 * process (about six streams per decryption, each made transferable), more
 * than the cryptography. Here a stream is a queue with a state; a pipe moves
 * a chunk through its transformer when the reader at the end asks for one,
 * and every read settles at once.
 *
 * What a reader collects follows the standard: chunks keep their order, a
 * transformer's `start` runs first and `flush` after its source closes, an
 * error thrown by a transformer or its source errors the output and drops the
 * chunks not yet read, and a locked stream cannot be read or piped twice.
 * (Node's pipes read ahead, so a reader there may get a chunk or two before
 * an error that a reader here gets first.) What needs time is not supported
 * and throws: asynchronous `start`/`transform`/`flush`, `pull`/`cancel`
 * sources, strategies, `terminate()`, and reading a stream that is open but
 * has no source.
 */

type Chunk = unknown;

/** What `start` receives for a ReadableStream. */
export interface ReadableStreamController {
  enqueue(chunk: Chunk): void;
  close(): void;
  error(reason?: unknown): void;
}

/** What a transformer receives. */
export interface TransformStreamController {
  enqueue(chunk: Chunk): void;
  error(reason?: unknown): void;
  terminate(): void;
}

export interface UnderlyingSource {
  start?(controller: ReadableStreamController): unknown;
}

export interface Transformer {
  start?(controller: TransformStreamController): unknown;
  transform?(chunk: Chunk, controller: TransformStreamController): unknown;
  flush?(controller: TransformStreamController): unknown;
}

export type ReadResult = { done: false; value: Chunk } | { done: true; value: undefined };

function unsupported(what: string): Error {
  return new TypeError(`in-memory stream: ${what} is not supported (git-vault gives age-encryption data that is all in memory)`);
}

function refuseAsync(result: unknown, where: string): void {
  if (typeof (result as { then?: unknown } | null)?.then === "function") throw unsupported(`an asynchronous ${where}`);
}

function onlyKeys(object: object, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(object)) if (!allowed.includes(key)) throw unsupported(`${what} "${key}"`);
}

/** A stream's chunks and how it ended; the controllers act on it. */
class Queue {
  chunks: Chunk[] = [];
  state: "open" | "closed" | "errored" = "open";
  error: unknown;
  /** For the output of a pipe: moves the next chunk of the source through the transformer. */
  pull: (() => void) | undefined;

  get open(): boolean {
    return this.state === "open";
  }

  enqueue(chunk: Chunk): void {
    if (!this.open) throw new TypeError("in-memory stream: enqueue() on a stream that is closed or errored");
    this.chunks.push(chunk);
  }

  close(): void {
    if (!this.open) throw new TypeError("in-memory stream: close() on a stream that is closed or errored");
    this.state = "closed";
  }

  /** Errors the stream and drops the chunks not yet read, as the standard does. */
  fail(reason: unknown): void {
    if (!this.open) return;
    this.state = "errored";
    this.error = reason;
    this.chunks = [];
  }

  /** The next chunk, pulling it through a pipe if needed; throws the stream's error. */
  next(): ReadResult {
    // Each pull takes one chunk from a finite source or ends the stream, so this ends.
    while (this.chunks.length === 0 && this.open && this.pull !== undefined) this.pull();
    if (this.chunks.length > 0) return { done: false, value: this.chunks.shift() };
    if (this.state === "errored") throw this.error;
    if (this.state === "closed") return { done: true, value: undefined };
    throw unsupported("reading a stream that is open but has nothing to read from");
  }
}

let queueOf: (stream: ReadableStream) => Queue;

export class ReadableStream {
  readonly #queue = new Queue();
  #locked = false;

  static {
    queueOf = (stream) => stream.#queue;
  }

  constructor(source: UnderlyingSource = {}, strategy?: unknown) {
    if (strategy !== undefined) throw unsupported("a queuing strategy");
    onlyKeys(source, ["start"], "an underlying source with");
    const queue = this.#queue;
    const controller: ReadableStreamController = {
      enqueue: (chunk) => {
        queue.enqueue(chunk);
      },
      close: () => {
        queue.close();
      },
      error: (reason) => {
        queue.fail(reason);
      },
    };
    refuseAsync(source.start?.(controller), "start()");
  }

  get locked(): boolean {
    return this.#locked;
  }

  #checkUnlocked(): void {
    if (this.#locked) throw new TypeError("in-memory stream: the stream is locked to a reader or a pipe");
  }

  getReader(options?: unknown): { read(): Promise<ReadResult>; releaseLock(): void } {
    if (options !== undefined) throw unsupported("a reader mode");
    this.#checkUnlocked();
    this.#locked = true;
    let released = false;
    return {
      // A throw in the executor (the stream's error) becomes the rejection, as with Node's reader.
      read: () =>
        new Promise((resolve) => {
          if (released) throw new TypeError("in-memory stream: read() after releaseLock()");
          resolve(this.#queue.next());
        }),
      releaseLock: () => {
        if (released) return;
        released = true;
        this.#locked = false;
      },
    };
  }

  /** Connects this stream to the transformer; chunks move when the returned stream is read. */
  pipeThrough(transform: TransformStream, options?: unknown): ReadableStream {
    if (!(transform instanceof TransformStream)) throw unsupported("piping into anything but an in-memory TransformStream");
    if (options !== undefined) throw unsupported("pipe options");
    this.#checkUnlocked();
    connect(transform, this.#queue); // throws, before anything is locked, for a TransformStream already piped into
    this.#locked = true;
    return transform.readable;
  }
}

let connect: (transform: TransformStream, source: Queue) => void;

export class TransformStream {
  readonly readable = new ReadableStream();
  readonly #transformer: Transformer;
  readonly #out: Queue;
  readonly #controller: TransformStreamController;

  static {
    connect = (transform, source) => {
      transform.#connect(source);
    };
  }

  constructor(transformer: Transformer = {}, writableStrategy?: unknown, readableStrategy?: unknown) {
    if (writableStrategy !== undefined || readableStrategy !== undefined) throw unsupported("a queuing strategy");
    onlyKeys(transformer, ["start", "transform", "flush"], "a transformer with");
    this.#transformer = transformer;
    const out = queueOf(this.readable);
    this.#out = out;
    this.#controller = {
      enqueue: (chunk) => {
        out.enqueue(chunk);
      },
      error: (reason) => {
        out.fail(reason);
      },
      terminate: () => {
        // Unused by age-encryption; Node's read-ahead makes its outcome depend on timing.
        throw unsupported("terminate()");
      },
    };
    refuseAsync(transformer.start?.(this.#controller), "start()");
  }

  get writable(): never {
    throw unsupported("writing to a TransformStream other than by pipeThrough");
  }

  #connect(source: Queue): void {
    const out = this.#out;
    if (out.pull !== undefined) throw new TypeError("in-memory stream: a TransformStream can be piped into once");
    const transformer = this.#transformer;
    out.pull = () => {
      try {
        const next = source.next(); // throws the source's error
        if (!next.done) {
          if (transformer.transform === undefined) out.enqueue(next.value);
          else refuseAsync(transformer.transform(next.value, this.#controller), "transform()");
          return;
        }
        refuseAsync(transformer.flush?.(this.#controller), "flush()");
        if (out.open) out.close();
      } catch (thrown) {
        out.fail(thrown);
      }
    };
  }
}

/** Every chunk of a stream, which must all be bytes, as one array. */
async function collect(stream: ReadableStream): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new TypeError("in-memory stream: a Response body chunk is not a Uint8Array");
    parts.push(value);
    length += value.length;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/**
 * What age-encryption uses `Response` for: collecting a stream of bytes
 * (`arrayBuffer()`, `text()`) when it was given bytes rather than a stream.
 * Node's Response would also load undici, ~10 ms per process.
 */
export class Response {
  readonly #body: ReadableStream;

  constructor(body: unknown, init?: unknown) {
    if (!(body instanceof ReadableStream) || init !== undefined) throw unsupported("a Response of anything but an in-memory stream");
    this.#body = body;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await collect(this.#body)).buffer;
  }

  /** UTF-8, with a leading byte order mark dropped and bad bytes replaced, as Response.text() does. */
  async text(): Promise<string> {
    return new TextDecoder().decode(await collect(this.#body));
  }
}
