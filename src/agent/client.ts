/** Asking the agent from Node (`agent status|stop|lock`, and `agent start` to find a running one). */
import { createConnection } from "node:net";
import { type ParsedAnswer, encodeRequest, parseAnswer } from "./protocol.js";

/** The agent's answer to `verb`, or null when no agent answers on `socketPath`. */
export function askAgent(socketPath: string, verb: string, timeoutMs = 5000, fields: Readonly<Record<string, string>> = {}): Promise<ParsedAnswer | null> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    const parts: Buffer[] = [];
    let connected = false;
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.once("connect", () => {
      connected = true;
      socket.end(encodeRequest(verb, fields));
    });
    socket.on("data", (chunk: Buffer) => parts.push(chunk));
    socket.on("error", () => undefined); // "close" follows
    socket.once("close", () => {
      resolve(connected ? parseAnswer(Buffer.concat(parts)) : null);
    });
  });
}
