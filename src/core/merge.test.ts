import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { putValue, removeKey } from "./edit.js";
import { type EnvFile, DIVIDER, effectiveAssignments, encodeEnvFile, parseEnvFile } from "./envfile.js";
import { type MergeOptions, mergeBlocker, mergeEnvFiles } from "./merge.js";

const R1 = "age1" + "q".repeat(58);
const R2 = "age1" + "p".repeat(58);
const R3 = "age1" + "z".repeat(58);
const HEADER = `# git-vault v1\n# recipient: ${R1} alice\n\n`;

function merge(base: string, ours: string, theirs: string, options?: MergeOptions): { text: string; conflicts: string[]; dropped: number } {
  const r = mergeEnvFiles(parseEnvFile(base), parseEnvFile(ours), parseEnvFile(theirs), options);
  return { text: encodeEnvFile(r.file), conflicts: r.conflicts.map((c) => c.key), dropped: r.droppedLines };
}

const values = (text: string): Map<string, string> => new Map(effectiveAssignments(parseEnvFile(text)).map((a) => [a.key, a.rawValue]));

describe("mergeEnvFiles: key changes", () => {
  type Op = { kind: "keep" } | { kind: "change" } | { kind: "delete" } | { kind: "add"; section: string | null };
  const POOL = ["A", "B", "C", "D", "E", "F", "G", "H"];
  const base0 = `${HEADER}A=a0\nB=b0 # note\nexport C=c0\n\n${DIVIDER}\n# [db]\nD=d0\nE=e0\n`;

  function apply(file: EnvFile, ops: ReadonlyMap<string, Op>, tag: string, expected: Map<string, string>): EnvFile {
    for (const [key, op] of ops) {
      if (op.kind === "keep") continue;
      if (op.kind === "delete") {
        file = removeKey(file, key).file;
        expected.delete(key);
      } else {
        const v = `${tag}${key}`;
        file = putValue(file, key, v, v, op.kind === "add" ? { section: op.section } : {});
        expected.set(key, v);
      }
    }
    return file;
  }

  it("merges changes to disjoint keys cleanly, in both orders, to the same key/value map", () => {
    const existing = new Set(values(base0).keys());
    const op = (key: string): fc.Arbitrary<Op> =>
      existing.has(key)
        ? fc.constantFrom<Op>({ kind: "keep" }, { kind: "change" }, { kind: "delete" })
        : fc.constantFrom<Op>({ kind: "keep" }, { kind: "add", section: null }, { kind: "add", section: "db" }, { kind: "add", section: "cache" });
    const plan = fc.tuple(...POOL.map((k) => fc.tuple(fc.constant(k), fc.boolean(), op(k))));
    fc.assert(
      fc.property(plan, fc.boolean(), fc.boolean(), (steps, crlf, final) => {
        let baseText = crlf ? base0.replace(/\n/g, "\r\n") : base0;
        if (!final) baseText = baseText.replace(/\r?\n$/, "");
        const base = parseEnvFile(baseText);
        const expected = values(baseText);
        const ours = apply(base, new Map(steps.filter(([, mine]) => mine).map(([k, , o]) => [k, o])), "o", expected);
        const theirs = apply(base, new Map(steps.filter(([, mine]) => !mine).map(([k, , o]) => [k, o])), "t", expected);
        for (const [a, b] of [[ours, theirs], [theirs, ours]] as const) {
          const r = mergeEnvFiles(base, a, b);
          const text = encodeEnvFile(r.file);
          expect(r.conflicts).toEqual([]);
          expect(values(text)).toEqual(expected);
          expect(mergeBlocker(parseEnvFile(text))).toBeNull();
          expect(text.includes("\r\n")).toBe(crlf);
          if (crlf) expect(text.replace(/\r\n/g, "")).not.toContain("\n");
        }
        // Nothing changed on their side: our bytes, exactly.
        expect(encodeEnvFile(mergeEnvFiles(base, ours, base).file)).toBe(encodeEnvFile(ours));
      }),
      { numRuns: 500 },
    );
  });

  it("takes a deletion when the other side left the key unchanged", () => {
    const base = "A=1\nB=2\nC=3\n";
    expect(merge(base, "A=1\nC=3\n", base)).toEqual({ text: "A=1\nC=3\n", conflicts: [], dropped: 0 });
    expect(merge(base, base, "A=1\nC=3\n")).toEqual({ text: "A=1\nC=3\n", conflicts: [], dropped: 0 });
  });

  it("takes the same change made on both sides once", () => {
    expect(merge("A=1\nB=2\n", "A=9\nB=2\n", "B=2\nA=9\n")).toEqual({ text: "A=9\nB=2\n", conflicts: [], dropped: 0 });
    expect(merge("A=1\n", "A=1\nN=5\n", "A=1\nN=5\n").text).toBe("A=1\nN=5\n");
    expect(merge("A=1\nB=2\n", "A=1\n", "A=1\n").text).toBe("A=1\n");
  });

  it("keeps our layout and applies their value into our line", () => {
    const base = "# top\nexport  KEY = old  # why\nB=2\n";
    const ours = "# top, edited\nexport  KEY = old  # why\nB=2\n";
    expect(merge(base, ours, "KEY=new\nB=2\n").text).toBe("# top, edited\nexport  KEY = new  # why\nB=2\n");
  });
});

describe("mergeEnvFiles: recipients", () => {
  it("marks a conflict when each side removed a recipient and none would be left", () => {
    const base = `# git-vault v1\n# recipient: ${R1} alice\n# recipient: ${R2} bob\n\nA=1\n`;
    const ours = `# git-vault v1\n# recipient: ${R1} alice\n\nA=1\n`;
    const theirs = `# git-vault v1\n# recipient: ${R2} bob\n\nA=1\n`;
    const result = mergeEnvFiles(parseEnvFile(base), parseEnvFile(ours), parseEnvFile(theirs));
    expect(result.recipientsConflict).toBe(true);
    expect(encodeEnvFile(result.file)).toBe(`# git-vault v1\n<<<<<<< ours\n# recipient: ${R1} alice\n=======\n# recipient: ${R2} bob\n>>>>>>> theirs\n\nA=1\n`);
    // One removal on one side only is no conflict.
    const one = mergeEnvFiles(parseEnvFile(base), parseEnvFile(ours), parseEnvFile(base));
    expect(one.recipientsConflict).toBe(false);
    expect(encodeEnvFile(one.file)).toBe(ours);
  });
});

describe("mergeEnvFiles: conflicts", () => {
  it("reports a key changed differently on both sides and marks it in place of our line", () => {
    const r = merge("A=1\nB=2\nC=3\n", "A=1\nB=ours\nC=3\n", "A=1\nB=theirs # t\nC=4\n");
    expect(r.conflicts).toEqual(["B"]);
    expect(r.text).toBe("A=1\n<<<<<<< ours\nB=ours\n=======\nB=theirs # t\n>>>>>>> theirs\nC=4\n");
    expect(mergeBlocker(parseEnvFile(r.text))).not.toBeNull();
  });

  it("reports a key added on both sides with different values", () => {
    expect(merge("A=1\n", "A=1\nN=x\n", "A=1\nN=y\n").conflicts).toEqual(["N"]);
  });

  it("reports a deletion against a change, with an empty side in the markers", () => {
    const deletedByUs = merge("A=1\nB=2\n", "A=1\n", "A=1\nB=3\n");
    expect(deletedByUs).toEqual({ text: "A=1\n<<<<<<< ours\n=======\nB=3\n>>>>>>> theirs\n", conflicts: ["B"], dropped: 0 });
    const deletedByThem = merge("A=1\nB=2\n", "A=1\nB=3\n", "A=1\n");
    expect(deletedByThem.text).toBe("A=1\n<<<<<<< ours\nB=3\n=======\n>>>>>>> theirs\n");
  });

  it("uses the file's line breaks in markers and keeps a missing final newline", () => {
    const r = merge("A=1\r\nB=2", "A=1\r\nB=o", "A=1\r\nB=t");
    expect(r.text).toBe("A=1\r\n<<<<<<< ours\r\nB=o\r\n=======\r\nB=t\r\n>>>>>>> theirs");
  });

  it("settles keys the caller resolved in favour of ours", () => {
    const r = merge("A=1\nB=2\n", "A=x\nB=o\n", "A=y\nB=t\n", { keepOurs: new Set(["A"]) });
    expect(r.conflicts).toEqual(["B"]);
    expect(r.text.startsWith("A=x\n<<<<<<< ours\n")).toBe(true);
  });
});

describe("mergeEnvFiles: recipients", () => {
  const file = (...rs: string[]): string => `# git-vault v1\n${rs.map((r) => `# recipient: ${r}\n`).join("")}\nA=1\n`;

  it("merges recipient sets: additions from either side stay, removals from either side go", () => {
    const base = file(`${R1} alice`, `${R2} bob`);
    const ours = file(`${R1} alice`, `${R2} bob`, `${R3} carol`);
    const theirs = file(`${R1} alice`);
    expect(merge(base, ours, theirs)).toEqual({ text: file(`${R1} alice`, `${R3} carol`), conflicts: [], dropped: 0 });
    expect(merge(base, theirs, ours).text).toBe(file(`${R1} alice`, `${R3} carol`));
  });

  it("adds their recipients after ours, keeping labels, and leaves an unchanged header byte for byte", () => {
    const base = file(`${R1}   alice`);
    expect(merge(base, base, file(`${R1}   alice`, `${R2} bob`)).text).toBe(file(`${R1}   alice`, `${R2} bob`));
    expect(merge(base, file(`${R1}   alice`, R3), file(`${R1}   alice`, `${R2} bob`)).text).toBe(file(`${R1}   alice`, R3, `${R2} bob`));
    expect(merge(base, base, file(`${R1} alice-laptop`)).text).toBe(file(`${R1} alice-laptop`));
  });
});

describe("mergeEnvFiles: bytes", () => {
  it("keeps CRLF line breaks, including for lines taken from the other side", () => {
    const base = "A=1\r\nB=2\r\n";
    expect(merge(base, "A=1\r\nB=2\r\nC=3\r\n", "A=9\nB=2\nD=4\n").text).toBe("A=9\r\nB=2\r\nC=3\r\nD=4\r\n");
  });

  it("keeps a missing final newline", () => {
    expect(merge("A=1", "A=1\nB=2", "A=1\nC=3").text).toBe("A=1\nB=2\nC=3");
    expect(merge("A=1\nB=2", "A=1\nB=2", "A=1").text).toBe("A=1");
  });

  it("counts comment lines the other side added that the result lacks", () => {
    expect(merge("A=1\n", "A=1\n", "# why\nA=1\n").dropped).toBe(1);
    expect(merge("# why\nA=1\n", "# why\nA=1\n", "# why\nA=1\n# why\n").dropped).toBe(1);
    expect(merge("A=1\n", "A=1\n", `A=1\n\n${DIVIDER}\n# [db]\nD=1\n`).dropped).toBe(0);
  });
});

describe("mergeBlocker", () => {
  it("names a malformed line and an unknown format version", () => {
    expect(mergeBlocker(parseEnvFile("A=1\nnot a line\n"))).toBe("line 2 is not a KEY=value line, comment or blank line");
    expect(mergeBlocker(parseEnvFile("# git-vault v2\nA=1\n"))).toMatch(/^line 1: format v2 is not supported/);
    expect(mergeBlocker(parseEnvFile(`${HEADER}A=1\n`))).toBeNull();
  });
});
