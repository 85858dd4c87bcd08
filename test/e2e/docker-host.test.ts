// Remote-daemon safety of `docker exec` / `docker build`, and what the docker
// client is handed, through a recording stand-in client: one machine cannot
// show a remote tcp:// daemon (DECISIONS D7). The stand-in writes its argv and
// environment to a file, so a test can tell it was never called.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;

const A_VALUE = log.secret("host-check-secret-value", "the value of A");
let file: string;
let bin: string;
let record: string;
let identityPath: string;

/** Runs git vault with the stand-in docker first on PATH. */
function withStandIn(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  return run(args, { env: { PATH: `${bin}:${suite.sb.env["PATH"] ?? ""}`, ...env } }, cwd);
}

const called = (): boolean => existsSync(record);
const recorded = (): { argv: string[]; env: string } => {
  const [argv = "", env = ""] = readFileSync(record, "utf8").split("\n--env--\n");
  return { argv: argv.split("\n").filter((a) => a !== ""), env };
};

/** The stand-in client: its argv, a separator line, then its environment, to `record`. */
const recordingClient = (): string => `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}"\nprintf '\\n--env--\\n' >> "${record}"\nenv >> "${record}"\n`;

/** A docker context in a DOCKER_CONFIG folder, as `docker context create` stores it. */
function context(configDir: string, name: string, host: string, options: { tls?: boolean; skipVerify?: boolean } = {}): void {
  const id = createHash("sha256").update(name).digest("hex");
  mkdirSync(join(configDir, "contexts", "meta", id), { recursive: true });
  writeFileSync(join(configDir, "contexts", "meta", id, "meta.json"), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: options.skipVerify ?? false } } }));
  if (options.tls) {
    mkdirSync(join(configDir, "contexts", "tls", id, "docker"), { recursive: true });
    writeFileSync(join(configDir, "contexts", "tls", id, "docker", "ca.pem"), "not a real certificate\n");
  }
}

beforeAll(() => {
  ({ identityPath } = suite.keygen());
  file = join(suite.work, "app.env");
  ok(["set", "A", "--file", file], { input: A_VALUE });
  bin = suite.sb.dir("stand-in");
  record = join(suite.work, "docker-called");
  writeFileSync(join(bin, "docker"), recordingClient(), { mode: 0o755 });
});

beforeEach(() => rmSync(record, { force: true }));

const exec = (...options: string[]): string[] => ["docker", "exec", "--file", file, ...options, "--only", "A", "web", "--", "printenv", "A"];

describe("an insecure daemon is refused before any value is handed to the client", () => {
  it("DOCKER_HOST=tcp://127.0.0.1:2375: exit 1, an actionable error, the client never called", () => {
    for (const args of [exec(), ["docker", "build", "--file", file, "--", "-t", "app", "."]]) {
      const r = withStandIn(args, { DOCKER_HOST: "tcp://127.0.0.1:2375" });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("error: refusing to send secrets to the docker daemon tcp://127.0.0.1:2375 (from DOCKER_HOST): it is reached over TCP without TLS verification");
      expect(r.stderr).toContain("hint: use TLS (DOCKER_TLS_VERIFY=1");
      expect(r.stderr).toContain("--allow-insecure-docker-host");
      expect(called(), args.join(" ")).toBe(false);
    }
  });

  it("the current docker context, DOCKER_CONTEXT and --context are resolved as the client does", () => {
    const config = suite.sb.dir("docker-config");
    context(config, "plain", "tcp://10.1.2.3:2375");
    context(config, "skips", "tcp://10.1.2.3:2376", { tls: true, skipVerify: true });
    context(config, "secure", "tcp://10.1.2.3:2376", { tls: true });
    writeFileSync(join(config, "config.json"), JSON.stringify({ currentContext: "plain" }));
    const env = { DOCKER_CONFIG: config };
    const current = withStandIn(exec(), env);
    expect([current.status, called()]).toEqual([1, false]);
    expect(current.stderr).toContain("tcp://10.1.2.3:2375 (from the current docker context plain)");
    const skips = withStandIn(exec(), { ...env, DOCKER_CONTEXT: "skips" });
    expect([skips.status, called()]).toEqual([1, false]);
    expect(skips.stderr).toContain("(from DOCKER_CONTEXT=skips)");
    const secure = withStandIn(["docker", "exec", "--context", "secure", "--file", file, "web", "--", "true"], env);
    expect(secure.status, secure.stderr).toBe(0);
    expect(secure.stderr).toBe("note: the docker daemon is remote: tcp://10.1.2.3:2376 (from --context secure); the values go to it over TLS\n");
    expect(recorded().argv.slice(0, 5)).toEqual(["--context", "secure", "exec", "-e", "A"]);
    const missing = withStandIn(["docker", "exec", "--context", "nope", "--file", file, "web", "--", "true"], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("error: docker context nope (--context nope) does not exist");
  });

  it("--allow-insecure-docker-host or docker.allowInsecureHost lets it through, with a note", () => {
    const r = withStandIn(exec("--allow-insecure-docker-host"), { DOCKER_HOST: "tcp://127.0.0.1:2375" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("note: the docker daemon is remote: tcp://127.0.0.1:2375 (from DOCKER_HOST); the values go to it over TCP WITHOUT TLS verification");
    rmSync(record);
    const dir = suite.sb.dir("allowing");
    writeFileSync(join(dir, ".git-vaultrc.json"), JSON.stringify({ docker: { allowInsecureHost: true } }));
    expect(withStandIn(exec(), { DOCKER_HOST: "tcp://127.0.0.1:2375" }, dir).status).toBe(0);
    expect(called()).toBe(true);
  });

  it("ssh:// and TLS-verified tcp:// pass with a note naming the daemon; a unix socket passes silently", () => {
    const ssh = withStandIn(exec(), { DOCKER_HOST: "ssh://deploy@build-host" });
    expect([ssh.status, ssh.stderr]).toEqual([0, "note: the docker daemon is remote: ssh://deploy@build-host (from DOCKER_HOST); the values go to it over ssh\n"]);
    const tls = withStandIn(exec(), { DOCKER_HOST: "tcp://10.0.0.9:2376", DOCKER_TLS_VERIFY: "1" });
    expect([tls.status, tls.stderr]).toEqual([0, "note: the docker daemon is remote: tcp://10.0.0.9:2376 (from DOCKER_HOST); the values go to it over TLS\n"]);
    const unix = withStandIn(exec(), { DOCKER_HOST: "unix:///run/user/1000/docker.sock" });
    expect([unix.status, unix.stderr]).toEqual([0, ""]);
  });
});

describe("what the docker client is handed", () => {
  it("exec: `-e KEY` without a value in argv; the value, and none of git-vault's variables, in its environment", () => {
    const r = withStandIn(["docker", "exec", "-i", "-t", "-u", "app", "-w", "/srv", "--file", file, "web", "--", "printenv", "A"], { GIT_VAULT_IDENTITY_FILE: identityPath, KEEP_ME: "mine" });
    expect(r.status, r.stderr).toBe(0);
    const { argv, env } = recorded();
    expect(argv).toEqual(["exec", "-i", "-t", "-u", "app", "-w", "/srv", "-e", "A", "web", "printenv", "A"]);
    expect(env).toContain(`\nA=${A_VALUE}\n`);
    expect(env).toContain("\nKEEP_ME=mine\n");
    expect(env).not.toMatch(/^GIT_VAULT_/m);
  });

  it("build: --secret id=KEY,env=KEY before the user's arguments, BuildKit on, the value in the environment only", () => {
    const r = withStandIn(["docker", "build", "--file", file, "--", "--network=none", "-t", "app", "."]);
    expect(r.status, r.stderr).toBe(0);
    const { argv, env } = recorded();
    expect(argv).toEqual(["build", "--secret", "id=A,env=A", "--network=none", "-t", "app", "."]);
    expect(env).toContain(`\nA=${A_VALUE}\n`);
    expect(env).toContain("\nDOCKER_BUILDKIT=1\n");
  });

  it("exit codes pass through, and usage errors are caught before anything runs", () => {
    writeFileSync(join(bin, "docker"), "#!/bin/sh\nexit 42\n", { mode: 0o755 });
    try {
      expect(withStandIn(exec()).status).toBe(42);
    } finally {
      writeFileSync(join(bin, "docker"), recordingClient(), { mode: 0o755 });
    }
    const cleanupAlone = withStandIn(["docker", "exec", "--cleanup", "--file", file, "web", "--", "true"]);
    expect([cleanupAlone.status, called()]).toEqual([2, false]);
    expect(cleanupAlone.stderr).toContain("--dir, --cleanup and --allow-disk go with --as-files");
    const relative = withStandIn(["docker", "exec", "--as-files", "--dir", "secrets", "--file", file, "web", "--", "true"]);
    expect([relative.status, called()]).toEqual([2, false]);
    expect(withStandIn(["docker", "build", "--file", file]).status).toBe(2);
    const noCommand = withStandIn(["docker", "exec", "--file", file, "web"]);
    expect([noCommand.status, noCommand.stderr, called()]).toEqual([2, "error: no command given\nhint: put it after the container and --: git vault docker exec CONTAINER -- COMMAND [ARGS...]\n", false]);
  });

  it("--container NAME names the container as the specification writes it", () => {
    expect(withStandIn(["docker", "exec", "--file", file, "--container", "web", "--", "env"]).status).toBe(0);
    expect(recorded().argv).toEqual(["exec", "-e", "A", "web", "env"]);
  });

  it("the policy hook is asked with the container, before the client is called", () => {
    const dir = suite.sb.dir("docker-policy");
    const requests = join(dir, "requests");
    writeFileSync(join(dir, "hook"), `#!/bin/sh\ncat > "${requests}"\necho "no containers today" >&2\nexit 3\n`, { mode: 0o755 });
    writeFileSync(join(dir, ".git-vaultrc.json"), JSON.stringify({ policyHook: "./hook" }));
    ok(["policy", "allow"], {}, dir);
    const r = withStandIn(exec(), {}, dir);
    expect([r.status, called()]).toEqual([1, false]);
    expect(r.stderr).toContain(`error: docker exec for ${file} denied: the policy hook hook refused (exit 3):\nno containers today\n`);
    expect(JSON.parse(readFileSync(requests, "utf8"))).toMatchObject({ command: "docker exec", keys: ["A"], container: "web", env: null });
  });
});

describe("doctor", () => {
  it("names the insecure daemon without failing on anything else, and accepts docker.allowInsecureHost", () => {
    const dir = suite.sb.dir("doctor-docker");
    suite.sb.git(dir, "init", "-q");
    const r = run(["doctor", "--json", "--file", file], { env: { DOCKER_HOST: "tcp://127.0.0.1:2375" } }, dir);
    const problems = (JSON.parse(r.stdout) as { problems: { id: string; message: string }[] }).problems;
    const insecure = problems.find((p) => p.id === "docker-host-insecure");
    expect(insecure?.message).toContain("DOCKER_HOST=tcp://127.0.0.1:2375 without TLS verification: `git vault docker exec` and `docker build` refuse to send secrets there");
    writeFileSync(join(dir, ".git-vaultrc.json"), JSON.stringify({ docker: { allowInsecureHost: true } }));
    const allowed = run(["doctor", "--json", "--file", file], { env: { DOCKER_HOST: "tcp://127.0.0.1:2375" } }, dir);
    expect((JSON.parse(allowed.stdout) as { problems: { id: string }[] }).problems.map((p) => p.id)).not.toContain("docker-host-insecure");
  });

  it("a broken docker configuration is one finding; the other checks still run", () => {
    const config = suite.sb.dir("broken-docker-config");
    writeFileSync(join(config, "config.json"), "{ not json");
    const dir = suite.sb.dir("doctor-docker");
    const r = run(["doctor", "--json", "--file", file], { env: { DOCKER_CONFIG: config } }, dir);
    const report = JSON.parse(r.stdout) as { status: unknown; problems: { id: string; message: string }[] };
    expect(report.status).toBeTruthy();
    expect(report.problems).toContainEqual(expect.objectContaining({ id: "docker-config", message: `cannot read ${config}/config.json (the docker client's configuration)` }));
  });
});
