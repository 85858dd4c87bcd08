// The start-up fast paths must print exactly what the full CLI would.
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    expect(full.stdout).toContain("git vault set [--file,-f PATH] [--vault-dir DIR] [--env,-e NAME]");
    // Option values are named everywhere, never clipanion's "#0".
    for (const args of [["help"], ["set", "--help"], ["verify", "--help"], ["get", "--bogus"], ["__man"]]) {
      const r = sb.vault(sb.root, args);
      expect(r.stdout + r.stderr, args.join(" ")).not.toContain("#0");
    }
    expect(sb.vault(sb.root, ["--help"]).stdout).toBe(full.stdout);
    expect(sb.vault(sb.root, ["-h"]).stdout).toBe(full.stdout);
    const coloured = sb.vault(sb.root, ["--help"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    expect(coloured.stdout).toContain("\u001b[");
    expect(coloured.stdout).toBe(sb.vault(sb.root, ["help"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } }).stdout);
  });

  it("textconv FILE (its CommonJS bundle) prints what the full CLI's textconv prints", () => {
    const dir = sb.repo("textconv");
    expect(sb.vault(dir, ["keygen"]).status).toBe(0);
    const file = `${dir}/.env.dev`;
    writeFileSync(file, "A=alpha-1\nB='b c'\nPLAIN=\n"); // encrypt adds a header naming our recipient
    expect(sb.vault(dir, ["encrypt", "--file", file]).status).toBe(0);
    writeFileSync(file, `${readFileSync(file, "utf8")}BROKEN=encrypted:gv1:00000000:AAAA\nOPEN=plain-2\n`);
    for (const env of [{}, { XDG_CONFIG_HOME: sb.dir("no-identity") }]) {
      const fast = sb.vault(dir, ["textconv", file], { env });
      // "--" keeps the same command off the fast path (three arguments).
      const full = sb.vault(dir, ["textconv", "--", file], { env });
      expect(fast.status).toBe(0);
      expect(full.status).toBe(0);
      expect(fast.stdout).toBe(full.stdout);
      expect(fast.stderr).toBe(full.stderr);
    }
    const shown = sb.vault(dir, ["textconv", file]).stdout;
    expect(shown).toContain("A=alpha-1\n");
    expect(shown).toContain("OPEN=plain-2\n");
    expect(shown).toMatch(/^BROKEN=\[git-vault: [^\]]+\]$/m);
    // An option is not a path: `textconv --help` is the command's help, as for every command.
    for (const flag of ["--help", "-h"]) {
      const help = sb.vault(dir, ["textconv", flag]);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^Print an env file with values decrypted/);
      expect(help.stdout).toContain("Examples");
    }
  });

  it("the code caches are accepted by this Node, and the commands print the same without them or with broken ones", () => {
    const dist = join(repoRoot, "dist");
    for (const name of ["textconv", "cli", "crypto"]) {
      // A plain node process (vitest's workers run with other flags, which V8 checks).
      const probe = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          'import { readFileSync } from "node:fs"; const [, module, bundle, cache] = process.argv; const { compileBundle } = await import(module); console.log(compileBundle(bundle, readFileSync(cache)).cachedDataRejected);',
          join(repoRoot, "src", "launcher", "code-cache.mjs"),
          join(dist, `${name}.cjs`),
          join(dist, `${name}.ccache`),
        ],
        { encoding: "utf8", env: sb.env },
      );
      expect(probe.stderr, name).toBe("");
      expect(probe.stdout, name).toBe("false\n");
    }

    const dir = sb.repo("code-cache");
    expect(sb.vault(dir, ["keygen"]).status).toBe(0);
    const file = join(dir, ".env.dev");
    writeFileSync(file, "A=alpha-1\nB=beta-2\n");
    expect(sb.vault(dir, ["encrypt", "--file", file]).status).toBe(0);
    const commands = [
      ["textconv", file],
      ["get", "B", "--reveal", "--file", file],
      ["list", "--file", file],
    ];
    const expected = commands.map((args) => sb.vault(dir, args));
    expect(expected.map((r) => r.status)).toEqual([0, 0, 0]);
    expect(expected[0]!.stdout).toContain("B=beta-2\n");
    expect(expected[1]!.stdout).toBe("beta-2\n");
    const copy = sb.dir("dist-copy");
    cpSync(dist, copy, { recursive: true });
    const run = (args: string[]) => spawnSync(process.execPath, [join(copy, "bin.cjs"), ...args], { cwd: dir, encoding: "utf8", env: sb.env });
    for (const damage of [(cache: string) => writeFileSync(cache, "not bytecode"), (cache: string) => rmSync(cache)]) {
      for (const name of ["textconv", "cli", "crypto"]) damage(join(copy, `${name}.ccache`));
      commands.forEach((args, i) => {
        expect(run(args), args[0]).toMatchObject({ status: 0, stdout: expected[i]!.stdout, stderr: expected[i]!.stderr });
      });
    }
  });

  it("the build gives age-encryption node:crypto primitives: no noble module is bundled", () => {
    const dist = join(repoRoot, "dist");
    const bundled = readdirSync(dist)
      .filter((name) => /\.c?js$/.test(name))
      .flatMap((name) => [...readFileSync(join(dist, name), "utf8").matchAll(/^\/\/ (node_modules\/@noble\/[^\n]+)$/gm)].map((m) => m[1]));
    expect(bundled).toEqual([]);
    expect(readFileSync(join(dist, "textconv.cjs"), "utf8")).toContain("// src/crypto/primitives/chacha.ts");
  });

  it("the man page lists every command", () => {
    const man = readFileSync(join(repoRoot, "man", "git-vault.1"), "utf8");
    for (const command of ["init", "set", "get", "run", "verify", "recipients add", "textconv", "merge-driver", "doctor", "status"]) {
      expect(man).toContain(`git vault ${command}`);
    }
  });
});
