// `git vault docker exec` and `docker build` against the real Docker engine
// (DECISIONS D7; .ci/run installs and starts it): what the container gets,
// what the host's process list and `docker inspect` show, files on a tmpfs,
// and build secrets that stay out of the image.
import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_IMAGE, docker, dockerUnavailable, ensureTestImage, startContainer } from "../support/docker.js";
import { cliSuite } from "../support/suite.js";

const unavailable = dockerUnavailable();
if (unavailable !== null) console.warn(`SKIPPED: the Docker engine tests: ${unavailable} (CI starts an engine; see .ci/run)`);

const suite = cliSuite();
const { log, run, ok } = suite;

const A_VALUE = log.secret("docker-a-secret-value", "the value of A");
const B_VALUE = log.secret("docker-b-secret-value", "the value of B");
const ML_VALUE = log.secret("docker-multi\nline secret with 'quotes' and \"more\"", "the multi-line value");
const BUILD_VALUE = log.secret("docker-build-secret-value-0123456789", "the build secret");
const container = `git-vault-test-${process.pid}`;
let file: string;

describe.skipIf(unavailable !== null)("on a real Docker engine", () => {
  beforeAll(() => {
    suite.keygen();
    file = join(suite.work, "app.env");
    ok(["set", "A", "--file", file], { input: A_VALUE });
    ok(["set", "B", "--file", file], { input: B_VALUE });
    ok(["set", "ML", "--file", file], { input: `${ML_VALUE}\n` });
    ensureTestImage();
    startContainer(container);
  }, 120_000);

  afterAll(() => {
    docker(["rm", "-f", container]);
    docker(["rmi", "-f", `${TEST_IMAGE}-built-${process.pid}`]);
  });

  describe("docker exec", () => {
    it("the container gets exactly the --only keys, as variables", () => {
      const r = ok(["docker", "exec", "--file", file, "--only", "A,ML", container, "--", "env"]);
      const env = r.stdout;
      expect(env).toContain(`A=${A_VALUE}\n`);
      expect(env).toContain(`ML=${ML_VALUE}\n`);
      expect(env).not.toContain(B_VALUE);
      expect(env).not.toMatch(/^B=/m);
    });

    it("--group passes the keys of a group of the secrets manifest, and a group naming a missing key starts nothing", () => {
      const dir = suite.sb.dir("docker-group");
      writeFileSync(join(dir, ".git-vaultrc.json"), JSON.stringify({ groups: { deploy: ["B"], broken: ["B", "NOPE"] } }));
      const env = ok(["docker", "exec", "--file", file, "--group", "deploy", container, "--", "env"], {}, dir).stdout;
      expect(env).toContain(`B=${B_VALUE}\n`);
      expect(env).not.toMatch(/^A=/m);
      expect(env).not.toMatch(/^ML=/m);
      const r = run(["docker", "exec", "--file", file, "--group", "broken", container, "--", "touch", "/tmp/group-ran"], {}, dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("no key NOPE");
      expect(docker(["exec", container, "ls", "/tmp/group-ran"]).status).not.toBe(0);
    });

    it("while it runs, no process on the host has a value in its argv, and docker inspect shows none", async () => {
      const running = log.vaultAsync(suite.sb, suite.work, ["docker", "exec", "--file", file, container, "--", "sleep", "3"]);
      const seen = new Set<string>();
      let scans = 0;
      const deadline = Date.now() + 2500;
      while (Date.now() < deadline) {
        for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
          let cmdline: string;
          try {
            cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
          } catch {
            continue;
          }
          if (cmdline.includes("docker") && cmdline.includes(container)) seen.add(cmdline.split("\0").join(" "));
          for (const value of [A_VALUE, B_VALUE, ML_VALUE]) expect(cmdline.includes(value), `a value in the argv of pid ${pid}`).toBe(false);
        }
        scans++;
        await new Promise((r) => setTimeout(r, 50));
      }
      // The docker client was running during the scans, with `-e KEY` and no value.
      expect([...seen].some((c) => / exec -e A -e B -e ML /.test(c)), [...seen].join("\n")).toBe(true);
      expect(scans).toBeGreaterThan(5);
      const inspect = docker(["inspect", container]);
      expect(inspect.status).toBe(0);
      for (const value of [A_VALUE, B_VALUE]) expect(inspect.stdout).not.toContain(value);
      const r = await running;
      expect(r.status, r.stderr).toBe(0);
    }, 30_000);

    it("returns the command's exit code, and audits the access with the container", () => {
      const r = run(["docker", "exec", "--file", file, "--only", "A", container, "--", "sh", "-c", "exit 7"]);
      expect(r.status).toBe(7);
      const entries = readFileSync(join(suite.sb.env["XDG_STATE_HOME"] as string, "git-vault", "audit.jsonl"), "utf8").trim().split("\n");
      expect(JSON.parse(entries.at(-1) as string)).toMatchObject({ command: "docker exec", keys: ["A"], container, result: "ok" });
    });

    it("passes stdin with -i", () => {
      const r = ok(["docker", "exec", "-i", "--file", file, "--only", "A", container, "--", "cat"], { input: "from stdin\n" });
      expect(r.stdout).toBe("from stdin\n");
    });
  });

  describe("--as-files", () => {
    it("writes 0400 files on the tmpfs, byte for byte, and --cleanup removes them", () => {
      const r = ok(["docker", "exec", "--file", file, "--as-files", "--cleanup", container, "--", "sh", "-c", "stat -c '%a %U' /run/secrets/A /run/secrets/ML; grep ' /run/secrets ' /proc/mounts; cat /run/secrets/ML; env"]);
      const [modeA, modeML, mount] = r.stdout.split("\n");
      expect([modeA, modeML]).toEqual(["400 root", "400 root"]);
      expect(mount).toMatch(/^tmpfs \/run\/secrets tmpfs /);
      expect(r.stdout).toContain(`\n${ML_VALUE}`);
      expect(r.stdout).not.toMatch(/^A=/m); // files, not variables
      expect(docker(["exec", container, "ls", "-A", "/run/secrets"]).stdout).toBe("");
    });

    it("the files belong to the exec user", () => {
      const r = ok(["docker", "exec", "--file", file, "--only", "A", "--as-files", "--cleanup", "-u", "nobody", container, "--", "sh", "-c", "stat -c '%a %U' /run/secrets/A; cat /run/secrets/A"]);
      expect(r.stdout).toBe(`400 nobody\n${A_VALUE}`);
    });

    it("without --cleanup the files stay for the container's processes", () => {
      ok(["docker", "exec", "--file", file, "--only", "B", "--as-files", "--dir", "/run/secrets/app", container, "--", "true"]);
      expect(docker(["exec", container, "cat", "/run/secrets/app/B"]).stdout).toBe(B_VALUE);
      docker(["exec", container, "rm", "-rf", "/run/secrets/app"]);
    });

    it("a folder that is not a tmpfs is refused before any value is sent; --allow-disk accepts it", () => {
      const r = run(["docker", "exec", "--file", file, "--as-files", "--dir", "/tmp/secrets", container, "--", "touch", "/tmp/ran"]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`error: /tmp/secrets in container ${container} is on overlay, not a tmpfs: secret files there would be written to disk\n`);
      expect(docker(["exec", container, "ls", "/tmp/secrets/A"]).status).not.toBe(0);
      expect(docker(["exec", container, "ls", "/tmp/ran"]).status).not.toBe(0);
      ok(["docker", "exec", "--file", file, "--only", "A", "--as-files", "--allow-disk", "--cleanup", "--dir", "/tmp/secrets", container, "--", "true"]);
    });
  });

  describe("docker build", () => {
    it("a build secret reaches the RUN step, and neither docker history nor docker save contains it", () => {
      const context = suite.sb.dir("build");
      writeFileSync(join(context, "Dockerfile"), `FROM ${TEST_IMAGE}\nRUN --mount=type=secret,id=BUILD_TOKEN sh -c 'wc -c < /run/secrets/BUILD_TOKEN > /token-length'\n`);
      ok(["set", "BUILD_TOKEN", "--file", file], { input: BUILD_VALUE });
      // BuildKit needs Debian's own client (the 28.x client wants buildx, which is not here).
      const bin = suite.sb.dir("buildkit-client");
      if (!existsSync(join(bin, "docker"))) symlinkSync("/usr/bin/docker", join(bin, "docker"));
      const tag = `${TEST_IMAGE}-built-${process.pid}`;
      const r = run(["docker", "build", "--file", file, "--only", "BUILD_TOKEN", "--", "--network=none", "--no-cache", "-t", tag, context], {
        env: { PATH: `${bin}:${suite.sb.env["PATH"] ?? ""}` },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(docker(["run", "--rm", "--network", "none", tag, "cat", "/token-length"]).stdout.trim()).toBe(String(BUILD_VALUE.length));
      const history = docker(["history", "--no-trunc", tag]);
      expect(history.status).toBe(0);
      expect(history.stdout).toContain("/run/secrets/BUILD_TOKEN > /token-length"); // the step is there, its secret is not
      expect(history.stdout).not.toContain(BUILD_VALUE);
      const saved = docker(["save", tag]);
      expect(saved.status).toBe(0);
      expect(saved.stdout.length).toBeGreaterThan(1000);
      expect(saved.stdout.includes(BUILD_VALUE)).toBe(false);
    }, 120_000);
  });

  it("the audit log holds an entry per docker exec and build, verifies, and holds no value", () => {
    const text = readFileSync(join(suite.sb.env["XDG_STATE_HOME"] as string, "git-vault", "audit.jsonl"), "utf8");
    log.assertNoSecretIn(text, "the audit log");
    const commands = text.trim().split("\n").map((l) => (JSON.parse(l) as { command: string }).command);
    expect(commands.filter((c) => c === "docker build")).toHaveLength(1);
    expect(commands.filter((c) => c === "docker exec").length).toBeGreaterThanOrEqual(9);
    ok(["audit", "verify"]);
  });

  describe("the policy hook", () => {
    it("a hook that exits 1 blocks docker exec with its message, and nothing runs", () => {
      const hook = join(suite.work, "deny-all");
      writeFileSync(hook, "#!/bin/sh\necho 'containers need approval' >&2\nexit 1\n", { mode: 0o755 });
      const dir = suite.sb.dir("policy");
      writeFileSync(join(dir, ".git-vaultrc.json"), JSON.stringify({ policyHook: { "*": hook } }));
      ok(["policy", "allow"], {}, dir);
      const r = run(["docker", "exec", "--file", file, container, "--", "touch", "/tmp/policy-ran"], {}, dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("denied: the policy hook");
      expect(r.stderr).toContain("containers need approval\n");
      expect(docker(["exec", container, "ls", "/tmp/policy-ran"]).status).not.toBe(0);
    });
  });
});
