// The audit log and the policy hook through the built CLI, in a real host repo
// with a vault submodule: one entry per operation, no value in the log, a
// chain `audit verify` checks, concurrent writers, a log that cannot be
// written stopping the operation, and a policy hook that allows, refuses or
// hangs.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { gitRun, makeVaultHost } from "../support/git.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;

let host: string;
let vault: string;
let auditPath: string;

const DEV_VALUE = log.secret("audit-dev-secret-value", "the dev value");
const PROD_VALUE = log.secret("audit-prod-secret-value", "the prod value");

interface Entry {
  seq: number;
  command: string;
  env: string | null;
  keys: string[];
  result: string;
  error: string | null;
  container: string | null;
  user: string;
  repo: string | null;
}

const entries = (): Entry[] =>
  existsSync(auditPath)
    ? readFileSync(auditPath, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Entry)
    : [];

/** Runs `args` in the host and returns the entries it added. */
function added(args: string[], options: Parameters<typeof run>[1] = {}): { r: ReturnType<typeof run>; added: Entry[] } {
  const before = entries().length;
  const r = run(args, options, host);
  return { r, added: entries().slice(before) };
}

beforeAll(() => {
  suite.keygen();
  ({ host, vault } = makeVaultHost(suite.sb));
  auditPath = join(suite.sb.env["XDG_STATE_HOME"] as string, "git-vault", "audit.jsonl");
  ok(["set", "DEV_TOKEN"], { input: DEV_VALUE }, host);
  ok(["set", "PROD_TOKEN", "--env", "prod"], { input: PROD_VALUE }, host);
  ok(["set", "PROD_OTHER", "--env", "prod"], { input: log.secret("audit-prod-other-value") }, host);
});

describe("one entry per operation, never a value", () => {
  it("set, get --reveal, decrypt, run, unset each add exactly one entry naming command, env and keys", () => {
    const cases: [string[], string, string, string[]][] = [
      [["set", "EXTRA", "--env", "prod"], "set", "prod", ["EXTRA"]],
      [["get", "PROD_TOKEN", "--reveal", "--env", "prod"], "get --reveal", "prod", ["PROD_TOKEN"]],
      [["decrypt", "--env", "prod"], "decrypt", "prod", ["PROD_TOKEN", "PROD_OTHER", "EXTRA"]],
      [["run", "--env", "prod", "--only", "PROD_TOKEN", "--", "true"], "run", "prod", ["PROD_TOKEN"]],
      [["unset", "EXTRA", "--env", "prod"], "unset", "prod", ["EXTRA"]],
      [["encrypt"], "encrypt", "dev", []],
    ];
    for (const [args, command, env, keys] of cases) {
      const { r, added: got } = added(args, { input: args[0] === "set" ? log.secret("audit-extra-value") : "" });
      expect(r.status, r.stderr).toBe(0);
      expect(got.map((e) => [e.command, e.env, e.keys, e.result])).toEqual([[command, env, keys, "ok"]]);
      expect(got[0]?.repo).toBe(host);
    }
  });

  it("a masked get, list and status add none", () => {
    for (const args of [["get", "DEV_TOKEN"], ["list"], ["status"]]) expect(added(args).added, args.join(" ")).toEqual([]);
  });

  it("a failed operation is logged with its error code", () => {
    const { r, added: got } = added(["get", "NOPE", "--reveal", "--env", "prod"]);
    expect(r.status).toBe(1);
    expect(got.map((e) => [e.command, e.keys, e.result, e.error])).toEqual([["get --reveal", ["NOPE"], "failed", "key-missing"]]);
  });

  it("git log -p (textconv) adds at most one entry per textconv call, and the values show", () => {
    suite.sb.git(vault, "add", "-A");
    suite.sb.git(vault, "commit", "-qm", "prod secrets");
    const before = entries().length;
    const r = gitRun(suite.sb, vault, ["log", "-p", "--", ".env.prod"]);
    expect(r.stdout).toContain(`PROD_TOKEN=${PROD_VALUE}`);
    const got = entries().slice(before);
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((e) => e.command === "textconv" && e.env === "prod" && e.result === "ok")).toBe(true);
  });

  it("the log is 0600, verifies, and holds no value of this file's secrets", () => {
    expect(readFileSync(auditPath, "utf8")).not.toBe("");
    log.assertNoSecretIn(readFileSync(auditPath, "utf8"), "the audit log");
    const r = ok(["audit", "verify"], {}, host);
    expect(r.stderr).toMatch(/audit\.jsonl: \d+ entries, chain intact; head [0-9a-f]{64}\n$/);
    expect(statSync(auditPath).mode & 0o777).toBe(0o600);
  });

  it("audit tail and show filter by key, env and date; --json gives the entries", () => {
    const tail = ok(["audit", "tail", "-n", "2"], {}, host).stdout.trim().split("\n");
    expect(tail).toHaveLength(3); // header + 2
    const byKey = JSON.parse(ok(["audit", "show", "--key", "PROD_TOKEN", "--json"], {}, host).stdout) as Entry[];
    expect(byKey.length).toBeGreaterThan(0);
    expect(byKey.every((e) => e.keys.includes("PROD_TOKEN"))).toBe(true);
    const dev = JSON.parse(ok(["audit", "show", "--env", "dev", "--json"], {}, host).stdout) as Entry[];
    expect(dev.every((e) => e.env === "dev")).toBe(true);
    expect(JSON.parse(ok(["audit", "show", "--since", "2999-01-01", "--json"], {}, host).stdout)).toEqual([]);
    expect(run(["audit", "show", "--since", "yesterday"], {}, host).status).toBe(2);
  });
});

describe("audit verify on a tampered log", () => {
  const tampered = (name: string, change: (lines: string[]) => void): string => {
    const lines = readFileSync(auditPath, "utf8").split("\n").slice(0, -1);
    change(lines);
    const path = join(suite.work, name);
    writeFileSync(path, `${lines.join("\n")}\n`);
    return path;
  };
  const verify = (path: string) => run(["audit", "verify"], { env: { GIT_VAULT_AUDIT_LOG: path } }, host);

  it("an edited line: exit 1 naming it", () => {
    const path = tampered("edited.jsonl", (l) => (l[2] = (l[2] as string).replace('"result":"ok"', '"result":"denied"')));
    const r = verify(path);
    expect([r.status, r.stdout]).toEqual([1, `${path}:3: its content does not match its hash (the line was edited)\n`]);
  });

  it("a deleted line", () => {
    const r = verify(tampered("deleted.jsonl", (l) => l.splice(3, 1)));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/:4: entries 4 before it are missing \(lines were removed\)\n$/);
  });

  it("a swapped pair", () => {
    const r = verify(tampered("swapped.jsonl", (l) => ([l[1], l[2]] = [l[2] as string, l[1] as string])));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/:2: entry 3 is out of order/);
  });
});

describe("concurrent writers", () => {
  it("4 processes writing at once leave every entry in one valid chain", async () => {
    const path = join(suite.work, "concurrent.jsonl");
    const env = { GIT_VAULT_AUDIT_LOG: path };
    const writer = async (): Promise<void> => {
      for (let i = 0; i < 4; i++) {
        const r = await log.vaultAsync(suite.sb, host, ["get", "DEV_TOKEN", "--reveal"], { env });
        expect(r.status, r.stderr).toBe(0);
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    const r = run(["audit", "verify", "--json"], { env }, host);
    expect(r.status, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, entries: 16 });
  }, 60_000);
});

describe("a log that cannot be written stops the operation", () => {
  it("get --reveal prints nothing and fails naming the log", () => {
    const blocker = join(suite.work, "not-a-folder");
    writeFileSync(blocker, "");
    const r = run(["get", "PROD_TOKEN", "--reveal", "--env", "prod"], { env: { GIT_VAULT_AUDIT_LOG: join(blocker, "audit.jsonl") } }, host);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`error: cannot write the audit log ${blocker}/audit.jsonl: a part of the path is not a folder\n`);
  });

  it("run does not start the command", () => {
    const marker = join(suite.work, "ran");
    const r = run(["run", "--", "touch", marker], { env: { GIT_VAULT_AUDIT_LOG: suite.work } }, host);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot write the audit log .*: it is a folder/);
    expect(existsSync(marker)).toBe(false);
  });

  it("textconv shows markers instead of values, and the diff still works", () => {
    const r = gitRun(suite.sb, vault, ["log", "-p", "--", ".env.prod"], { GIT_VAULT_AUDIT_LOG: suite.work });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("PROD_TOKEN=[git-vault: audit log not writable");
    expect(r.stdout).not.toContain(PROD_VALUE);
  });
});

describe("the policy hook", () => {
  let requests: string;
  /** Configures the hooks and allows them on this device (`policy allow`). */
  const config = (hooks: Record<string, string>): void => {
    writeFileSync(join(host, ".git-vaultrc.json"), JSON.stringify({ policyHook: hooks }));
    if (Object.values(hooks).every((h) => existsSync(join(host, h)))) ok(["policy", "allow"], {}, host);
  };
  const hook = (name: string, body: string): string => {
    const dir = join(host, "scripts");
    mkdirSync(dir, { recursive: true });
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return `./scripts/${name}`;
  };

  beforeAll(() => {
    requests = join(suite.work, "requests.jsonl");
    hook("deny", `cat >> "${requests}"; env > "${suite.work}/hook-env"; echo "prod needs approval from #ops" >&2; exit 1`);
    hook("allow", `cat >> "${requests}"; echo "approved by the test" >&2; exit 0`);
    hook("hang", "sleep 30");
  });

  it("a hook that exits 1 blocks get --reveal, decrypt and run for its env, with its message; the denial is audited", () => {
    config({ prod: "./scripts/deny" });
    const marker = join(suite.work, "ran-under-policy");
    for (const args of [["get", "PROD_TOKEN", "--reveal", "--env", "prod"], ["decrypt", "--env", "prod"], ["run", "--env", "prod", "--", "touch", marker]]) {
      const { r, added: got } = added(args, { env: { GIT_VAULT_IDENTITY_FILE: join(suite.sb.env["XDG_CONFIG_HOME"] as string, "git-vault", "identity") } });
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`error: ${args[0] === "get" ? "get --reveal" : args[0]} for env prod denied: the policy hook scripts/deny refused (exit 1):\nprod needs approval from #ops\n`);
      expect(got.map((e) => [e.result, e.error])).toEqual([["denied", "policy-denied"]]);
    }
    expect(existsSync(marker)).toBe(false);
    // dev has no hook
    expect(ok(["get", "DEV_TOKEN", "--reveal"], {}, host).stdout).toBe(`${DEV_VALUE}\n`);
  });

  it("the hook gets a JSON request with env, keys and command, no value, and no identity in its environment", () => {
    const [first] = readFileSync(requests, "utf8").trim().split("\n");
    expect(JSON.parse(first as string)).toMatchObject({ version: 1, command: "get --reveal", env: "prod", keys: ["PROD_TOKEN"], container: null, repo: host });
    log.assertNoSecretIn(readFileSync(requests, "utf8"), "the policy hook's requests");
    const hookEnv = readFileSync(join(suite.work, "hook-env"), "utf8");
    expect(hookEnv).not.toMatch(/^GIT_VAULT_/m);
    expect(hookEnv).toMatch(/^HOME=/m);
  });

  it("textconv shows markers for a denied env and the diff still works", () => {
    config({ prod: "./scripts/deny" });
    const r = gitRun(suite.sb, vault, ["log", "-p", "--", ".env.prod"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("PROD_TOKEN=[git-vault: denied by the policy hook");
    expect(r.stdout).not.toContain(PROD_VALUE);
  });

  it("`*` applies to every env; a hook that allows lets the value through and its message shows", () => {
    config({ "*": "./scripts/allow" });
    const r = ok(["get", "DEV_TOKEN", "--reveal"], {}, host);
    expect(r.stdout).toBe(`${DEV_VALUE}\n`);
    expect(r.stderr).toBe("approved by the test\n");
  });

  it("a hook that hangs is stopped by the timeout and counts as a denial", () => {
    config({ prod: "./scripts/hang" });
    const started = Date.now();
    const { r, added: got } = added(["get", "PROD_TOKEN", "--reveal", "--env", "prod"], { env: { GIT_VAULT_POLICY_TIMEOUT: "1" } });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error: get --reveal for env prod denied: the policy hook scripts/hang did not answer within 1 s\n");
    expect(got.map((e) => e.result)).toEqual(["denied"]);
  });

  it("a hook that came with the configuration runs only once allowed, and again only after a change is allowed", () => {
    const ran = join(suite.work, "unallowed-ran");
    hook("new", `touch "${ran}"; exit 0`);
    writeFileSync(join(host, ".git-vaultrc.json"), JSON.stringify({ policyHook: { prod: "./scripts/new" } }));
    const denied = run(["get", "PROD_TOKEN", "--reveal", "--env", "prod"], {}, host);
    expect([denied.status, denied.stdout, existsSync(ran)]).toEqual([1, "", false]);
    expect(denied.stderr).toContain("error: get --reveal for env prod denied: the policy hook scripts/new is not allowed on this device yet\n");
    expect(denied.stderr).toContain("run `git vault policy allow`");
    const textconv = gitRun(suite.sb, vault, ["log", "-p", "--", ".env.prod"]);
    expect([textconv.status, existsSync(ran)]).toEqual([0, false]);
    expect(textconv.stdout).toContain("PROD_TOKEN=[git-vault: denied by the policy hook");
    expect(ok(["policy", "allow"], {}, host).stderr).toMatch(/^allowed .*scripts\/new \(sha256 [0-9a-f]{16}…\)\n$/);
    expect(ok(["get", "PROD_TOKEN", "--reveal", "--env", "prod"], {}, host).stdout).toBe(`${PROD_VALUE}\n`);
    expect(existsSync(ran)).toBe(true);
    hook("new", `touch "${ran}-changed"; exit 0`);
    const changed = run(["get", "PROD_TOKEN", "--reveal", "--env", "prod"], {}, host);
    expect([changed.status, existsSync(`${ran}-changed`)]).toEqual([1, false]);
    expect(changed.stderr).toContain("the policy hook scripts/new is not allowed on this device since it changed\n");
  });

  it("a hook that does not exist denies (fails closed)", () => {
    config({ prod: "./scripts/missing" });
    const r = run(["get", "PROD_TOKEN", "--reveal", "--env", "prod"], {}, host);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the policy hook scripts/missing could not be started (ENOENT)");
    writeFileSync(join(host, ".git-vaultrc.json"), "{}");
  });
});
