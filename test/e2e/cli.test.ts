// The start-up fast paths must print exactly what the full CLI would.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, makeSandbox, repoRoot } from "../support/sandbox.js";

let sb: Sandbox;
beforeAll(() => {
  sb = makeSandbox();
});
afterAll(() => sb.cleanup());

describe("start-up fast paths", () => {
  it("--version prints the package version", () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) {
      const r = sb.vault(sb.root, [flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`git-vault ${version}\n`);
    }
  });

  it("--help prints the same text as the full CLI's help, coloured only when asked", () => {
    const full = sb.vault(sb.root, ["help"]);
    expect(full.status).toBe(0);
    expect(full.stdout).toContain("git vault set");
    expect(sb.vault(sb.root, ["--help"]).stdout).toBe(full.stdout);
    expect(sb.vault(sb.root, ["-h"]).stdout).toBe(full.stdout);
    const coloured = sb.vault(sb.root, ["--help"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    expect(coloured.stdout).toContain("\u001b[");
    expect(coloured.stdout).toBe(sb.vault(sb.root, ["help"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } }).stdout);
  });

  it("the man page lists every command", () => {
    const man = readFileSync(join(repoRoot, "man", "git-vault.1"), "utf8");
    for (const command of ["init", "set", "get", "run", "verify", "recipients add", "textconv", "merge-driver", "doctor", "status"]) {
      expect(man).toContain(`git vault ${command}`);
    }
  });
});
