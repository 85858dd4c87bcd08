import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "./index.js";

let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "gv-config-")));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("loadConfig", () => {
  it("reads YAML, JSON and package.json, nearest folder first, paths relative to the file", async () => {
    const sub = join(root, "a", "b");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(root, ".git-vaultrc"), "vaultDir: secrets\ndefaultEnv: staging\n");
    expect(await loadConfig(sub, root)).toEqual({ vaultDir: join(root, "secrets"), defaultEnv: "staging", source: join(root, ".git-vaultrc") });
    writeFileSync(join(root, "a", "package.json"), JSON.stringify({ name: "x", gitVault: { defaultEnv: "prod" } }));
    expect((await loadConfig(sub, root)).defaultEnv).toBe("prod");
    writeFileSync(join(sub, "git-vault.config.json"), JSON.stringify({ vaultDir: "../v" }));
    expect(await loadConfig(sub, root)).toEqual({ vaultDir: join(root, "a", "v"), source: join(sub, "git-vault.config.json") });
  });

  it("stops at the repository root and skips a package.json without the key", async () => {
    const repo = join(root, "repo");
    mkdirSync(repo);
    writeFileSync(join(root, ".git-vaultrc.json"), JSON.stringify({ defaultEnv: "outside" }));
    writeFileSync(join(repo, "package.json"), JSON.stringify({ name: "app" }));
    expect(await loadConfig(repo, repo)).toEqual({});
  });

  it("rejects unknown settings and broken syntax, naming the file", async () => {
    writeFileSync(join(root, ".git-vaultrc.yml"), "vaultdir: x\n");
    await expect(loadConfig(root, root)).rejects.toThrow(`${join(root, ".git-vaultrc.yml")}: unknown setting "vaultdir"`);
    writeFileSync(join(root, ".git-vaultrc.yml"), "vaultDir: [unclosed\n");
    await expect(loadConfig(root, root)).rejects.toThrow("cannot be read as YAML");
  });

  it("never runs JavaScript: meta-configuration and .js files are ignored", async () => {
    mkdirSync(join(root, ".config"));
    const marker = join(root, "PWNED");
    writeFileSync(join(root, ".config", "config.js"), `require("fs").writeFileSync(${JSON.stringify(marker)}, "x"); module.exports = {};`);
    writeFileSync(join(root, ".git-vaultrc.js"), `require("fs").writeFileSync(${JSON.stringify(marker)}, "x"); module.exports = { defaultEnv: "js" };`);
    writeFileSync(join(root, ".git-vaultrc.yaml"), "$import: .git-vaultrc.js\n");
    await expect(loadConfig(root, root)).rejects.toThrow('unknown setting "$import"');
    expect(existsSync(marker)).toBe(false);
  });

  it("reads the secrets manifest and groups, with defaults", async () => {
    writeFileSync(
      join(root, ".git-vaultrc.yaml"),
      'secrets:\n  DATABASE_URL: { description: "Postgres URL" }\n  SENTRY_DSN: { required: false }\n  TLS_KEY: { envs: [prod], file: { path: tls/server.key, mode: "0440" } }\n  BARE:\ngroups:\n  deploy: [A, B, A]\n',
    );
    expect(await loadConfig(root, root)).toEqual({
      source: join(root, ".git-vaultrc.yaml"),
      secrets: {
        DATABASE_URL: { required: true, description: "Postgres URL" },
        SENTRY_DSN: { required: false },
        TLS_KEY: { required: true, envs: ["prod"], file: { path: "tls/server.key", mode: 0o440 } },
        BARE: { required: true },
      },
      groups: { deploy: ["A", "B"] },
    });
  });

  it.each([
    ["secrets: [A]\n", "secrets must be an object"],
    ["secrets:\n  A: { required: yes please }\n", "secrets.A.required must be true or false"],
    ["secrets:\n  A: { envs: [] }\n", "secrets.A.envs must be a non-empty list of env names"],
    ["secrets:\n  A: { file: { path: /etc/passwd } }\n", "secrets.A.file.path must be a relative path without '..'"],
    ["secrets:\n  A: { file: { path: a/../b } }\n", "secrets.A.file.path must be a relative path without '..'"],
    ['secrets:\n  A: { file: { mode: "0440" } }\n', "secrets.A.file needs a path: the file's name in the run folder, like { path: db/password }"],
    ["secrets:\n  A: { file: {} }\n", "secrets.A.file needs a path"],
    ['secrets:\n  A: { file: { path: a, mode: "0755" } }\n', "secrets.A.file.mode must let the owner read and no one execute"],
    ["secrets:\n  A: { file: { path: a, mode: 400 } }\n", 'secrets.A.file.mode must be an octal string like "0400"'],
    ["secrets:\n  A: { file: a }\n  B: { file: a }\n", "secrets.B.file.path is also the file of secrets.A"],
    ["secrets:\n  A: { requird: false }\n", 'secrets.A: unknown field "requird"'],
    ["secrets:\n  'bad key': {}\n", "secrets.bad key: not a key name"],
    ["groups:\n  deploy: []\n", "groups.deploy must be a non-empty list of key names"],
    ["groups:\n  deploy: [ok, 'not ok']\n", "groups.deploy must be a non-empty list of key names"],
  ])("rejects a bad manifest entry, naming the file and the entry: %s", async (text, message) => {
    writeFileSync(join(root, ".git-vaultrc.yaml"), text);
    await expect(loadConfig(root, root)).rejects.toThrow(`${join(root, ".git-vaultrc.yaml")}: ${message}`);
  });
});
