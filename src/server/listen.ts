/**
 * Where `git vault serve` listens: `unix:PATH` or `HOST:PORT`. Anything but
 * loopback or a unix socket carries tokens and values over a network, so it
 * is refused without TLS.
 */
import { connect } from "node:net";
import { lstatSync, unlinkSync } from "node:fs";
import { isLoopback } from "../core/hosts.js";
import { resolve } from "node:path";
import { UsageError, VaultError } from "../errors.js";

export type ListenAddress = { readonly kind: "unix"; readonly path: string } | { readonly kind: "tcp"; readonly host: string; readonly port: number };

/** The default: loopback, a port of its own. */
export const DEFAULT_LISTEN = "127.0.0.1:7583";

/** Parses `--listen`. */
export function parseListen(text: string, cwd: string): ListenAddress {
  if (text.startsWith("unix:")) {
    const path = text.slice(5);
    if (path === "") throw new UsageError("--listen unix: needs a socket path", "like --listen unix:/run/git-vault/serve.sock");
    return { kind: "unix", path: resolve(cwd, path) };
  }
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (m === null || port > 65535) throw new UsageError("--listen takes unix:PATH or HOST:PORT", "like --listen 127.0.0.1:7583 or --listen unix:/run/git-vault/serve.sock");
  return { kind: "tcp", host: (m[1] as string).replace(/^\[|\]$/g, ""), port };
}

/** Refuses a network address without TLS. */
export function checkTransport(address: ListenAddress, tls: boolean): void {
  if (address.kind === "tcp" && !isLoopback(address.host) && !tls) {
    throw new UsageError(
      `refusing to listen on ${address.host} without TLS: tokens and values would cross the network in clear`,
      "give --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1 or a unix socket behind your own TLS proxy",
    );
  }
}

/**
 * Clears a socket file left by a server that died; a socket someone still
 * answers on, or a file that is no socket, is refused.
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new VaultError("listen", `${path} exists and is not a socket`, { hint: "choose another path" });
  const answered = await new Promise<boolean>((done) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => { done(false); });
  });
  if (answered) throw new VaultError("listen", `${path}: another server is listening there`, { hint: "stop it, or choose another path" });
  unlinkSync(path);
}

/** The address as a client names it (`--server`). */
export function addressUrl(address: ListenAddress, tls: boolean): string {
  if (address.kind === "unix") return `unix:${address.path}`;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${tls ? "https" : "http"}://${host}:${address.port}`;
}
