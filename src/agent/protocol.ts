/**
 * The agent's wire format, version 1, over a unix stream socket: one request
 * and one answer per connection. Made to be spoken by a POSIX `sh` client
 * (textconv-client.sh) through `nc -U` or `socat`.
 *
 *   request:  VERB "\n" { NAME "=" VALUE "\n" } "\n"
 *   answer:   "ok " LENGTH "\n" BODY "."      LENGTH bytes, then a final
 *                                             "." (so that a shell's $(...),
 *                                             which strips trailing newlines,
 *                                             keeps the body's); the client
 *                                             prints BODY only when it has
 *                                             all of it and the ".", so a
 *                                             cut answer (agent killed) is
 *                                             told apart
 *             "pass " REASON "\n"            not answered here: the client
 *                                             runs `git-vault textconv`
 *             "error " MESSAGE "\n"          a refused request
 *
 * Verbs: `textconv`, `status`, `lock`, `stop`. The fields of `textconv`:
 *   file           an absolute path the agent reads
 *   cwd            where git runs the textconv (its configuration applies)
 *   identity-file  the caller's GIT_VAULT_IDENTITY_FILE, when set
 *   audit-log, state-home, home
 *                  the caller's GIT_VAULT_AUDIT_LOG, XDG_STATE_HOME and
 *                  HOME (empty: unset): the audit entry goes where the
 *                  caller's own `git-vault textconv` would write it, not to
 *                  the agent's log; absent fields leave the agent's own
 *   audit=caller   the caller writes its own entry for this read (`run`):
 *                  the agent writes none. It grants nothing the socket's
 *                  user could not do with the identity file itself.
 * A body never holds a NUL byte (a shell variable cannot): such an answer
 * is a `pass`.
 */

/** The most a request header may hold: it names paths, never content. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** One parsed request. */
export interface AgentRequest {
  readonly verb: string;
  readonly fields: ReadonlyMap<string, string>;
}

/** The length of a complete request at the start of `data` (through its blank line), or -1 while incomplete. */
export function requestLength(data: Buffer): number {
  const end = data.indexOf("\n\n");
  return end === -1 ? -1 : end + 2;
}

/** Parses a complete request; null when it is not one. */
export function parseRequest(data: Buffer): AgentRequest | null {
  const lines = data.toString("utf8").split("\n");
  const verb = lines[0] ?? "";
  if (!/^[a-z]+$/.test(verb)) return null;
  const fields = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === "") break;
    const eq = line.indexOf("=");
    if (eq <= 0) return null;
    fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return { verb, fields };
}

/** Encodes a request (the Node client's side; the sh client writes the same with printf). */
export function encodeRequest(verb: string, fields: Readonly<Record<string, string>> = {}): string {
  return `${verb}\n${Object.entries(fields)
    .map(([name, value]) => `${name}=${value}\n`)
    .join("")}\n`;
}

/** An answer the client may print: its header, body and final ".". */
export function okAnswer(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`ok ${body.length}\n`), body, END]);
}

const END = Buffer.from(".");

/** An answer that sends the client to `git-vault textconv`. */
export function passAnswer(reason: string): Buffer {
  return Buffer.from(`pass ${reason}\n`);
}

/** A refused request. */
export function errorAnswer(message: string): Buffer {
  return Buffer.from(`error ${message.replace(/\n/g, " ")}\n`);
}

/** What an answer says: its body when complete, else why not. */
export type ParsedAnswer = { readonly kind: "ok"; readonly body: Buffer } | { readonly kind: "pass" | "error" | "cut"; readonly reason: string };

/** Reads an answer the way the sh client does: `ok` only with every byte its header promised, then the final ".". */
export function parseAnswer(data: Buffer): ParsedAnswer {
  const nl = data.indexOf("\n");
  if (nl === -1) return { kind: "cut", reason: "no complete header" };
  const head = data.subarray(0, nl).toString("utf8");
  const ok = /^ok (\d+)$/.exec(head);
  if (ok) {
    const rest = data.subarray(nl + 1);
    const body = rest.subarray(0, rest.length - 1);
    const complete = rest.length > 0 && rest[rest.length - 1] === END[0] && body.length === Number(ok[1]);
    return complete ? { kind: "ok", body } : { kind: "cut", reason: `${rest.length} bytes where ${ok[1]} and "." were announced` };
  }
  if (head.startsWith("pass ")) return { kind: "pass", reason: head.slice(5) };
  if (head.startsWith("error ")) return { kind: "error", reason: head.slice(6) };
  return { kind: "cut", reason: "not an answer" };
}
