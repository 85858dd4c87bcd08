// The real Docker engine for the container tests (DECISIONS D7): whether one
// answers, an image made without a registry (a busybox root folder through
// `docker import`), and throwaway containers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TEST_IMAGE = "local/busybox:git-vault-test";
const APPLETS = ["sh", "env", "cat", "ls", "mount", "sleep", "rm", "mkdir", "chmod", "dd", "stat", "id", "wc", "test", "grep", "true", "echo"];

/** Runs the docker client (`docker` on PATH unless named); never throws. */
export function docker(args: readonly string[], options: { input?: string; client?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(options.client ?? "docker", args, { encoding: "utf8", input: options.input ?? "", env: { ...process.env, ...options.env }, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Why the engine cannot be used here, or null when it can. In CI (CI=true)
 * the engine must be there: .ci/run starts it, so a missing one fails.
 */
export function dockerUnavailable(): string | null {
  const info = docker(["info", "--format", "{{.ServerVersion}}"]);
  if (info.status === 0) return null;
  const why = `no Docker engine answers (docker info: ${(info.stderr.trim().split("\n")[0] ?? "").slice(0, 200)})`;
  if (process.env["CI"]) throw new Error(`${why}: .ci/run starts one; in CI the container tests must run`);
  return why;
}

/** The busybox binary to build the test image from. */
function busybox(): string {
  for (const path of ["/usr/bin/busybox", "/bin/busybox"]) if (existsSync(path)) return path;
  throw new Error("busybox not found: apt-get install busybox-static");
}

/** Makes the test image from a busybox root folder when it is not there yet. */
export function ensureTestImage(): void {
  if (docker(["image", "inspect", TEST_IMAGE]).status === 0) return;
  const root = mkdtempSync(join(tmpdir(), "git-vault-image-"));
  try {
    for (const dir of ["bin", "tmp", "run", "proc", "dev", "sys", "etc"]) mkdirSync(join(root, dir));
    spawnSync("cp", [busybox(), join(root, "bin", "busybox")]);
    for (const applet of APPLETS) symlinkSync("busybox", join(root, "bin", applet));
    writeFileSync(join(root, "etc", "passwd"), "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
    writeFileSync(join(root, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
    const tar = spawnSync("tar", ["-C", root, "-c", "."], { maxBuffer: 64 * 1024 * 1024 });
    const imported = spawnSync("docker", ["import", "-", TEST_IMAGE], { input: tar.stdout, encoding: "utf8" });
    if (imported.status !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Starts a container that sleeps, with no network and a tmpfs at /run/secrets; returns its name. */
export function startContainer(name: string): string {
  docker(["rm", "-f", name]);
  const r = docker(["run", "-d", "--name", name, "--network", "none", "--tmpfs", "/run/secrets", TEST_IMAGE, "sleep", "3600"]);
  if (r.status !== 0) throw new Error(`docker run failed: ${r.stderr}`);
  return name;
}
