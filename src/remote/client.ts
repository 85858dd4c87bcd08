/**
 * The HTTP client of `git vault remote`: JSON requests to a `git vault serve`
 * at `http(s)://HOST:PORT` or `unix:PATH`. It knows HTTP and nothing of
 * tokens' files or use cases (app/remote.ts).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { UsageError, VaultError } from "../errors.js";

/** Where the server is. */
export interface ServerAddress {
  /** For messages: the URL as given (no credentials are ever part of it). */
  readonly display: string;
  readonly socketPath: string | null;
  readonly base: URL;
}

/** Parses `--server`: `http://127.0.0.1:7583`, `https://vault.internal:7583`, `unix:/run/git-vault/serve.sock`. */
export function parseServer(text: string): ServerAddress {
  if (text.startsWith("unix:") && text.length > 5) return { display: text, socketPath: text.slice(5), base: new URL("http://localhost") };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError("--server takes http://HOST:PORT, https://HOST:PORT or unix:PATH");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError("--server takes http://HOST:PORT, https://HOST:PORT or unix:PATH");
  if (url.username !== "" || url.password !== "") throw new UsageError("--server must not hold credentials; tokens come from --token-dir");
  return { display: `${url.protocol}//${url.host}`, socketPath: null, base: url };
}

/** A server's answer. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const TIMEOUT_MS = 30_000;
/** Answers larger than this are refused (a value is at most the server's body limit). */
const MAX_ANSWER = 16 * 1024 * 1024;

/** Sends one JSON request; resolves with the status and parsed body. */
export function send(server: ServerAddress, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const url = new URL(path, server.base);
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), "utf8");
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(payload.length);
  }
  const requester = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = requester(
      {
        ...(server.socketPath === null ? { hostname: url.hostname.replace(/^\[|\]$/g, ""), port: url.port } : { socketPath: server.socketPath }),
        path: url.pathname + url.search,
        method,
        headers,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER) {
            req.destroy();
            reject(new VaultError("remote-answer", `${server.display}: the answer is too large`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = null;
          try {
            body = text === "" ? null : JSON.parse(text);
          } catch {
            // Not quoted: the server (or whatever answered) is not git vault serve.
            reject(new VaultError("remote-answer", `${server.display} answered ${res.statusCode ?? 0} with something that is not JSON`, { hint: "check --server: it should name a `git vault serve`" }));
            return;
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
        res.on("error", (error) => { reject(connectionError(server, error)); });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (error) => { reject(connectionError(server, error)); });
    req.end(payload);
  });
}

function connectionError(server: ServerAddress, error: Error): VaultError {
  const code = (error as NodeJS.ErrnoException).code;
  return new VaultError("remote-unreachable", `cannot reach ${server.display} (${code ?? error.message})`, { hint: "is `git vault serve` running there? check --server" });
}
