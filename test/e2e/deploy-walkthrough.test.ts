// The walkthrough of docs/deploy.md, step by step, on fixtures/sample (a
// sample app, its vault and a test-only identity): what the docs show is what
// a user gets.
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;
const sample = join(repoRoot, "fixtures", "sample");
let demo: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  const identity = /^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(join(sample, "test-identity.txt"), "utf8"))?.[0] as string;
  log.secret(identity, "the sample's test-only identity");
  log.secret("prod-password", "the sample's prod DB_PASSWORD");
  log.secret("sk_test_sample_4eC39HqLyjWDarjtT1zdp7dc", "the sample's legacy STRIPE_SECRET_KEY");
  env = { GIT_VAULT_IDENTITY: identity };
  demo = suite.sb.dir("demo");
  cpSync(join(sample, "host"), demo, { recursive: true });
  cpSync(join(sample, "vault"), join(demo, "vault"), { recursive: true });
  suite.sb.git(demo, "init", "-q");
  suite.sb.git(demo, "add", ".");
  suite.sb.git(demo, "commit", "-q", "-m", "sample app");
});

describe("docs/deploy.md walkthrough", () => {
  it("1. validate: every env has what the manifest requires", () => {
    const r = ok(["validate", "--all"], { env }, demo);
    expect(r.stdout).toContain("vault/.env.prod (prod)\n  DATABASE_URL    ok\n");
    expect(r.stdout).toMatch(/ {2}SENTRY_DSN +optional, not set\n/);
  });

  it("2. import the legacy plaintext .env, deleting it: git tracked it, so rotate", () => {
    const r = ok(["import", "legacy.env", "--section", "payments", "--delete"], { env }, demo);
    expect(r.stderr).toContain("warning: legacy.env is tracked by the git repository around it: its values stay in git history; rotate them, and commit its removal\n");
    expect(existsSync(join(demo, "legacy.env"))).toBe(false);
    expect(ok(["get", "STRIPE_WEBHOOK_SECRET", "--reveal"], { env }, demo).stdout).toBe("whsec_sample_#not_a_comment\n");
  });

  it("3. run with the password as a file", () => {
    expect(ok(["run", "--env", "prod", "--as-files", "--only", "DB_PASSWORD", "--", "sh", "-c", 'cat "$DB_PASSWORD_FILE"'], { env }, demo).stdout).toBe("prod-password");
  });

  it("4. export the deploy group as a Kubernetes Secret", () => {
    const r = ok(["export", "--env", "prod", "--group", "deploy", "--format", "k8s", "--name", "deploy", "--namespace", "web"], { env }, demo);
    expect(r.stdout).toBe(
      [
        "apiVersion: v1",
        "kind: Secret",
        "metadata:",
        '  name: "deploy"',
        '  namespace: "web"',
        "type: Opaque",
        "data:",
        `  "DEPLOY_KEY": "${Buffer.from("sample-deploy-key").toString("base64")}"`,
        `  "REGISTRY_TOKEN": "${Buffer.from("sample-registry-token").toString("base64")}"`,
        "",
      ].join("\n"),
    );
  });

  it("5. a required key removed: validate and run both refuse", () => {
    ok(["unset", "DB_PASSWORD", "--env", "prod"], { env }, demo);
    expect(run(["validate", "--env", "prod"], { env }, demo).status).toBe(1);
    const r = run(["run", "--env", "prod", "--", "true"], { env }, demo);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: vault/.env.prod: no key DB_PASSWORD (required by");
  });
});
