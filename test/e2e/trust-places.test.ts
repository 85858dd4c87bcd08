// The trust store keys an env file by its vault's origin (or first commit)
// and, for a submodule, the host's `.gitmodules` URL and origin. Working
// that out takes git processes; a command over every env file of a vault
// asks git about the vault once, and the records it keeps are the same.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVaultHost } from "../support/git.js";
import { type Sandbox, makeSandbox } from "../support/sandbox.js";

let sb: Sandbox;
let host: string;
let vault: string;
let logFile: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  sb = makeSandbox({ allowFileTransport: true });
  ({ host, vault } = makeVaultHost(sb));
  sb.git(vault, "remote", "set-url", "origin", "https://git.example.test/team/vault.git");
  // init made .env.dev with this device as recipient; the other two list it too.
  const header = readFileSync(join(vault, ".env.dev"), "utf8").split("\n").filter((l) => l.startsWith("#")).join("\n");
  for (const name of ["dev", "prod", "ci"]) writeFileSync(join(vault, `.env.${name}`), `${header}\nA_${name.toUpperCase()}=plain-${name}\n`);
  // git as git-vault finds it on PATH, logging each command line it is given.
  const real = sb.git(host, "--exec-path").trim().replace(/\/lib\/git-core$/, "/bin/git");
  const bin = sb.dir("logging-bin");
  logFile = join(sb.root, "git-calls.log");
  writeFileSync(join(bin, "git"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${logFile}'\nexec '${real}' "$@"\n`);
  chmodSync(join(bin, "git"), 0o755);
  env = { PATH: `${bin}:${sb.env["PATH"] ?? ""}` };
});
afterAll(() => sb.cleanup());

function calls(run: () => void): string[] {
  writeFileSync(logFile, "");
  run();
  return readFileSync(logFile, "utf8").split("\n").filter((l) => l !== "");
}

describe("trust places", () => {
  it("encrypt --all over three env files asks git about the vault and its host once, and records each file under the vault's origin", () => {
    const lines = calls(() => {
      const r = sb.vault(host, ["encrypt", "--all"], { env });
      expect(r.status, r.stderr).toBe(0);
      // init recorded .env.dev under the vault's old origin: under the new one, all three are new.
      expect(r.stderr.match(/trust: first use of [^:]+/g)).toEqual(["trust: first use of vault/.env.ci", "trust: first use of vault/.env.dev", "trust: first use of vault/.env.prod"]);
    });
    expect(lines.filter((l) => l.startsWith("rev-parse --show-toplevel --show-superproject-working-tree"))).toHaveLength(1);
    expect(lines.filter((l) => l === "remote get-url -- origin")).toHaveLength(2); // the vault's, then the host's
    expect(lines.filter((l) => l.startsWith("config --file") && l.includes(".gitmodules"))).toHaveLength(1);

    const store = JSON.parse(readFileSync(join(sb.env["XDG_STATE_HOME"] as string, "git-vault", "trust.json"), "utf8")) as {
      vaults: Record<string, { files: Record<string, unknown> }>;
      hosts: Record<string, Record<string, string>>;
    };
    expect(Object.keys(store.vaults).sort()).toEqual([`remote:${join(sb.root, "secrets.git")}`, "remote:https://git.example.test/team/vault.git"]);
    expect(Object.keys(store.vaults["remote:https://git.example.test/team/vault.git"]?.files ?? {}).sort()).toEqual([".env.ci", ".env.dev", ".env.prod"]);
    // The host has no origin and one commit: its first commit names it.
    const first = sb.git(host, "rev-list", "--max-parents=0", "HEAD").trim();
    expect(store.hosts).toEqual({ [`root:${first}`]: { vault: join(sb.root, "secrets.git") } });
  });

  it("trust status --all reads the same records with the same single set of queries", () => {
    const lines = calls(() => {
      const r = sb.vault(host, ["trust", "status", "--all", "--json"], { env });
      expect(r.status, r.stderr).toBe(0);
      const rows = (JSON.parse(r.stdout) as { files: { file: string; state: string }[] }).files;
      expect(rows.map((row) => [row.file, row.state])).toEqual([
        ["vault/.env.ci", "trusted"],
        ["vault/.env.dev", "trusted"],
        ["vault/.env.prod", "trusted"],
      ]);
    });
    expect(lines.filter((l) => l === "remote get-url -- origin")).toHaveLength(2);
  });

  it("set --file in a plain repository finds the root once; a nested repository or a link into another one is still asked about", () => {
    const header = readFileSync(join(vault, ".env.dev"), "utf8").split("\n").filter((l) => l.startsWith("#")).join("\n");
    const outer = sb.repo("plain-outer");
    sb.git(outer, "remote", "add", "origin", "https://git.example.test/team/outer.git");
    const inner = join(outer, "inner");
    sb.git(outer, "init", "-q", "inner");
    sb.git(inner, "remote", "add", "origin", "https://git.example.test/team/inner.git");
    const other = sb.repo("plain-other");
    sb.git(other, "remote", "add", "origin", "https://git.example.test/team/other.git");
    mkdirSync(join(other, "conf"));
    symlinkSync(join(other, "conf"), join(outer, "linked"));
    mkdirSync(join(outer, "conf"));
    for (const dir of [join(outer, "conf"), inner, join(other, "conf")]) writeFileSync(join(dir, ".env.app"), `${header}\nA=1\n`);

    const set = (file: string): string[] =>
      calls(() => {
        const r = sb.vault(outer, ["set", "--file", file, "A", "2"], { env });
        expect(r.status, r.stderr).toBe(0);
      });
    // A subfolder of the working directory's repository: the target's rev-parse is the only one.
    const plain = set("conf/.env.app");
    expect(plain.filter((l) => l.startsWith("rev-parse"))).toEqual(["rev-parse --show-toplevel"]);
    expect(plain.filter((l) => l === "remote get-url -- origin")).toHaveLength(1);
    // A repository inside it, and a link that leads into another: git says where they are.
    expect(set("inner/.env.app").filter((l) => l.startsWith("rev-parse"))).toHaveLength(2);
    expect(set("linked/.env.app").filter((l) => l.startsWith("rev-parse"))).toHaveLength(2);
    // A new file through the link: created in the repository the link leads to (git is asked about it there).
    set("linked/.env.fresh");
    expect(readFileSync(join(other, "conf", ".env.fresh"), "utf8")).toMatch(/^A=encrypted:gv1:/m);

    const store = JSON.parse(readFileSync(join(sb.env["XDG_STATE_HOME"] as string, "git-vault", "trust.json"), "utf8")) as { vaults: Record<string, { files: Record<string, unknown> }> };
    const filesOf = (url: string): string[] => Object.keys(store.vaults[`remote:${url}`]?.files ?? {});
    expect(filesOf("https://git.example.test/team/outer.git")).toEqual(["conf/.env.app"]);
    expect(filesOf("https://git.example.test/team/inner.git")).toEqual([".env.app"]);
    expect(filesOf("https://git.example.test/team/other.git")).toEqual(["conf/.env.app", "conf/.env.fresh"]);
  });

  it("get --at and restore find a file that --file names through a link, in the repository the link leads to", () => {
    const header = readFileSync(join(vault, ".env.dev"), "utf8").split("\n").filter((l) => l.startsWith("#")).join("\n");
    const here = sb.repo("link-here");
    const there = sb.repo("link-there");
    mkdirSync(join(there, "conf"));
    writeFileSync(join(there, "conf", ".env.app"), `${header}\nB=committed\n`);
    expect(sb.vault(there, ["encrypt", "--file", "conf/.env.app"]).status).toBe(0);
    sb.git(there, "add", "conf/.env.app");
    sb.git(there, "commit", "-q", "-m", "app");
    const committed = readFileSync(join(there, "conf", ".env.app"), "utf8");
    symlinkSync(join(there, "conf"), join(here, "linked"));

    const at = sb.vault(here, ["get", "B", "--reveal", "--at", "HEAD", "--file", "linked/.env.app"]);
    expect(at.stderr).toBe("");
    expect(at.stdout).toBe("committed\n");
    expect(sb.vault(here, ["decrypt", "--in-place", "--file", "linked/.env.app"]).status).toBe(0);
    expect(readFileSync(join(there, "conf", ".env.app"), "utf8")).toContain("B=committed");
    const restored = sb.vault(here, ["restore", "--file", "linked/.env.app"]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(readFileSync(join(there, "conf", ".env.app"), "utf8")).toBe(committed);
  });
});
