import { spawnSync } from "node:child_process";
import { parse as parseDotenv } from "dotenv";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { ExportError, type Pair, encodeDotenv, encodeGithubEnv, encodeJson, encodeK8sSecret, encodeShell } from "./exportformat.js";

// Values as .env files and secrets hold them: any text, with the characters that need care made likely.
const awkwardChar = fc.constantFrom("'", '"', "`", "\\", "$", "#", "\n", "\r", " ", "\t", "=", "é", "🔐", "n", "a", "-", "\\n");
const value = fc.oneof(fc.string({ unit: "grapheme" }), fc.array(awkwardChar, { maxLength: 24 }).map((a) => a.join("")));
const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/);
const pairs = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 8 });

describe("encodeDotenv", () => {
  it("parses back with the dotenv package to exactly the pairs, or names the key it cannot write", () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        try {
          expect(parseDotenv(encodeDotenv(ps))).toEqual(Object.fromEntries(ps));
        } catch (error) {
          if (!(error instanceof ExportError)) throw error;
          expect(ps.map(([k]) => k)).toContain(error.key);
          expect(error.message).not.toContain(ps.find(([k]) => k === error.key)?.[1] || "\u0000never");
        }
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a NUL byte, which import would refuse to read back", () => {
    expect(() => encodeDotenv([["OK", "fine"], ["NULV", "a\0b"]])).toThrow(new ExportError("NULV", "the value holds a NUL byte, which a dotenv file cannot carry (import refuses it)"));
  });
});

describe("encodeShell", () => {
  const shells = ["sh", "bash"].filter((s) => spawnSync(s, ["-c", "true"]).status === 0);

  it.each(shells)("%s evals many random values back to the exact bytes (one shell run for all)", (shell) => {
    const samples = fc.sample(value.filter((v) => !v.includes("\0")), 300);
    const ps: Pair[] = samples.map((v, i) => [`V${i}`, v]);
    const script = `eval "$(cat)"; for i in $(seq 0 ${ps.length - 1}); do eval "printf '%s\\0' \\"\\$V$i\\""; done`;
    const r = spawnSync(shell, ["-c", script], { input: encodeShell(ps), encoding: "utf8", env: { PATH: process.env["PATH"], LANG: "C.UTF-8" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(samples);
  });

  it("refuses keys that are no shell names and NUL bytes, naming the key", () => {
    expect(() => encodeShell([["my-key", "x"]])).toThrow("my-key: not a shell variable name");
    expect(() => encodeShell([["1A", "x"]])).toThrow(ExportError);
    expect(() => encodeShell([["K", "a\0b"]])).toThrow("K: the value holds a NUL byte");
  });
});

describe("encodeK8sSecret", () => {
  it("is a v1 Secret whose data decodes to the pairs; keys YAML would read as other types stay strings", () => {
    const ps: Pair[] = [["true", "yes"], ["0123", ""], ["A.b-c", "ünï\ncode"]];
    const doc = parseYaml(encodeK8sSecret(ps, { name: "app", namespace: "web" })) as { apiVersion: string; kind: string; type: string; metadata: object; data: Record<string, string> };
    expect([doc.apiVersion, doc.kind, doc.type, doc.metadata]).toEqual(["v1", "Secret", "Opaque", { name: "app", namespace: "web" }]);
    expect(Object.entries(doc.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")])).toEqual(ps);
    expect(parseYaml(encodeK8sSecret([], { name: "empty" }))).toMatchObject({ data: {} });
  });
});

describe("encodeGithubEnv", () => {
  it("draws the delimiter again while a value contains it", () => {
    const delimiters = ["EOF", "EOF", "ghadelimiter_2"];
    const text = encodeGithubEnv([["A", "line\nEOF\nmore"]], () => delimiters.shift() as string);
    expect(text).toBe("A<<ghadelimiter_2\nline\nEOF\nmore\nghadelimiter_2\n");
  });
});

describe("encodeJson", () => {
  it("is one object in file order", () => {
    expect(encodeJson([["B", "1"], ["A", "\n"]])).toBe('{\n  "B": "1",\n  "A": "\\n"\n}\n');
  });
});
