// `git vault serve`, `token …` and `remote …` against a running server over
// real HTTP: curl for the raw API, the project's own client (`remote get|run`)
// for the rest. Every value, token and the identity the file uses is
// registered, and afterAll proves none reached a server's output, the audit
// log, an error answer or any stderr.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StderrLog } from "../support/assertions.js";
import { makeVaultHost } from "../support/git.js";
import { type Sandbox, binPath, makeSandbox } from "../support/sandbox.js";

const log = new StderrLog();
const hasCurl = spawnSync("curl", ["--version"]).status === 0;
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
if (!hasOpenssl && process.env["CI"] === undefined) {
  console.warn("SKIPPING the TLS test of test/e2e/serve.test.ts: openssl is not installed (CI installs it; apt-get install openssl)");
}
if (!hasCurl && process.env["CI"] === undefined) {
  console.warn("SKIPPING test/e2e/serve.test.ts: curl is not installed (CI installs it; apt-get install curl)");
}
/** Everything the servers printed and every error answer: no secret may be in it. */
const observed: string[] = [];

let sb: Sandbox;
let host: string;
let vault: string;
let envFile: string;
let auditLog: string;

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}
const servers: Server[] = [];

/** Starts `git vault serve ARGS` in the host repo and waits for its address. */
async function startServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = spawn(process.execPath, [binPath, "serve", ...args], { cwd: host, env: { ...sb.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000);
    const check = (): void => {
      const m = /listening on (\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout.on("data", check);
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  const server: Server = {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }),
  };
  servers.push(server);
  return server;
}

interface Reply {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
  json(): Record<string, unknown>;
}

/**
 * One request with curl. The token goes to curl through its config on stdin
 * (never its argv); a body through a file.
 */
function curl(method: string, url: string, options: { token?: string; body?: string; headers?: string[]; socket?: string; cacert?: string } = {}): Reply {
  const config = [...(options.token === undefined ? [] : [`header = "Authorization: Bearer ${options.token}"`]), ...(options.headers ?? []).map((h) => `header = "${h}"`)].join("\n");
  const args = ["-s", "-S", "-i", "-X", method, "-K", "-", "--max-time", "20"];
  if (options.socket !== undefined) args.push("--unix-socket", options.socket);
  if (options.cacert !== undefined) args.push("--cacert", options.cacert);
  if (options.body !== undefined) {
    const bodyFile = join(sb.root, "body.json");
    writeFileSync(bodyFile, options.body);
    args.push("-H", "content-type: application/json", "--data-binary", `@${bodyFile}`);
  }
  const r = spawnSync("curl", [...args, url], { input: config, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  log.record(["curl", method, url], { status: r.status, stdout: "", stderr: r.stderr });
  // The last response of the output (a 100 Continue may come first).
  const parts = r.stdout.split(/\r\n\r\n/);
  let i = 0;
  while (i < parts.length - 1 && /^HTTP\/1\.1 100/.test(parts[i] ?? "")) i++;
  const headers = parts[i] ?? "";
  const body = parts.slice(i + 1).join("\r\n\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0);
  if (status >= 400) observed.push(body);
  return { status, headers, body, json: () => JSON.parse(body) as Record<string, unknown> };
}

/** `git vault ARGS` in the host, recorded. */
function vaultCmd(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  return log.vault(sb, host, args, { env });
}

/** Issues a token into a fresh folder; registers its tokens as secrets. */
function issue(name: string, args: string[]): { dir: string; access: () => string; refresh: () => string } {
  const dir = join(sb.root, "tokens", name);
  const r = vaultCmd(["token", "issue", "--name", name, "--out", dir, ...args]);
  expect(r.status, r.stderr).toBe(0);
  const access = (): string => readFileSync(join(dir, "access.token"), "utf8").trim();
  const refresh = (): string => readFileSync(join(dir, "refresh.token"), "utf8").trim();
  log.secret(access(), `the access token of ${name}`);
  if (existsSync(join(dir, "refresh.token"))) log.secret(refresh(), `the refresh token of ${name}`);
  expect(r.stdout + r.stderr).not.toContain(access());
  return { dir, access, refresh };
}

const VALUES = {
  DEPLOY_TOKEN: "deploy-token-value-91ab",
  DEPLOY_KEY: "deploy-key-value-7c2e",
  DB_URL: "postgres://app:db-pass-4417@db/app",
  DB_PASSWORD: "db-password-value-0f3d",
};

let server: Server;

beforeAll(async () => {
  sb = makeSandbox({ allowFileTransport: true });
  ({ host, vault } = makeVaultHost(sb));
  envFile = join(vault, ".env.dev");
  auditLog = join(sb.env["XDG_STATE_HOME"] as string, "git-vault", "audit.jsonl");
  const identity = /^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(join(sb.env["XDG_CONFIG_HOME"] as string, "git-vault", "identity"), "utf8"))?.[0] as string;
  log.secret(identity, "the server's identity");
  for (const [key, value] of Object.entries(VALUES)) {
    const r = log.vault(sb, host, ["set", key, "--stdin"], { input: log.secret(value, key) });
    expect(r.status, r.stderr).toBe(0);
  }
  sb.git(vault, "add", ".env.dev");
  sb.git(vault, "commit", "-q", "-m", "secrets");
  server = await startServer(["--listen", "127.0.0.1:0", "--reveal-limit", "6", "--write-limit", "20", "--request-timeout", "2", "--body-limit", "4096"]);
});

afterAll(async () => {
  try {
    for (const s of servers) await s.stop();
    expect(log.count).toBeGreaterThan(0);
    log.assertNoSecretInStderr();
    const audit = existsSync(auditLog) ? readFileSync(auditLog, "utf8") : "";
    expect(audit.split("\n").length).toBeGreaterThan(20);
    // Every secret of the file, in every place a secret must never be.
    const places = { "the audit log": audit, "a server's output": servers.map((s) => s.output()).join("\n"), "an error answer": observed.join("\n") };
    for (const [where, text] of Object.entries(places)) {
      for (const value of [...Object.values(VALUES), ...secretsOf(log)]) expect(text.includes(value), `a secret in ${where}`).toBe(false);
    }
  } finally {
    sb.cleanup();
  }
});

/** The secrets a StderrLog holds (its registry is private; the check above needs the values). */
function secretsOf(l: StderrLog): string[] {
  return [...(l as unknown as { secrets: Map<string, string> }).secrets.keys()];
}

describe.skipIf(!hasCurl && process.env["CI"] === undefined)("git vault serve over HTTP", () => {
  it("answers health, and lists keys masked: name, state, last change, recipient-set fingerprint", () => {
    expect(curl("GET", `${server.url}/v1/health`).json()).toEqual({ status: "ok", version: expect.any(String) as string });
    const t = issue("lister", ["--keys", "*", "--scope", "read", "--ttl", "1h"]);
    const r = curl("GET", `${server.url}/v1/secrets/dev`, { token: t.access() });
    expect(r.status).toBe(200);
    const keys = r.json()["keys"] as Record<string, unknown>[];
    expect(keys.map((k) => k["name"])).toEqual(Object.keys(VALUES));
    const fingerprint = /encrypted:gv1:([0-9a-f]{8}):/.exec(readFileSync(envFile, "utf8"))?.[1];
    for (const k of keys) {
      expect(k).toMatchObject({ state: "encrypted", fingerprint, section: null });
      expect(k["lastChange"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    for (const value of Object.values(VALUES)) expect(r.body).not.toContain(value);
    expect(curl("GET", `${server.url}/v1/secrets/dev/DB_URL`, { token: t.access() }).json()).toMatchObject({ name: "DB_URL", state: "encrypted" });
  });

  it("a read token cannot reveal (403); a token for DEPLOY_* cannot see DB_* (404, as if absent)", () => {
    const reader = issue("reader", ["--keys", "*", "--scope", "read", "--ttl", "1h"]);
    const denied = curl("POST", `${server.url}/v1/secrets/dev/DEPLOY_TOKEN:reveal`, { token: reader.access() });
    expect(denied.status).toBe(403);
    expect(denied.json()).toEqual({ error: { code: "scope-missing", message: "token reader has no reveal scope" } });

    const deploy = issue("deploy", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    const listed = curl("GET", `${server.url}/v1/secrets/dev`, { token: deploy.access() }).json()["keys"] as { name: string }[];
    expect(listed.map((k) => k.name)).toEqual(["DEPLOY_TOKEN", "DEPLOY_KEY"]);
    const hidden = curl("POST", `${server.url}/v1/secrets/dev/DB_URL:reveal`, { token: deploy.access() });
    const absent = curl("POST", `${server.url}/v1/secrets/dev/DEPLOY_NOPE:reveal`, { token: deploy.access() });
    expect([hidden.status, absent.status]).toEqual([404, 404]);
    expect(hidden.json()).toEqual({ error: { code: "key-missing", message: "no key DB_URL in env dev" } });
    expect(absent.json()).toEqual({ error: { code: "key-missing", message: "no key DEPLOY_NOPE in env dev" } });
    expect(curl("GET", `${server.url}/v1/secrets/dev/DB_PASSWORD`, { token: deploy.access() }).status).toBe(404);
    // Another env than the token's is absent too.
    expect(curl("GET", `${server.url}/v1/secrets/prod`, { token: deploy.access() }).json()).toEqual({ error: { code: "env-not-found", message: "no env prod" } });
    const revealed = curl("POST", `${server.url}/v1/secrets/dev/DEPLOY_TOKEN:reveal`, { token: deploy.access() });
    expect(revealed.json()).toEqual({ key: "DEPLOY_TOKEN", value: VALUES.DEPLOY_TOKEN });
  });

  it("refuses a missing, malformed, expired or revoked token with 401", async () => {
    expect(curl("GET", `${server.url}/v1/secrets/dev`).json()).toMatchObject({ error: { code: "token-missing" } });
    expect(curl("GET", `${server.url}/v1/secrets/dev`, { token: "gvat_not-a-real-token" }).json()).toMatchObject({ error: { code: "token-invalid" } });
    const short = issue("short", ["--keys", "*", "--scope", "read", "--ttl", "1s"]);
    await new Promise((r) => setTimeout(r, 1200));
    const expired = curl("GET", `${server.url}/v1/secrets/dev`, { token: short.access() });
    expect(expired.status).toBe(401);
    expect(expired.json()).toMatchObject({ error: { code: "token-expired" } });
    const gone = issue("gone", ["--keys", "*", "--scope", "read", "--ttl", "1h"]);
    expect(curl("GET", `${server.url}/v1/secrets/dev`, { token: gone.access() }).status).toBe(200);
    expect(vaultCmd(["token", "revoke", "gone"]).status).toBe(0);
    const revoked = curl("GET", `${server.url}/v1/secrets/dev`, { token: gone.access() });
    expect([revoked.status, revoked.json()]).toEqual([401, { error: { code: "token-revoked", message: "token gone was revoked" } }]);
    expect(vaultCmd(["token", "revoke", "gone"]).status).toBe(1);
  });

  it("a reveal-once token reveals its one key one time", () => {
    const once = issue("once", ["--reveal-once", "DB_PASSWORD", "--ttl", "10m"]);
    expect(existsSync(join(once.dir, "refresh.token"))).toBe(false);
    expect(curl("POST", `${server.url}/v1/secrets/dev/DB_URL:reveal`, { token: once.access() }).status).toBe(404);
    expect(curl("POST", `${server.url}/v1/secrets/dev/DB_PASSWORD:reveal`, { token: once.access() }).json()).toEqual({ key: "DB_PASSWORD", value: VALUES.DB_PASSWORD });
    const again = curl("POST", `${server.url}/v1/secrets/dev/DB_PASSWORD:reveal`, { token: once.access() });
    expect([again.status, again.json()]).toEqual([401, { error: { code: "token-revoked", message: "token once was a reveal-once token and is used up (its key was revealed)" } }]);
    const rows = JSON.parse(vaultCmd(["token", "list", "--json"]).stdout) as { tokens: { name: string; state: string; revealOnce: boolean }[] };
    expect(rows.tokens.find((t) => t.name === "once")).toMatchObject({ state: "revealed", revealOnce: true });
  });

  it("rotates refresh tokens, and a reused refresh token revokes the whole session", () => {
    const t = issue("rotating", ["--keys", "DEPLOY_*", "--scope", "read", "--ttl", "1h", "--refresh-ttl", "1d"]);
    const first = { access: t.access(), refresh: t.refresh() };
    const r1 = curl("POST", `${server.url}/v1/token/refresh`, { body: JSON.stringify({ refreshToken: first.refresh }) });
    expect(r1.status).toBe(200);
    const pair = r1.json() as { accessToken: string; refreshToken: string };
    log.secret(pair.accessToken, "a refreshed access token");
    log.secret(pair.refreshToken, "a refreshed refresh token");
    expect(pair.refreshToken).not.toBe(first.refresh);
    expect(curl("GET", `${server.url}/v1/secrets/dev`, { token: pair.accessToken }).status).toBe(200);
    // The old access token went with the old refresh token.
    expect(curl("GET", `${server.url}/v1/secrets/dev`, { token: first.access }).status).toBe(401);
    // Reuse: the old refresh token again.
    const reused = curl("POST", `${server.url}/v1/token/refresh`, { body: JSON.stringify({ refreshToken: first.refresh }) });
    expect([reused.status, (reused.json()["error"] as { code: string }).code]).toEqual([401, "refresh-reused"]);
    // …revokes everything of the session, the newest pair included.
    expect(curl("GET", `${server.url}/v1/secrets/dev`, { token: pair.accessToken }).json()).toMatchObject({ error: { code: "token-revoked" } });
    expect(curl("POST", `${server.url}/v1/token/refresh`, { body: JSON.stringify({ refreshToken: pair.refreshToken }) }).status).toBe(401);
    const rows = JSON.parse(vaultCmd(["token", "list", "--json"]).stdout) as { tokens: { name: string; state: string }[] };
    expect(rows.tokens.find((x) => x.name === "rotating")?.state).toBe("refresh-reused");
    // A refresh token the store never issued is refused without rewriting the store.
    const [store] = readdirSync(join(sb.env["XDG_STATE_HOME"] as string, "git-vault", "serve")).map((id) => join(sb.env["XDG_STATE_HOME"] as string, "git-vault", "serve", id, "tokens.json"));
    const before = statSync(store as string);
    const stranger = curl("POST", `${server.url}/v1/token/refresh`, { body: JSON.stringify({ refreshToken: `gvrt_${"A".repeat(43)}` }) });
    expect([stranger.status, (stranger.json()["error"] as { code: string }).code]).toEqual([401, "token-invalid"]);
    const after = statSync(store as string);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("PUT with an Idempotency-Key writes once; DELETE removes the line; both need the write scope", () => {
    const w = issue("writer", ["--keys", "NEW_*", "--scope", "write", "--ttl", "1h"]);
    const body = JSON.stringify({ value: log.secret("new-value-via-api-5521", "NEW_ONE") });
    const headers = ["Idempotency-Key: put-1"];
    const r1 = curl("PUT", `${server.url}/v1/secrets/dev/NEW_ONE`, { token: w.access(), body, headers });
    expect(r1.json()).toEqual({ key: "NEW_ONE", env: "dev", created: true, commit: null });
    const after1 = readFileSync(envFile, "utf8");
    expect(after1).toMatch(/^NEW_ONE=encrypted:gv1:/m);
    const r2 = curl("PUT", `${server.url}/v1/secrets/dev/NEW_ONE`, { token: w.access(), body, headers });
    expect(r2.json()).toEqual(r1.json());
    expect(r2.headers).toMatch(/idempotent-replayed: true/i);
    expect(readFileSync(envFile, "utf8")).toBe(after1); // a second encryption would have changed the line
    const other = curl("PUT", `${server.url}/v1/secrets/dev/NEW_ONE`, { token: w.access(), body: JSON.stringify({ value: "something-else" }), headers });
    expect([other.status, (other.json()["error"] as { code: string }).code]).toEqual([422, "idempotency-key-reused"]);
    expect(readFileSync(envFile, "utf8")).toBe(after1);
    // The value decrypts with the CLI, as if `set` had stored it.
    expect(vaultCmd(["get", "NEW_ONE", "--reveal"]).stdout).toBe("new-value-via-api-5521\n");
    // With a commit in the vault repo: not while the file has changes nobody committed (NEW_ONE's, here), which it would take along.
    const newTwo = JSON.stringify({ value: log.secret("second-api-value-8812"), commit: true });
    const head = sb.git(vault, "rev-parse", "HEAD");
    const dirty = curl("PUT", `${server.url}/v1/secrets/dev/NEW_TWO`, { token: w.access(), body: newTwo });
    expect([dirty.status, dirty.json()]).toEqual([409, { error: { code: "uncommitted-changes", message: "vault/.env.dev has changes that are not committed; nothing was written" } }]);
    expect([sb.git(vault, "rev-parse", "HEAD"), readFileSync(envFile, "utf8")]).toEqual([head, after1]);
    sb.git(vault, "commit", "-q", "-am", "NEW_ONE by hand");
    const committed = curl("PUT", `${server.url}/v1/secrets/dev/NEW_TWO`, { token: w.access(), body: newTwo });
    expect(committed.json()["commit"]).toMatch(/^[0-9a-f]{40}$/);
    expect(sb.git(vault, "log", "-1", "--format=%s")).toBe("Set NEW_TWO in dev (git vault serve, token writer)\n");
    expect(sb.git(vault, "show", "HEAD:.env.dev")).toContain("NEW_TWO=encrypted:gv1:");
    expect(sb.git(vault, "diff", "--no-textconv", "HEAD~1", "HEAD").split("\n").filter((l) => /^[-+][A-Z]/.test(l)).map((l) => l.slice(0, 9))).toEqual(["+NEW_TWO="]);
    // An Idempotency-Key on a DELETE is refused, not silently ignored; nothing is removed.
    const keyed = curl("DELETE", `${server.url}/v1/secrets/dev/NEW_ONE`, { token: w.access(), headers: ["Idempotency-Key: put-1"] });
    expect([keyed.status, (keyed.json()["error"] as { code: string }).code]).toEqual([400, "bad-request"]);
    expect(readFileSync(envFile, "utf8")).toContain("NEW_ONE=");
    const del = curl("DELETE", `${server.url}/v1/secrets/dev/NEW_ONE`, { token: w.access() });
    expect(del.json()).toEqual({ key: "NEW_ONE", env: "dev", removed: 1, commit: null });
    expect(readFileSync(envFile, "utf8")).not.toContain("NEW_ONE=");
    expect(curl("DELETE", `${server.url}/v1/secrets/dev/NEW_ONE`, { token: w.access() }).status).toBe(404);
    // Outside the token's keys: absent; without the write scope: 403.
    expect(curl("PUT", `${server.url}/v1/secrets/dev/DB_URL`, { token: w.access(), body: JSON.stringify({ value: "x" }) }).status).toBe(404);
    const reader = issue("reader2", ["--keys", "*", "--scope", "read,reveal", "--ttl", "1h"]);
    expect(curl("DELETE", `${server.url}/v1/secrets/dev/DB_URL`, { token: reader.access() }).status).toBe(403);
    expect(readFileSync(envFile, "utf8")).toContain("DB_URL=encrypted");
  });

  it("two committing PUTs at once: each commit holds its own key alone", async () => {
    const w = issue("racer", ["--keys", "RACE_*", "--scope", "write", "--ttl", "1h"]);
    // Earlier tests left the file changed: committed here, so that both PUTs may commit.
    if (sb.git(vault, "status", "--porcelain", "--", ".env.dev").trim() !== "") sb.git(vault, "commit", "-q", "-m", "earlier writes", "--", ".env.dev");
    const put = (key: string) =>
      fetch(`${server.url}/v1/secrets/dev/${key}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${w.access()}`, "content-type": "application/json" },
        body: JSON.stringify({ value: log.secret(`race-value-${key}-7a1c`), commit: true }),
      });
    const answers = await Promise.all([put("RACE_A"), put("RACE_B")]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const subjects = sb.git(vault, "log", "-2", "--format=%s").trim().split("\n").sort();
    expect(subjects).toEqual(["Set RACE_A in dev (git vault serve, token racer)", "Set RACE_B in dev (git vault serve, token racer)"]);
    for (const rev of ["HEAD", "HEAD~1"]) {
      const added = sb.git(vault, "show", "--no-textconv", "--format=", rev).split("\n").filter((l) => /^\+[A-Z]/.test(l)).map((l) => l.slice(1, 7));
      expect(added, rev).toHaveLength(1);
    }
  });

  it("answers a burst of reveals past the limit with 429 and Retry-After", () => {
    const b = issue("burst", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    const statuses: number[] = [];
    let retryAfter = "";
    for (let i = 0; i < 9; i++) {
      const r = curl("POST", `${server.url}/v1/secrets/dev/DEPLOY_KEY:reveal`, { token: b.access() });
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = /^retry-after: (\d+)/im.exec(r.headers)?.[1] ?? "";
        expect(r.json()).toMatchObject({ error: { code: "rate-limited" } });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Per token: another token is not limited by this one's burst.
    const c = issue("calm", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    expect(curl("POST", `${server.url}/v1/secrets/dev/DEPLOY_KEY:reveal`, { token: c.access() }).status).toBe(200);
    // One counter for the single and the batch reveal: six requests in all, whichever route.
    const m = issue("mixed", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    const single = () => curl("POST", `${server.url}/v1/secrets/dev/DEPLOY_KEY:reveal`, { token: m.access() }).status;
    const batch = () => curl("POST", `${server.url}/v1/secrets/dev:reveal`, { token: m.access(), body: JSON.stringify({ keys: ["DEPLOY_KEY"] }) }).status;
    expect([single(), batch(), single(), batch(), single(), batch(), batch(), single()]).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });
});

describe.skipIf(!hasCurl && process.env["CI"] === undefined)("bad input gets a 4xx, the server keeps serving, nothing is written", () => {
  let w: ReturnType<typeof issue>;
  let before: string;
  beforeAll(() => {
    w = issue("fuzz", ["--keys", "*", "--scope", "read,reveal,write", "--ttl", "1h"]);
    before = readFileSync(envFile, "utf8");
  });
  const alive = (): void => {
    expect(curl("GET", `${server.url}/v1/health`).status).toBe(200);
    expect(readFileSync(envFile, "utf8")).toBe(before);
  };
  const put = (key: string, body: string) => curl("PUT", `${server.url}/v1/secrets/dev/${key}`, { token: w.access(), body });

  it("malformed JSON, without echoing it", () => {
    const r = put("FUZZ", `{"value": "${log.secret("half-a-secret-json")}`);
    expect([r.status, r.json()]).toEqual([400, { error: { code: "bad-json", message: "the body is not valid JSON" } }]);
    expect(put("FUZZ", "[1,2]").status).toBe(400);
    expect(put("FUZZ", JSON.stringify({ value: 5 })).json()).toMatchObject({ error: { code: "bad-request" } });
    expect(put("FUZZ", JSON.stringify({ value: "x", extra: log.secret("extra-field-secret") })).status).toBe(400);
    alive();
  });

  it("a URL that does not decode: the usual error shape, the URL not echoed, and an audit entry", async () => {
    const secretish = log.secret("AGE-SECRET-KEY-1QQQQPATHTYPO");
    const port = Number(new URL(server.url).port);
    const raw = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, "127.0.0.1", () => socket.write(`GET /v1/secrets/dev/${secretish}%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
      socket.on("data", (c: Buffer) => chunks.push(c));
      socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      socket.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw.slice(raw.indexOf("\r\n\r\n") + 4)).toBe('{"error":{"code":"bad-url","message":"the URL is not valid (it is not shown)"}}');
    expect(raw).not.toContain("QQQQPATHTYPO");
    const last = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e["command"] === "serve GET (invalid URL)");
    expect(last.map((e) => [e["result"], e["error"]])).toEqual([["failed", "bad-url"]]);
    alive();
  });

  it("an oversized body (413)", () => {
    const r = put("FUZZ", JSON.stringify({ value: "v".repeat(8000) }));
    expect([r.status, r.json()]).toEqual([413, { error: { code: "body-too-large", message: "the body is larger than the server accepts" } }]);
    alive();
  });

  it("key names with /, .., NUL or a private key, and unknown envs", () => {
    const privateKey = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSXQ5WPY";
    log.secret(privateKey, "a private key used as a key name");
    for (const key of ["a%2Fb", "..%2F.env.prod", "a%00b", "%2E%2E", privateKey, "x".repeat(300)]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const r = method === "PUT" ? put(key, JSON.stringify({ value: "v" })) : curl(method, `${server.url}/v1/secrets/dev/${key}`, { token: w.access() });
        expect(r.status, `${method} ${key.slice(0, 12)}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${method} ${key.slice(0, 12)}`).toBeLessThan(500);
        expect(r.body).not.toContain(privateKey);
      }
      const reveal = curl("POST", `${server.url}/v1/secrets/dev/${key}:reveal`, { token: w.access() });
      expect(reveal.status).toBeGreaterThanOrEqual(400);
      expect(reveal.status).toBeLessThan(500);
    }
    for (const env of ["prod", "..", "%2E%2E%2Fetc", "a%00b", "AGE-SECRET-KEY-1X"]) {
      const r = curl("GET", `${server.url}/v1/secrets/${env}`, { token: w.access() });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    // A path that is no route is not echoed (a value typed into a URL would come back).
    const stray = curl("GET", `${server.url}/v1/${log.secret("typed-into-the-url-4410")}`);
    expect([stray.status, stray.json()]).toEqual([404, { error: { code: "not-found", message: "no such route" } }]);
    expect(readFileSync(auditLog, "utf8")).not.toContain("AGE-SECRET-KEY-1");
    alive();
  });

  it("a slow client is cut off after the request timeout", async () => {
    const started = Date.now();
    const port = Number(new URL(server.url).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.write("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      let got = "";
      socket.on("data", (c: Buffer) => (got += c.toString()));
      socket.on("close", () => resolve(got));
      socket.on("error", () => resolve(got));
    });
    const waited = Date.now() - started;
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(1500);
    expect(waited).toBeLessThan(8000);
    alive();
  });
});

describe.skipIf(!hasCurl && process.env["CI"] === undefined)("the client: git vault remote get|run", () => {
  it("get masks unless --reveal, run passes only the token's keys, as get and run do", () => {
    const t = issue("client", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    const get = (args: string[], env: NodeJS.ProcessEnv = {}) => vaultCmd(["remote", "get", ...args, "--server", server.url, "--token-dir", t.dir], env);
    expect(get(["DEPLOY_KEY"]).stdout).toBe("********\n");
    expect(get(["DEPLOY_KEY", "--reveal"]).stdout).toBe(`${VALUES.DEPLOY_KEY}\n`);
    const missing = get(["DB_URL", "--reveal"]);
    expect([missing.status, missing.stderr]).toEqual([1, `error: ${server.url}: no key DB_URL in env dev\n`]);
    const run = vaultCmd(["remote", "run", "--server", server.url, "--token-dir", t.dir, "--", "sh", "-c", 'printf "%s|%s|%s" "$DEPLOY_TOKEN" "$DEPLOY_KEY" "${DB_URL-unset}"; exit 7']);
    expect([run.status, run.stdout]).toEqual([7, `${VALUES.DEPLOY_TOKEN}|${VALUES.DEPLOY_KEY}|unset`]);
    const only = vaultCmd(["remote", "run", "--server", server.url, "--token-dir", t.dir, "--only", "DEPLOY_KEY", "--", "sh", "-c", 'printf "%s|%s" "${DEPLOY_TOKEN-unset}" "$DEPLOY_KEY"']);
    expect(only.stdout).toBe(`unset|${VALUES.DEPLOY_KEY}`);
  });

  it("POST /v1/secrets/ENV:reveal hands out several keys in one request and one audit entry; all or nothing, out of scope answered as absent", () => {
    const t = issue("batch", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    const batch = (body: unknown, token = t.access()) => curl("POST", `${server.url}/v1/secrets/dev:reveal`, { token, body: JSON.stringify(body) });
    const both = batch({ keys: ["DEPLOY_KEY", "DEPLOY_TOKEN"] });
    expect([both.status, both.json()]).toEqual([200, { env: "dev", values: [{ key: "DEPLOY_KEY", value: VALUES.DEPLOY_KEY }, { key: "DEPLOY_TOKEN", value: VALUES.DEPLOY_TOKEN }] }]);
    // A key the token may not see and one that is not there: the same answer, and nothing else handed out.
    const hidden = batch({ keys: ["DEPLOY_KEY", "DB_URL"] });
    const missing = batch({ keys: ["DEPLOY_KEY", "DEPLOY_NOPE"] });
    expect([hidden.status, hidden.json()]).toEqual([404, { error: { code: "key-missing", message: "no key DB_URL in env dev" } }]);
    expect([missing.status, missing.json()]).toEqual([404, { error: { code: "key-missing", message: "no key DEPLOY_NOPE in env dev" } }]);
    for (const body of [{ keys: [] }, { keys: ["DEPLOY_KEY", "DEPLOY_KEY"] }, { keys: ["DEPLOY_KEY"], also: 1 }, { keys: ["../x"] }, {}]) expect(batch(body).status, JSON.stringify(body)).toBe(400);
    const reader = issue("batch-reader", ["--keys", "*", "--scope", "read", "--ttl", "1h"]);
    expect(batch({ keys: ["DEPLOY_KEY"] }, reader.access()).status).toBe(403);

    const entries = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    // The keys decrypted, in the file's order; the refused bodies are audited as refused requests.
    expect(entries.filter((e) => e["client"] === "token batch").map((e) => [e["command"], e["env"], e["keys"], e["result"], e["error"]])).toEqual([
      ["serve reveal", "dev", ["DEPLOY_TOKEN", "DEPLOY_KEY"], "ok", null],
      ["serve reveal", "dev", ["DEPLOY_KEY", "DB_URL"], "failed", "key-missing"],
      ["serve reveal", "dev", ["DEPLOY_KEY", "DEPLOY_NOPE"], "failed", "key-missing"],
      ...Array<unknown>(5).fill(["serve POST /v1/secrets/:action", null, [], "failed", "bad-request"]),
    ]);

    // A reveal-once token: its one key, one time.
    const once = issue("batch-once", ["--reveal-once", "DB_PASSWORD", "--ttl", "10m"]);
    expect(batch({ keys: ["DB_PASSWORD"] }, once.access()).json()).toEqual({ env: "dev", values: [{ key: "DB_PASSWORD", value: VALUES.DB_PASSWORD }] });
    expect(batch({ keys: ["DB_PASSWORD"] }, once.access()).status).toBe(401);
  });

  it("remote run of more keys than the reveal limit (6 here) fetches them in one request", () => {
    const many = Array.from({ length: 10 }, (_, i) => [`MANY_${i}`, `many-value-${i}-5d1e`] as const);
    for (const [key, value] of many) {
      const r = log.vault(sb, host, ["set", key, "--env", "many", "--stdin"], { input: log.secret(value, key) });
      expect(r.status, r.stderr).toBe(0);
    }
    const t = issue("many", ["--env", "many", "--keys", "MANY_*", "--scope", "reveal", "--ttl", "1h"]);
    const script = 'for k in $(env | sed -n "s/^\\(MANY_[0-9]*\\)=.*/\\1/p" | sort); do printf "%s=%s;" "$k" "$(printenv "$k")"; done';
    const run = vaultCmd(["remote", "run", "--server", server.url, "--token-dir", t.dir, "--", "sh", "-c", script]);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toBe(many.map(([k, v]) => `${k}=${v};`).sort().join(""));
    const entries = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const reveals = entries.filter((e) => e["client"] === "token many" && e["command"] === "serve reveal");
    expect(reveals.map((e) => [e["env"], e["keys"], e["result"]])).toEqual([["many", many.map(([k]) => k), "ok"]]);
  });

  it("never sends a token in clear text off this machine; --out naming a file is a clear error; an access token ends with its session", () => {
    const t = issue("cleartext", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    for (const url of ["http://192.0.2.10:7583", "http://vault.example.test:7583"]) {
      const r = vaultCmd(["remote", "get", "DEPLOY_KEY", "--reveal", "--server", url, "--token-dir", t.dir]);
      expect([r.status, r.stderr.split("\n")[0]]).toEqual([2, `error: --server ${url} is not on this machine: the token would be sent in clear text`]);
    }
    const file = join(sb.root, "not-a-folder");
    writeFileSync(file, "");
    const out = vaultCmd(["token", "issue", "--name", "to-file", "--keys", "DEPLOY_*", "--scope", "read", "--ttl", "1h", "--out", file]);
    expect([out.status, out.stderr]).toEqual([1, `error: ${file} is not a folder\nhint: name a folder for the token files (it is made when missing)\n`]);
    // --ttl longer than --refresh-ttl: the access token ends with the session.
    const short = JSON.parse(vaultCmd(["token", "issue", "--name", "short-session", "--keys", "DEPLOY_*", "--scope", "read", "--ttl", "30d", "--refresh-ttl", "1h", "--out", join(sb.root, "tokens", "short-session"), "--json"]).stdout) as { accessExpires: string; refreshExpires: string };
    expect(short.accessExpires).toBe(short.refreshExpires);
    log.secret(readFileSync(join(sb.root, "tokens", "short-session", "access.token"), "utf8").trim(), "short-session access");
    log.secret(readFileSync(join(sb.root, "tokens", "short-session", "refresh.token"), "utf8").trim(), "short-session refresh");
  });

  it("stops using a token store that group or others can write", () => {
    const t = issue("store-mode", ["--keys", "DEPLOY_*", "--scope", "read", "--ttl", "1h"]);
    const store = readdirSync(join(sb.env["XDG_STATE_HOME"] as string, "git-vault", "serve")).map((id) => join(sb.env["XDG_STATE_HOME"] as string, "git-vault", "serve", id, "tokens.json"))[0] as string;
    chmodSync(store, 0o666);
    try {
      const r = curl("GET", `${server.url}/v1/secrets/dev/DEPLOY_KEY`, { token: t.access() });
      // The operator's trouble: the client learns only that the server cannot answer.
      expect([r.status, (r.json()["error"] as { code: string }).code]).toEqual([503, "token-store-permissions"]);
      const list = vaultCmd(["token", "list"]);
      expect([list.status, list.stderr.split("\n")[0]]).toEqual([1, `error: ${store} is writable by group or others (mode 0666): whoever can write it can issue themselves tokens`]);
    } finally {
      chmodSync(store, 0o600);
    }
    expect(curl("GET", `${server.url}/v1/secrets/dev/DEPLOY_KEY`, { token: t.access() }).status).toBe(200);
  });

  it("refreshes an expired access token in place (0600), and fails loudly when the session is over", async () => {
    const t = issue("refresher", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1s", "--refresh-ttl", "4s"]);
    const oldAccess = t.access();
    const oldRefresh = t.refresh();
    await new Promise((r) => setTimeout(r, 1200));
    const r = vaultCmd(["remote", "get", "DEPLOY_TOKEN", "--reveal", "--server", server.url, "--token-dir", t.dir]);
    expect([r.status, r.stdout]).toEqual([0, `${VALUES.DEPLOY_TOKEN}\n`]);
    log.secret(t.access(), "the refreshed access token of refresher");
    log.secret(t.refresh(), "the refreshed refresh token of refresher");
    expect(t.access()).not.toBe(oldAccess);
    expect(t.refresh()).not.toBe(oldRefresh);
    for (const f of ["access.token", "refresh.token"]) expect(statSync(join(t.dir, f)).mode & 0o777).toBe(0o600);
    await new Promise((r2) => setTimeout(r2, 4000));
    const over = vaultCmd(["remote", "get", "DEPLOY_TOKEN", "--reveal", "--server", server.url, "--token-dir", t.dir]);
    expect(over.status).toBe(1);
    expect(over.stdout).toBe("");
    expect(over.stderr).toMatch(/^error: the session in .*refresher cannot be refreshed: .*expired \(token-expired\)\nhint: ask for a new token/);
  });

  it("clients sharing a token folder refresh once between them (no reuse revocation)", async () => {
    const t = issue("shared", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1s", "--refresh-ttl", "1h"]);
    await new Promise((r) => setTimeout(r, 1200));
    const args = ["remote", "get", "DEPLOY_KEY", "--reveal", "--server", server.url, "--token-dir", t.dir];
    const runs = await Promise.all([0, 1, 2].map(() => log.vaultAsync(sb, host, args)));
    for (const r of runs) expect([r.status, r.stdout, r.stderr]).toEqual([0, `${VALUES.DEPLOY_KEY}\n`, ""]);
    log.secret(t.access(), "the refreshed access token of shared");
    log.secret(t.refresh(), "the refreshed refresh token of shared");
    const rows = JSON.parse(vaultCmd(["token", "list", "--json"]).stdout) as { tokens: { name: string; state: string }[] };
    expect(rows.tokens.find((x) => x.name === "shared")?.state).toBe("active");
  });

  it("GIT_VAULT_REMOTE: local decrypting commands refuse and point to remote", () => {
    const worker = { GIT_VAULT_REMOTE: "1" };
    const get = vaultCmd(["get", "DB_URL", "--reveal"], worker);
    expect(get.status).toBe(1);
    expect(get.stderr).toMatch(/^error: GIT_VAULT_REMOTE marks this as a worker environment: secrets are not decrypted here\nhint: .*git vault remote get KEY --reveal/);
    expect(get.stdout).toBe("");
    const run = vaultCmd(["run", "--", "sh", "-c", "echo ran"], worker);
    expect([run.status, run.stdout]).toEqual([1, ""]);
    expect(vaultCmd(["decrypt"], worker).status).toBe(1);
    // Listing needs no decryption and still works.
    expect(vaultCmd(["list"], worker).status).toBe(0);
    // A server refuses to start there.
    const serve = vaultCmd(["serve", "--listen", "127.0.0.1:0"], worker);
    expect(serve.status).toBe(1);
    expect(serve.stderr).toContain("GIT_VAULT_REMOTE");
  });
});

describe.skipIf(!hasCurl && process.env["CI"] === undefined)("audit log and policy hook", () => {
  it("audits each request: token, route, env, keys, result; never a value", async () => {
    const t = issue("audited", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    expect(curl("POST", `${server.url}/v1/secrets/dev/DEPLOY_KEY:reveal`, { token: t.access() }).status).toBe(200);
    expect(curl("POST", `${server.url}/v1/secrets/dev/DB_URL:reveal`, { token: t.access() }).status).toBe(404);
    expect(curl("GET", `${server.url}/v1/secrets/dev`, { token: "gvat_" + "A".repeat(43) }).status).toBe(401);
    const entries = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = entries.filter((e) => e["client"] === "token audited");
    expect(mine.map((e) => [e["command"], e["env"], e["keys"], e["result"], e["error"]])).toEqual([
      ["serve reveal", "dev", ["DEPLOY_KEY"], "ok", null],
      ["serve reveal", "dev", ["DB_URL"], "failed", "key-missing"],
    ]);
    // A request refused before its handler is audited once its answer is sent.
    let refused: Record<string, unknown> | undefined;
    for (let i = 0; i < 40 && refused === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      refused = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e["error"] === "token-invalid");
    }
    expect(refused).toMatchObject({ command: "serve list", client: null, result: "failed", error: "token-invalid" });
    // The chain the audit commands check is intact.
    expect(vaultCmd(["audit", "verify"]).status).toBe(0);
  });

  it("asks the env's policy hook before a reveal, also one configured after the server started: a refusal is 403 and spends no reveal-once token", async () => {
    writeFileSync(join(vault, ".env.prod"), readFileSync(envFile, "utf8"));
    const s = await startServer(["--listen", "127.0.0.1:0"]);
    // The server has read prod's target (and the configuration, with no hook yet) before the policy arrives.
    const reader = issue("prod-reader", ["--env", "prod", "--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "10m"]);
    expect(curl("POST", `${s.url}/v1/secrets/prod/DEPLOY_KEY:reveal`, { token: reader.access() }).status).toBe(200);
    writeFileSync(join(host, ".git-vaultrc.json"), JSON.stringify({ policyHook: { prod: "./deny-prod.sh" } }));
    const asked = join(sb.root, "policy-asked.json");
    writeFileSync(join(host, "deny-prod.sh"), `#!/bin/sh\ncat >"${asked}"\necho 'prod reveals need a ticket' >&2\nexit 1\n`, { mode: 0o755 });
    expect(vaultCmd(["policy", "allow"]).status).toBe(0);
    expect(curl("POST", `${s.url}/v1/secrets/prod/DEPLOY_KEY:reveal`, { token: reader.access() }).status).toBe(403);
    const once = issue("prod-once", ["--env", "prod", "--reveal-once", "DEPLOY_KEY", "--ttl", "10m"]);
    const r = curl("POST", `${s.url}/v1/secrets/prod/DEPLOY_KEY:reveal`, { token: once.access() });
    expect(r.status).toBe(403);
    expect((r.json()["error"] as { code: string }).code).toBe("policy-denied");
    // The hook itself was asked, with the request's names (never a value).
    expect(JSON.parse(readFileSync(asked, "utf8"))).toMatchObject({ command: "serve reveal", env: "prod", keys: ["DEPLOY_KEY"], client: "token prod-once" });
    const rows = JSON.parse(vaultCmd(["token", "list", "--json"]).stdout) as { tokens: { name: string; state: string }[] };
    expect(rows.tokens.find((x) => x.name === "prod-once")?.state).toBe("active");
    const denied = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e["client"] === "token prod-once");
    expect(denied).toMatchObject([{ command: "serve reveal", env: "prod", keys: ["DEPLOY_KEY"], result: "denied", error: "policy-denied" }]);
    await s.stop();
  });
});

describe.skipIf(!hasCurl && process.env["CI"] === undefined)("where it listens", () => {
  it("refuses a network address without TLS", () => {
    const r = vaultCmd(["serve", "--listen", "0.0.0.0:0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: refusing to listen on 0\.0\.0\.0 without TLS/);
  });

  it.skipIf(!hasOpenssl && process.env["CI"] === undefined)("serves HTTPS with --tls-cert and --tls-key, to curl and to the client", async () => {
    const cert = join(sb.root, "tls-cert.pem");
    const key = join(sb.root, "tls-key.pem");
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], { encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);
    const s = await startServer(["--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key]);
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const t = issue("tls", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    expect(curl("POST", `${s.url}/v1/secrets/dev/DEPLOY_KEY:reveal`, { token: t.access(), cacert: cert }).json()).toEqual({ key: "DEPLOY_KEY", value: VALUES.DEPLOY_KEY });
    // Plain HTTP to the TLS port gets nothing useful; an untrusted certificate stops the client.
    expect(curl("GET", s.url.replace("https:", "http:") + "/v1/health").status).not.toBe(200);
    const untrusted = vaultCmd(["remote", "get", "DEPLOY_KEY", "--reveal", "--server", s.url, "--token-dir", t.dir]);
    expect([untrusted.status, untrusted.stdout]).toEqual([1, ""]);
    expect(untrusted.stderr).toMatch(/^error: cannot reach https:\/\/127\.0\.0\.1:\d+ \(/);
    const trusted = vaultCmd(["remote", "get", "DEPLOY_KEY", "--reveal", "--server", s.url, "--token-dir", t.dir], { NODE_EXTRA_CA_CERTS: cert });
    expect([trusted.status, trusted.stdout]).toEqual([0, `${VALUES.DEPLOY_KEY}\n`]);
    await s.stop();
  });

  it("serves on a unix socket (0600) to curl and to the client, and caps connections", async () => {
    const socket = join(sb.root, "serve.sock");
    const s = await startServer(["--listen", `unix:${socket}`, "--max-connections", "2"]);
    expect(s.url).toBe(`unix:${socket}`);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const t = issue("socket", ["--keys", "DEPLOY_*", "--scope", "reveal", "--ttl", "1h"]);
    expect(curl("GET", "http://localhost/v1/secrets/dev", { token: t.access(), socket }).status).toBe(200);
    expect(vaultCmd(["remote", "get", "DEPLOY_KEY", "--reveal", "--server", s.url, "--token-dir", t.dir]).stdout).toBe(`${VALUES.DEPLOY_KEY}\n`);
    // Two idle connections take the cap; a third is closed unanswered.
    const held = await Promise.all([0, 1].map(() => new Promise<ReturnType<typeof connect>>((resolve) => {
      const c = connect(socket, () => resolve(c));
    })));
    await new Promise((r) => setTimeout(r, 200));
    expect(curl("GET", "http://localhost/v1/health", { socket }).status).toBe(0);
    for (const c of held) c.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(curl("GET", "http://localhost/v1/health", { socket }).status).toBe(200);
    expect(await s.stop()).toBe(0);
    expect(s.output()).toContain("git vault serve: stopped");
  });
});
