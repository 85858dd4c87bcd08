// The scaffolding of an e2e file that drives the CLI through a StderrLog: one
// sandbox with a "work" folder for the whole file, every run recorded, and an
// afterAll that proves runs were made and no secret reached any stderr.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { StderrLog } from "./assertions.js";
import { type RunOptions, type RunResult, type Sandbox, makeSandbox } from "./sandbox.js";

export interface CliSuite {
  /** Every run of the file, and the secrets no stderr may contain. */
  readonly log: StderrLog;
  /** The file's sandbox (made in beforeAll: read it from hooks and tests only). */
  readonly sb: Sandbox;
  /** A folder outside any git repository, where `--file` targets live. */
  readonly work: string;
  /** `git vault ARGS` in cwd (default: work), recorded in the log. */
  readonly run: (args: string[], options?: RunOptions, cwd?: string) => RunResult;
  /** Like `run`, and expects exit 0. */
  readonly ok: (args: string[], options?: RunOptions, cwd?: string) => RunResult;
  /** The text of a file in work. */
  readonly read: (name: string) => string;
  /** Runs keygen, registers the identity as the secret "the device identity", returns its recipient and path. */
  readonly keygen: () => { recipient: string; identityPath: string };
}

/** Registers the beforeAll/afterAll of a logged CLI suite; call at the top level of a test file. */
export function cliSuite(): CliSuite {
  const log = new StderrLog();
  let sb: Sandbox | undefined;
  let work: string | undefined;

  beforeAll(() => {
    sb = makeSandbox();
    work = sb.dir("work");
  });

  afterAll(() => {
    try {
      expect(log.count, "runs were recorded").toBeGreaterThan(0);
      log.assertNoSecretInStderr();
    } finally {
      sb?.cleanup();
    }
  });

  const suite: CliSuite = {
    log,
    get sb(): Sandbox {
      if (sb === undefined) throw new Error("the sandbox is made in beforeAll");
      return sb;
    },
    get work(): string {
      if (work === undefined) throw new Error("the work folder is made in beforeAll");
      return work;
    },
    run: (args, options, cwd = suite.work) => log.vault(suite.sb, cwd, args, options),
    ok: (args, options, cwd) => {
      const r = suite.run(args, options, cwd);
      expect(r.status, `git vault ${args.slice(0, 4).join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    },
    read: (name) => readFileSync(join(suite.work, name), "utf8"),
    keygen: () => {
      const recipient = suite.ok(["keygen"]).stdout.trim();
      const identityPath = join(suite.sb.env["XDG_CONFIG_HOME"] as string, "git-vault", "identity");
      const key = /^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(identityPath, "utf8"))?.[0];
      log.secret(key as string, "the device identity");
      return { recipient, identityPath };
    },
  };
  return suite;
}
