// The secrets manifest (`secrets`, `groups` in the configuration): validate,
// run refusing a missing required key, run --group, and import's own rules
// (refused keys, --delete and history, a failed write, stdin, bundles).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { hostWithCommit } from "../support/git.js";
import { type RunResult, binPath } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;

let host: string;
let recipient: string;
let identityPath: string;
const DB = log.secret("postgres://app:db-secret-pw@db/app");
const DEPLOY = log.secret("deploy-key-secret-value");
const REGISTRY = log.secret("registry-token-secret");

const MANIFEST = `secrets:
  DATABASE_URL: { description: "Postgres URL" }
  SENTRY_DSN: { required: false }
  TLS_KEY: { envs: [prod], file: { path: tls/server.key, mode: "0440" } }
  DEPLOY_KEY: {}
  REGISTRY_TOKEN: { required: false }
groups:
  deploy: [DEPLOY_KEY, REGISTRY_TOKEN]
`;

beforeAll(() => {
  ({ recipient, identityPath } = suite.keygen());
  host = hostWithCommit(suite.sb, "host");
  ok(["init", "--no-submodule"], {}, host);
  writeFileSync(join(host, ".git-vaultrc.yaml"), MANIFEST);
  ok(["set", "DEPLOY_KEY", "--stdin"], { input: DEPLOY }, host);
  ok(["set", "EXTRA", "--stdin"], { input: "extra-value-unlisted" }, host);
});

/**
 * Runs git-vault in `host` with `folder` read-only, the way this machine
 * allows: chmod for a user; for root (whom permission bits do not stop) the
 * immutable attribute, else a read-only bind mount in a user namespace.
 * Null when none works.
 */
function runWithReadOnlyFolder(folder: string, args: string[]): RunResult | null {
  if (process.getuid?.() !== 0) {
    spawnSync("chmod", ["a-w", folder]);
    try {
      return run(args, {}, host);
    } finally {
      spawnSync("chmod", ["u+w", folder]);
    }
  }
  if (spawnSync("chattr", ["+i", folder]).status === 0) {
    try {
      return run(args, {}, host);
    } finally {
      spawnSync("chattr", ["-i", folder]);
    }
  }
  const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99; shift; exec "$@"';
  const r = spawnSync("unshare", ["-rm", "sh", "-c", script, "sh", folder, process.execPath, binPath, ...args], { cwd: host, env: suite.sb.env, encoding: "utf8", input: "" });
  if (r.status === 99 || r.status === null || r.error !== undefined) return null;
  return log.record(args, { status: r.status, stdout: r.stdout, stderr: r.stderr });
}

describe("validate", () => {
  it("without a configuration file, says there is none and where the manifest goes (exit 1)", () => {
    const bare = hostWithCommit(suite.sb, "host-without-config");
    ok(["init", "--no-submodule"], {}, bare);
    const r = run(["validate"], {}, bare);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: no secrets manifest: there is no configuration file (.git-vaultrc.yaml, …)\n");
    expect(r.stderr).toContain("list the keys the app needs under `secrets:`");
  });

  it("exits 1 naming a missing required key; keys of other envs are not listed", () => {
    const r = run(["validate"], {}, host);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      [
        "vault/.env.dev (dev)",
        "  DATABASE_URL    missing",
        "  SENTRY_DSN      optional, not set",
        "  DEPLOY_KEY      ok",
        "  REGISTRY_TOKEN  optional, not set",
        "  not in the manifest: EXTRA",
        "",
      ].join("\n"),
    );
  });

  it("run does not start the command while a required key is missing, naming it", () => {
    const marker = join(suite.work, "ran");
    const r = run(["run", "--", "sh", "-c", `touch "${marker}"`], {}, host);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: vault/.env.dev: no key DATABASE_URL (required by");
    expect(r.stderr).toContain(".git-vaultrc.yaml)");
    expect(existsSync(marker)).toBe(false);
  });

  it("exits 0 once it is set; --strict fails on a key the manifest does not name", () => {
    ok(["set", "DATABASE_URL", "--stdin"], { input: DB }, host);
    const r = ok(["validate"], {}, host);
    expect(r.stdout).toContain("  DATABASE_URL    ok\n");
    const strict = run(["validate", "--strict"], {}, host);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain("not in the manifest (a failure with --strict): EXTRA");
  });

  it("run starts the command once the required key is set", () => {
    expect(ok(["run", "--", "sh", "-c", 'printf %s "$DATABASE_URL"'], {}, host).stdout).toBe(DB);
  });

  it("without an identity it checks what it can and says what it could not", () => {
    const r = ok(["validate", "--json"], { env: { XDG_CONFIG_HOME: join(suite.work, "no-identity") } }, host);
    const report = JSON.parse(r.stdout) as { decryptionChecked: boolean; ok: boolean; files: { rows: { key: string; state: string }[] }[] };
    expect(report.decryptionChecked).toBe(false);
    expect(report.ok).toBe(true);
    expect(report.files[0]?.rows.find((x) => x.key === "DEPLOY_KEY")?.state).toBe("ok");
    const text = run(["validate"], { env: { XDG_CONFIG_HOME: join(suite.work, "no-identity") } }, host);
    expect(text.stderr).toContain("note: no identity: decryption and key binding were not checked");
  });

  it("with an identity that is not one of the file's recipients (a CI key for prod only), it checks what it can, as verify does", () => {
    const ciKey = join(suite.work, "other-ci.key");
    const keygen = spawnSync("age-keygen", ["-o", ciKey], { encoding: "utf8" });
    expect(keygen.status, keygen.stderr).toBe(0);
    const r = run(["validate", "--json"], { env: { GIT_VAULT_IDENTITY_FILE: ciKey } }, host);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; files: { decryptionChecked: boolean; rows: { key: string; state: string }[] }[] };
    // The same states as without any identity (ok, not "undecryptable"), and said to be unchecked.
    const none = JSON.parse(ok(["validate", "--json"], { env: { XDG_CONFIG_HOME: join(suite.work, "no-identity") } }, host).stdout) as typeof report;
    expect(report.files.map((f) => [f.decryptionChecked, f.rows])).toEqual(none.files.map((f) => [false, f.rows]));
    expect(JSON.stringify(report)).not.toContain("undecryptable");
    const text = run(["validate"], { env: { GIT_VAULT_IDENTITY_FILE: ciKey } }, host);
    expect(text.stderr).toContain("note: decryption not checked in vault/.env.dev: your identity is not one of its recipients");
  });

  it("--all checks every env: prod needs TLS_KEY, and a plaintext value is not usable", () => {
    ok(["set", "DATABASE_URL", "--env", "prod", "--stdin"], { input: DB }, host);
    ok(["set", "DEPLOY_KEY", "--env", "prod", "--stdin"], { input: DEPLOY }, host);
    const prod = join(host, "vault", ".env.prod");
    writeFileSync(prod, `${readFileSync(prod, "utf8")}SENTRY_DSN=plain-sentry-dsn\n`);
    const r = run(["validate", "--all"], {}, host);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("vault/.env.prod (prod)\n");
    expect(r.stdout).toMatch(/ {2}TLS_KEY +missing\n/);
    expect(r.stdout).toMatch(/ {2}SENTRY_DSN +plaintext\n/);
  });

  it("--all also checks an env the manifest names that has no file yet", () => {
    const cfg = join(host, ".git-vaultrc.yaml");
    writeFileSync(cfg, MANIFEST.replace("secrets:\n", "secrets:\n  QA_ONLY: { envs: [qa] }\n"));
    const r = run(["validate", "--all"], {}, host);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/vault\/\.env\.qa \(qa\)\n {2}QA_ONLY +missing\n {2}DATABASE_URL +missing\n/);
    expect(existsSync(join(host, "vault", ".env.qa"))).toBe(false);
    writeFileSync(cfg, MANIFEST);
  });

  it("an undecryptable value (bound to another key) is named", () => {
    const dev = join(host, "vault", ".env.dev");
    const text = readFileSync(dev, "utf8");
    const deployLine = /^DEPLOY_KEY=(.*)$/m.exec(text)?.[1] as string;
    writeFileSync(dev, `${text}SENTRY_DSN=${deployLine}\n`);
    const r = run(["validate"], {}, host);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/ {2}SENTRY_DSN +undecryptable \(bound to another key\)\n/);
    writeFileSync(dev, text);
  });

  it("a bad manifest entry is an error naming the file and the entry", () => {
    const cfg = join(host, ".git-vaultrc.yaml");
    writeFileSync(cfg, 'secrets:\n  TLS_KEY: { file: { path: ../escape, mode: "0400" } }\n');
    const r = run(["validate"], {}, host);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: ${cfg}: secrets.TLS_KEY.file.path must be a relative path without '..'`);
    // A file entry without a path says so; and the error is printed once (not first as a warning of the audit log too).
    writeFileSync(cfg, 'secrets:\n  TLS_KEY: { file: { mode: "0440" } }\n');
    const noPath = run(["run", "--as-files", "--", "true"], {}, host);
    expect([noPath.status, noPath.stderr]).toEqual([1, `error: ${cfg}: secrets.TLS_KEY.file needs a path: the file's name in the run folder, like { path: db/password }\nhint: see docs/configuration.md\n`]);
    writeFileSync(cfg, "groups:\n  deploy: []\n");
    expect(run(["run", "--", "true"], {}, host).stderr).toContain(`error: ${cfg}: groups.deploy must be a non-empty list of key names`);
    writeFileSync(cfg, MANIFEST);
  });
});

describe("run --group", () => {
  it("passes exactly the group's keys (an optional one that is not set is left out)", () => {
    const r = ok(["run", "--group", "deploy", "--", "sh", "-c", 'printf "%s|%s|%s" "$DEPLOY_KEY" "${REGISTRY_TOKEN-unset}" "${DATABASE_URL-unset}"'], {}, host);
    expect(r.stdout).toBe(`${DEPLOY}|unset|unset`);
    ok(["set", "REGISTRY_TOKEN", "--stdin"], { input: REGISTRY }, host);
    expect(ok(["run", "-g", "deploy", "--", "sh", "-c", 'printf %s "$REGISTRY_TOKEN"'], {}, host).stdout).toBe(REGISTRY);
  });

  it("an unknown group, or --group with --only, is a usage error (exit 2)", () => {
    const r = run(["run", "--group", "nope", "--", "true"], {}, host);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: no group "nope" in');
    expect(r.stderr).toContain("hint: groups: deploy");
    expect(run(["run", "--group", "deploy", "--only", "DEPLOY_KEY", "--", "true"], {}, host).status).toBe(2);
  });

  it("export warns on stderr when stdout is a terminal, and not when it is piped", () => {
    const onPty = spawnSync("python3", ["-c", "import pty, sys; pty.spawn(sys.argv[1:])", process.execPath, binPath, "export", "--group", "deploy"], { cwd: host, env: suite.sb.env, encoding: "utf8", timeout: 30_000 });
    if (onPty.error !== undefined || onPty.status === null) {
      if (process.env["CI"] !== undefined) throw new Error("python3 is needed for the terminal test");
      console.warn("SKIPPED: no python3 for a pty");
      return;
    }
    log.record(["export", "(on a pty)"], { status: onPty.status, stdout: "", stderr: "" });
    expect(onPty.stdout).toContain("warning: printing decrypted values to a terminal (pipe or redirect them instead)");
    expect(ok(["export", "--group", "deploy"], {}, host).stderr).toBe("");
  });

  it("export takes the same selection", () => {
    expect(JSON.parse(ok(["export", "--group", "deploy", "--format", "json"], {}, host).stdout)).toEqual({ DEPLOY_KEY: DEPLOY, REGISTRY_TOKEN: REGISTRY });
  });
});

describe("import", () => {
  it("refuses keys the env file has (listing them) unless --replace", () => {
    writeFileSync(join(host, "legacy.env"), `DATABASE_URL=${DB}\nDEPLOY_KEY=other-deploy-key\nNEW_KEY=brand-new-value\n`);
    const r = run(["import", "legacy.env"], {}, host);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: vault/.env.dev already has DATABASE_URL, DEPLOY_KEY\n");
    expect(r.stderr).toContain("--replace");
    const replaced = ok(["import", "legacy.env", "--replace", "--json"], {}, host);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ imported: ["NEW_KEY"], replaced: ["DATABASE_URL", "DEPLOY_KEY"], deleted: false, history: null });
    expect(ok(["get", "DEPLOY_KEY", "--reveal"], {}, host).stdout).toBe("other-deploy-key\n");
    ok(["set", "DEPLOY_KEY", "--stdin"], { input: DEPLOY }, host);
  });

  it("--delete of a file the host repo tracks removes it after the write and warns that its values stay in history", () => {
    writeFileSync(join(host, ".env"), "# legacy\nLEGACY_TOKEN=legacy-token-in-history\n");
    suite.sb.git(host, "add", ".env");
    suite.sb.git(host, "commit", "-q", "-m", "plaintext env");
    const r = ok(["import", ".env", "--delete", "--section", "legacy"], {}, host);
    expect(r.stderr).toContain("warning: .env is tracked by the git repository around it: its values stay in git history; rotate them, and commit its removal\n");
    expect(r.stderr).toContain("imported 1 key into vault/.env.dev; removed .env\n");
    expect(existsSync(join(host, ".env"))).toBe(false);
    expect(readFileSync(join(host, "vault", ".env.dev"), "utf8")).toMatch(/\n# \[legacy\]\n# legacy\nLEGACY_TOKEN=encrypted:gv1:/);
    // Removed from the index too: the file was in a commit.
    suite.sb.git(host, "rm", "-q", "--cached", ".env");
    suite.sb.git(host, "commit", "-q", "-m", "remove plaintext env");
    writeFileSync(join(host, ".env"), "ANOTHER=another-value-here\n");
    expect(ok(["import", ".env", "--delete"], {}, host).stderr).toContain("warning: .env was committed to the git repository around it: its values stay in git history; rotate them\n");
  });

  it("a failed write to the vault (read-only folder) leaves the plaintext file in place", () => {
    const vault = join(host, "vault");
    const source = join(host, "keep.env");
    writeFileSync(source, "KEEP_ME=keep-me-secret-value\n");
    const r = runWithReadOnlyFolder(vault, ["import", "keep.env", "--delete"]);
    if (r === null) {
      if (process.env["CI"] !== undefined) throw new Error("cannot make the vault folder read-only (chmod, chattr +i and unshare all failed)");
      console.warn("SKIPPED: the vault folder cannot be made read-only here (not root: chmod; root: chattr +i or a read-only bind mount in a user namespace)");
      return;
    }
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot open .*vault\/\.env\.dev\.lock\S*: (operation not permitted|permission denied|read-only file system)$/m);
    expect(readFileSync(source, "utf8")).toBe("KEEP_ME=keep-me-secret-value\n");
    expect(readFileSync(join(vault, ".env.dev"), "utf8")).not.toContain("KEEP_ME");
  });

  it("reads stdin with `-`; --delete of stdin is a usage error", () => {
    ok(["import", "-", "--env", "staging"], { input: "export FROM_STDIN='stdin value here'\n" }, host);
    expect(ok(["get", "FROM_STDIN", "--env", "staging", "--reveal"], {}, host).stdout).toBe("stdin value here\n");
    expect(run(["import", "-", "--delete"], { input: "A=1\n" }, host).status).toBe(2);
  });

  it("warns about lines dotenv skips and commented-out assignments, naming lines only", () => {
    writeFileSync(join(host, "odd.env"), "GOOD=good-value-one\nnot an assignment line\n# OLD_SECRET=old-secret-value\n");
    const r = ok(["import", "odd.env", "--env", "odd"], {}, host);
    expect(r.stderr).toContain("warning: odd.env: line 2 skipped: not KEY=value, comment or blank (dotenv ignores them too)");
    expect(r.stderr).toContain("warning: odd.env:3: a commented-out assignment is copied as a comment, in plaintext");
    expect(r.stderr).not.toContain("old-secret-value");
  });

  it("leaves a comment holding an age private key out of the vault file, naming its line only", () => {
    const key = log.secret(`AGE-SECRET-KEY-1${"Q".repeat(58)}`, "a private key in a comment");
    writeFileSync(join(host, "keyed.env"), `# deploy key: ${key}\nKEYED=keyed-value-1\n# a plain comment\n`);
    const r = ok(["import", "keyed.env", "--env", "keyed"], {}, host);
    expect(r.stderr).toContain("warning: keyed.env:1: a comment holding an age private key (AGE-SECRET-KEY-…) is left out of the vault file");
    const written = readFileSync(join(host, "vault", ".env.keyed"), "utf8");
    expect(written).not.toContain("AGE-SECRET-KEY-");
    expect(written).toContain("# a plain comment\n");
    expect(ok(["get", "KEYED", "--env", "keyed", "--reveal"], {}, host).stdout).toBe("keyed-value-1\n");
  });
});

describe("export --bundle and import --bundle", () => {
  it("moves the selected pairs encrypted to a recipient; import --bundle reads them back", () => {
    const bundle = ok(["export", "--group", "deploy", "--bundle", "--recipient", recipient], {}, host).stdout;
    expect(bundle).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(bundle).not.toContain(DEPLOY);
    mkdirSync(join(suite.work, "bundles"), { recursive: true });
    writeFileSync(join(suite.work, "bundles", "deploy.age"), bundle);
    // A standard age file: the age CLI opens it too.
    const age = spawnSync("age", ["-d", "-i", identityPath, join(suite.work, "bundles", "deploy.age")], { encoding: "utf8" });
    if (age.error === undefined) expect(JSON.parse(age.stdout)).toEqual({ format: "git-vault-bundle/1", env: "dev", pairs: [["DEPLOY_KEY", DEPLOY], ["REGISTRY_TOKEN", REGISTRY]] });
    else if (process.env["CI"] !== undefined) throw new Error("the age CLI is missing in CI");
    ok(["import", "--bundle", join(suite.work, "bundles", "deploy.age"), "--env", "ci"], {}, host);
    expect(JSON.parse(ok(["export", "--env", "ci", "--group", "deploy", "--format", "json"], {}, host).stdout)).toEqual({ DEPLOY_KEY: DEPLOY, REGISTRY_TOKEN: REGISTRY });
  });

  it("a bundle for someone else cannot be imported, and a bad recipient is a usage error", () => {
    const other = spawnSync("age-keygen", [], { encoding: "utf8" });
    if (other.status === 0) {
      const otherRecipient = /public key: (age1\S+)/.exec(other.stderr)?.[1] ?? /# public key: (age1\S+)/.exec(other.stdout)?.[1];
      const bundle = ok(["export", "--only", "DEPLOY_KEY", "--bundle", "-r", otherRecipient as string], {}, host).stdout;
      writeFileSync(join(suite.work, "bundles", "other.age"), bundle);
      const r = run(["import", "--bundle", join(suite.work, "bundles", "other.age"), "--env", "ci2"], {}, host);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("cannot read the bundle: none of your identities");
    }
    expect(run(["export", "--bundle", "--recipient", "age1nope"], {}, host).status).toBe(2);
  });
});
