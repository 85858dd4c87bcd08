import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { putValue, removeKey } from "./edit.js";
import { encodeEnvFile, findAssignment, parseEnvFile } from "./envfile.js";
import { formatEnvFile } from "./format.js";
import { ensureHeader, readHeader, recipientList, setRecipients } from "./recipients.js";

function readHeaderOf(file: ReturnType<typeof parseEnvFile>): { version: number | null; recipients: string[] } {
  const header = readHeader(file);
  return { version: header.version?.version ?? null, recipients: recipientList(header) };
}

const put = (text: string, key: string, raw: string, section?: string): string =>
  encodeEnvFile(putValue(parseEnvFile(text), key, raw, raw, section === undefined ? {} : { section }));

describe("putValue", () => {
  it("changes exactly the line of an existing key, for any file", () => {
    const line = fc.oneof(
      fc.constant(""),
      fc.constant("# comment"),
      fc.stringMatching(/^[A-Z]{1,3}=[a-z ]{0,5}$/),
      fc.stringMatching(/^export [A-Z]{1,3}='[a-z #]{0,5}'$/),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 10 }), fc.boolean(), fc.boolean(), (lines, crlf, final) => {
        const eol = crlf ? "\r\n" : "\n";
        const text = lines.join(eol) + (final ? eol : "");
        const file = parseEnvFile(text);
        const target = findAssignment(file, "A") ?? findAssignment(file, "B");
        if (target === undefined) return;
        const after = put(text, target.key, "NEW");
        const before = text.split(eol);
        const changed = after.split(eol);
        expect(changed.length).toBe(before.length);
        const diffs = before.map((l, i) => (l === changed[i] ? -1 : i)).filter((i) => i >= 0);
        expect(diffs).toEqual(target.prefix + target.rawValue + target.suffix === target.prefix + "NEW" + target.suffix ? [] : [target.line - 1]);
      }),
      { numRuns: 1000 },
    );
  });

  it("adds exactly one line for a new key, keeping CRLF and a missing final newline", () => {
    expect(put("A=1\r\nB=2\r\n", "C", "3")).toBe("A=1\r\nB=2\r\nC=3\r\n");
    expect(put("A=1\nB=2", "C", "3")).toBe("A=1\nB=2\nC=3");
    expect(put("", "C", "3")).toBe("C=3\n");
  });

  it("puts a new top-level key before the first section, and a section key into its section", () => {
    const text = `# git-vault v1\n# recipient: age1x\n\nA=1\n\n${"# " + "-".repeat(78)}\n# [db]\nDB=1\n`;
    expect(put(text, "B", "2")).toBe(text.replace("A=1\n", "A=1\nB=2\n"));
    expect(put(text, "DB2", "2", "db")).toBe(text + "DB2=2\n");
  });

  it("adds a whole section block for a new section", () => {
    expect(put("A=1\n", "K", "v", "cache")).toBe(`A=1\n\n# ${"-".repeat(78)}\n# [cache]\nK=v\n`);
  });

  it("keeps the inline comment and spacing around a replaced value", () => {
    expect(put("export  KEY = 'old'  # rotated 2024\n", "KEY", "new")).toBe("export  KEY = new  # rotated 2024\n");
  });
});

describe("removeKey", () => {
  it("removes every line of a key and nothing else", () => {
    const { file, removed } = removeKey(parseEnvFile("A=1\n# keep\nB=2\nA=3\n"), "A");
    expect(removed).toBe(2);
    expect(encodeEnvFile(file)).toBe("# keep\nB=2\n");
  });
  it("keeps a missing final newline missing", () => {
    expect(encodeEnvFile(removeKey(parseEnvFile("A=1\nB=2"), "B").file)).toBe("A=1");
  });
});

describe("header edits", () => {
  it("keeps a byte-order mark first in the file, before a header it adds", () => {
    const withHeader = ensureHeader(parseEnvFile("\uFEFFA=1\r\nB=2\r\n"), [{ recipient: "age1one", label: null }]);
    expect(encodeEnvFile(withHeader)).toBe("\uFEFF# git-vault v1\r\n# recipient: age1one\r\n\r\nA=1\r\nB=2\r\n");
    expect(readHeaderOf(withHeader)).toEqual({ version: 1, recipients: ["age1one"] });
    expect(findAssignment(withHeader, "A")?.text).toBe("A=1");
  });

  it("adds a header to a plain file and recipients after the last recipient line", () => {
    const withHeader = ensureHeader(parseEnvFile("A=1\n"), [{ recipient: "age1one", label: "laptop" }]);
    expect(encodeEnvFile(withHeader)).toBe("# git-vault v1\n# recipient: age1one laptop\n\nA=1\n");
    const two = setRecipients(withHeader, [
      { recipient: "age1one", label: null },
      { recipient: "age1two", label: "ci" },
    ]);
    expect(encodeEnvFile(two)).toBe("# git-vault v1\n# recipient: age1one laptop\n# recipient: age1two ci\n\nA=1\n");
    expect(encodeEnvFile(setRecipients(two, [{ recipient: "age1two", label: null }]))).toBe(
      "# git-vault v1\n# recipient: age1two ci\n\nA=1\n",
    );
  });
});

describe("formatEnvFile", () => {
  it("produces the canonical layout and is idempotent", () => {
    const messy = [
      "# recipient: age1one",
      "# git-vault v1",
      "",
      "",
      "A = 1   #  note",
      "",
      "",
      "# [db]",
      "export   DB=x",
      "",
      "# ----------",
      "# [cache]",
      "",
      "C=3",
    ].join("\r\n");
    const once = encodeEnvFile(formatEnvFile(parseEnvFile(messy)));
    const divider = `# ${"-".repeat(78)}`;
    expect(once).toBe(
      ["# git-vault v1", "# recipient: age1one", "", "A=1 #  note", "", divider, "# [db]", "export DB=x", "", divider, "# [cache]", "C=3", ""].join("\r\n"),
    );
    expect(encodeEnvFile(formatEnvFile(parseEnvFile(once)))).toBe(once);
  });
});

describe("a canonical file stays canonical through set and unset (verify checks the layout)", () => {
  const canonical = (text: string): boolean => encodeEnvFile(formatEnvFile(parseEnvFile(text))) === text;
  const header = "# git-vault v1\n# recipient: age1one\n\n";

  it("for any sequence of top-level and section keys added and removed", () => {
    const op = fc.record({ key: fc.constantFrom("A", "B", "C", "D"), section: fc.constantFrom(undefined, "db", "tls"), remove: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        let text = header;
        for (const o of ops) {
          const file = parseEnvFile(text);
          const key = o.section === undefined ? o.key : `${o.section.toUpperCase()}_${o.key}`;
          text = encodeEnvFile(o.remove ? removeKey(file, key).file : putValue(file, key, "v", "v", o.section === undefined ? {} : { section: o.section }));
          expect(canonical(text), JSON.stringify({ ops, text })).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("a first top-level key goes under the header's blank line; removing the last one keeps one blank line", () => {
    const sectioned = `${header}# ${"-".repeat(78)}\n# [tls]\nTLS_KEY=t\n`;
    const added = encodeEnvFile(putValue(parseEnvFile(sectioned), "DATABASE_URL", "x", "x"));
    expect(added).toBe(`${header}DATABASE_URL=x\n\n# ${"-".repeat(78)}\n# [tls]\nTLS_KEY=t\n`);
    expect(encodeEnvFile(removeKey(parseEnvFile(added), "DATABASE_URL").file)).toBe(sectioned);
  });
});

describe("a new file stays canonical as keys are added", () => {
  it("header + blank line, then one line per new key", () => {
    let text = encodeEnvFile(ensureHeader(parseEnvFile(""), [{ recipient: "age1one", label: null }]));
    expect(text).toBe("# git-vault v1\n# recipient: age1one\n\n");
    expect(encodeEnvFile(formatEnvFile(parseEnvFile(text)))).toBe(text);
    text = put(text, "A", "1");
    text = put(text, "B", "2");
    expect(text).toBe("# git-vault v1\n# recipient: age1one\n\nA=1\nB=2\n");
    expect(encodeEnvFile(formatEnvFile(parseEnvFile(text)))).toBe(text);
  });
});

describe("formatEnvFile idempotency", () => {
  it("moves comments among the header lines below the header, once", () => {
    const text = "# git-vault v1\n# team secrets\n# recipient: age1one\n\nA=1\n";
    const once = encodeEnvFile(formatEnvFile(parseEnvFile(text)));
    expect(once).toBe("# git-vault v1\n# recipient: age1one\n\n# team secrets\n\nA=1\n");
    expect(encodeEnvFile(formatEnvFile(parseEnvFile(once)))).toBe(once);
  });
});
