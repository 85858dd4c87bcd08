// `git vault import` and `export` over the fixtures/env corpus of real-world
// .env files: every file imports and exports back to exactly the pairs the
// real `dotenv` package parses from it, in every format; `shell` output is
// eval'd by real sh (dash) and bash.
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;

const corpus = join(repoRoot, "fixtures", "env");
const cases = readdirSync(corpus).filter((f) => f.endsWith(".env")).sort();
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const shells = ["sh", "bash"].filter((s) => spawnSync(s, ["-c", "true"]).status === 0);

/** What `eval` of the export text leaves in each variable, read back byte for byte by a real shell. */
function evalInShell(shell: string, text: string, keys: readonly string[]): Record<string, string> {
  const script = `eval "$(cat)"; for k in ${keys.join(" ")}; do eval "printf '%s\\0' \\"\\$$k\\""; done`;
  const r = spawnSync(shell, ["-c", script], { input: text, encoding: "utf8", env: { PATH: process.env["PATH"], LANG: "C.UTF-8" } });
  expect(r.status, r.stderr).toBe(0);
  const values = r.stdout.split("\0").slice(0, -1);
  return Object.fromEntries(keys.map((k, i) => [k, values[i] as string]));
}

/** Reads `$GITHUB_ENV` text the way the Actions runner does: `NAME<<DELIM`, lines, `DELIM`. */
function parseGithubEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i] as string);
    if (m === null) continue;
    const body: string[] = [];
    for (i++; lines[i] !== m[2]; i++) body.push(lines[i] as string);
    out[m[1] as string] = body.join("\n");
  }
  return out;
}

beforeAll(() => {
  suite.keygen();
  for (const name of cases) {
    for (const value of Object.values(parseDotenv(readFileSync(join(corpus, name))))) {
      if (value.length >= 12 && !cases.some((c) => c.includes(value))) log.secret(value, `a value of ${name}`);
    }
  }
});

it("sh and bash are here to evaluate the shell format", () => {
  if (shells.length < 2 && process.env["CI"] !== undefined) throw new Error(`missing shells in CI: have ${shells.join(", ") || "none"}`);
  if (shells.length < 2) console.warn(`SKIPPED in part: only ${shells.join(", ") || "no shell"} found; the shell format is checked with what there is`);
});

it("the corpus has at least 40 cases, each named after what it exercises", () => {
  expect(cases.length).toBeGreaterThanOrEqual(40);
});

/**
 * The corpus packed into as few vault files as keeps every key unique within
 * one (each case is imported into its batch's file, after the cases before
 * it: import into a file that already has keys is exercised too). Fewer
 * files, fewer runs: each `export` covers a batch.
 */
function batches(): { file: string; cases: string[]; expected: Record<string, string> }[] {
  const out: { file: string; cases: string[]; expected: Record<string, string> }[] = [];
  for (const name of cases) {
    const pairs = parseDotenv(readFileSync(join(corpus, name)));
    let batch = out.find((b) => Object.keys(pairs).every((k) => !(k in b.expected)));
    if (batch === undefined) {
      batch = { file: `batch-${out.length + 1}.env`, cases: [], expected: {} };
      out.push(batch);
    }
    batch.cases.push(name);
    Object.assign(batch.expected, pairs);
  }
  return out;
}

describe.each(batches())("$file (the corpus, packed)", ({ file, cases: names, expected }) => {
  beforeAll(() => {
    for (const name of names) {
      copyFileSync(join(corpus, name), join(suite.work, name));
      ok(["import", name, "--file", file]);
    }
  }, 600_000); // one import per case: dozens of runs on a busy machine

  it("imports every value encrypted: check finds no plaintext, comments are kept", () => {
    ok(["check", "--file", file]);
    const text = suite.read(file);
    for (const [key, value] of Object.entries(expected)) {
      if (value.length >= 10) expect(text, key).not.toContain(value);
    }
    for (const name of names) {
      const source = readFileSync(join(corpus, name), "utf8");
      if (Object.keys(parseDotenv(source)).length === 0) continue; // nothing imported, no comments copied
      for (const line of source.split(/\r?\n/)) {
        if (/^# [A-Z(]/.test(line)) expect(text, `${name}: ${line}`).toContain(line);
      }
    }
  });

  it("exports dotenv that the dotenv package parses to the same pairs, and json with them", () => {
    expect(parseDotenv(ok(["export", "--file", file, "--format", "dotenv"]).stdout)).toEqual(expected);
    expect(JSON.parse(ok(["export", "--file", file, "--format", "json"]).stdout)).toEqual(expected);
  });

  it.each(shells)("exports shell lines that %s evals back to the exact bytes", (shell) => {
    const keys = Object.keys(expected).filter((k) => SHELL_NAME.test(k));
    const text = ok(["export", "--file", file, "--format", "shell", "--only", keys.join(",")]).stdout;
    expect(evalInShell(shell, text, keys)).toEqual(Object.fromEntries(keys.map((k) => [k, expected[k]])));
  });

  it("exports a k8s Secret and $GITHUB_ENV text holding the same pairs", () => {
    const secret = parseYaml(ok(["export", "--file", file, "--format", "k8s", "--name", "app"]).stdout) as { data: Record<string, string> };
    expect(Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]))).toEqual(expected);
    expect(parseGithubEnv(ok(["export", "--file", file, "--format", "github"]).stdout)).toEqual(expected);
  });
});

describe("awkward values in the shell format", () => {
  const awkward: Record<string, string> = {
    NEWLINES: "a\nb\n\nc\n",
    QUOTES: `it's "double" and 'single' ''`,
    DOLLAR: "$HOME ${PATH} $(id) `id`",
    BACKSLASHES: "\\ \\\\ \\n \\' \\\"",
    UNICODE: "ünïcödé 🔐 秘密",
    EMPTY: "",
    LEADING_DASH: "-n -e",
    PERCENT: "%s %d %%",
  };
  const file = "awkward.env";

  beforeAll(() => {
    for (const [key, value] of Object.entries(awkward)) {
      writeFileSync(join(suite.work, "value"), value);
      ok(["set", key, "--from-file", "value", "--file", file]);
    }
  });

  it.each(shells)("%s evals every value back byte for byte", (shell) => {
    const text = ok(["export", "--file", file, "--format", "shell"]).stdout;
    expect(evalInShell(shell, text, Object.keys(awkward))).toEqual(awkward);
  });

  it("dotenv and json round-trip them too", () => {
    expect(parseDotenv(ok(["export", "--file", file]).stdout)).toEqual(awkward);
    expect(JSON.parse(ok(["export", "--file", file, "--format", "json"]).stdout)).toEqual(awkward);
  });

  it("a key that is no shell name is refused by the shell format, naming file, line and key", () => {
    const dashed = "dashed.env";
    ok(["set", "my-key", "--stdin", "--file", dashed], { input: "dashed-secret-value" });
    const r = run(["export", "--file", dashed, "--format", "shell"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: cannot export as shell: dashed.env:4: my-key: not a shell variable name");
    expect(r.stdout).toBe("");
  });
});
