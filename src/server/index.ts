/**
 * `git vault serve`: the API (app.ts) on a node server with timeouts and a
 * connection cap, on loopback, a unix socket, or (only with TLS) another
 * address; runs until SIGINT or SIGTERM.
 */
import { chmodSync, readFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Context } from "../app/context.js";
import { checkCanDecrypt } from "../app/secrets.js";
import { openTokenStore } from "../app/tokens.js";
import { VaultError } from "../errors.js";
import { DEFAULT_LIMITS, type ServerLimits, buildApi } from "./app.js";
import { DEFAULT_LISTEN, addressUrl, checkTransport, clearStaleSocket, parseListen } from "./listen.js";

export interface ServeOptions {
  readonly vaultDir?: string | undefined;
  readonly identityFile?: string | undefined;
  /** Default: loopback (DEFAULT_LISTEN). */
  readonly listen?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
  readonly limits: Partial<ServerLimits>;
  readonly json: boolean;
}

/** Runs the server until a signal stops it; resolves with the exit code. */
export async function serve(ctx: Context, signals: Pick<NodeJS.Process, "on" | "off">, options: ServeOptions): Promise<number> {
  const address = parseListen(options.listen ?? DEFAULT_LISTEN, ctx.cwd);
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new VaultError("usage", "--tls-cert and --tls-key go together", { exitCode: 2 });
  const tls = options.tlsCert !== undefined && options.tlsKey !== undefined ? { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) } : null;
  checkTransport(address, tls !== null);
  checkCanDecrypt(ctx, options.identityFile);
  const { store, vaultDir } = await openTokenStore(ctx, options);
  const timeouts = {
    requestTimeout: options.requestTimeoutMs,
    headersTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    // How often node looks for requests past their time (its default, 30 s, would let a slow client hold a connection that long).
    connectionsCheckingInterval: Math.min(1_000, options.requestTimeoutMs),
  };
  let server: Server | undefined;
  const serverFactory = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    server = tls === null ? createServer(timeouts, handler) : createTlsServer({ ...timeouts, ...tls }, handler);
    server.maxConnections = options.maxConnections;
    // An idle connection is closed; a request that stalls is answered 408 by requestTimeout.
    server.setTimeout(options.requestTimeoutMs * 3);
    return server;
  };
  const app = await buildApi({
    ctx,
    vaultDir,
    identityFile: options.identityFile,
    store,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    serverFactory,
  });
  if (address.kind === "unix") {
    await clearStaleSocket(address.path);
    // The socket is made with no access for others (umask), then set to 0600 for good measure.
    const old = process.umask(0o177);
    try {
      await app.listen({ path: address.path });
    } finally {
      process.umask(old);
    }
    chmodSync(address.path, 0o600);
  } else {
    await app.listen({ host: address.host, port: address.port });
  }
  const bound = server?.address();
  const url = addressUrl(address.kind === "tcp" && bound !== null && typeof bound === "object" ? { ...address, port: bound.port } : address, tls !== null);
  ctx.stdout.write(options.json ? `${JSON.stringify({ listening: url, vaultDir })}\n` : `git vault serve: listening on ${url}\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      signals.off("SIGINT", stop);
      signals.off("SIGTERM", stop);
      done();
    };
    signals.on("SIGINT", stop);
    signals.on("SIGTERM", stop);
  });
  await app.close();
  ctx.stderr.write("git vault serve: stopped\n");
  return 0;
}
