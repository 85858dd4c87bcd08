// Each test here would have caught a bug found after the first version shipped.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, makeSandbox } from "../support/sandbox.js";

let sb: Sandbox;
let dir: string;
let recipient: string;

beforeAll(() => {
  sb = makeSandbox();
  dir = sb.dir("work");
  recipient = sb.vault(dir, ["keygen"]).stdout.trim();
});
afterAll(() => sb.cleanup());

describe("regressions", () => {
  it("recipients add of a listed recipient with --label relabels it", () => {
    const file = join(dir, "relabel.env");
    expect(sb.vault(dir, ["set", "A", "1", "--file", file]).status).toBe(0);
    const r = sb.vault(dir, ["recipients", "add", recipient, "--label", "ci-runner", "--file", file]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toContain(`# recipient: ${recipient} ci-runner\n`);
    expect(sb.vault(dir, ["get", "A", "--reveal", "--file", file]).stdout).toBe("1\n");
  });

  it("an env file that is not UTF-8 is refused, naming the line, and left byte for byte", () => {
    const file = join(dir, "latin1.env");
    const bytes = Buffer.concat([Buffer.from(`# git-vault v1\n# recipient: ${recipient}\n# caf`), Buffer.from([0xe9]), Buffer.from("\n\nA=\n")]);
    writeFileSync(file, bytes);
    const r = sb.vault(dir, ["set", "B", "b", "--file", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("latin1.env:3: not valid UTF-8 text");
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it("set through a symbolic link writes the file it points to and keeps the link", () => {
    const real = join(dir, "real-target.env");
    const link = join(dir, "link.env");
    expect(sb.vault(dir, ["set", "A", "1", "--file", real]).status).toBe(0);
    chmodSync(real, 0o640);
    symlinkSync("real-target.env", link);
    const r = sb.vault(dir, ["set", "B", "2", "--file", link]);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(sb.vault(dir, ["get", "B", "--reveal", "--file", real]).stdout).toBe("2\n");
    expect(readdirSync(dir).filter((n) => n.includes(".tmp-") || n.endsWith(".lock"))).toEqual([]);
  });

  it("run --only may be given more than once, and passes every key named", () => {
    const file = join(dir, "only-repeated.env");
    for (const [k, v] of [["A", "a1"], ["B", "b2"], ["C", "c3"]]) expect(sb.vault(dir, ["set", k as string, v as string, "--file", file]).status).toBe(0);
    const r = sb.vault(dir, ["run", "--file", file, "--only", "A", "--only", "B", "--", "sh", "-c", 'printf "%s|%s|%s" "$A" "$B" "${C-unset}"']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("a1|b2|unset");
  });

  it("recipients remove --all offboards from the files that list the recipient, and names each file to re-encrypt", () => {
    const vaultDir = join(dir, "offboard");
    mkdirSync(vaultDir);
    expect(sb.vault(dir, ["set", "A", "a", "--vault-dir", vaultDir, "--env", "dev"]).status).toBe(0);
    expect(sb.vault(dir, ["set", "P", "p", "--vault-dir", vaultDir, "--env", "prod"]).status).toBe(0);
    const bob = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg";
    expect(sb.vault(dir, ["recipients", "add", bob, "--label", "bob", "--vault-dir", vaultDir, "--env", "prod"]).status).toBe(0);
    const dev = readFileSync(join(vaultDir, ".env.dev"));
    const r = sb.vault(dir, ["recipients", "remove", bob, "--all", "--yes", "--vault-dir", vaultDir]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(vaultDir, ".env.prod"), "utf8")).not.toContain(bob);
    expect(readFileSync(join(vaultDir, ".env.dev")).equals(dev)).toBe(true);
    expect(r.stderr).not.toMatch(/\.env\.dev:\n/); // no empty heading for a file with nothing to change
    expect(r.stderr).toContain("until you run: git vault encrypt --reencrypt --file offboard/.env.prod\n");
    // The advice as one command for every file: encrypt --all.
    const prodBefore = readFileSync(join(vaultDir, ".env.prod"), "utf8");
    const all = sb.vault(dir, ["encrypt", "--reencrypt", "--all", "--vault-dir", vaultDir]);
    expect(all.status, all.stderr).toBe(0);
    expect(all.stderr).toBe("offboard/.env.dev: encrypted 0 values, re-encrypted 1\noffboard/.env.prod: encrypted 0 values, re-encrypted 1\n");
    expect(readFileSync(join(vaultDir, ".env.prod"), "utf8")).not.toBe(prodBefore);
    expect(sb.vault(dir, ["verify", "--vault-dir", vaultDir]).status).toBe(0);
    const none = sb.vault(dir, ["recipients", "remove", bob, "--all", "--yes", "--vault-dir", vaultDir]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain(`error: ${bob} is not a recipient of any env file`);
  });

  it("check reports a line dotenv would skip, since it may hold a secret", () => {
    const file = join(dir, "skip.env");
    writeFileSync(file, `# git-vault v1\n# recipient: ${recipient}\n\nPASSWORD hunter2\n`);
    const r = sb.vault(dir, ["check", "--file", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("skip.env:4:: not a KEY=value line");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
    expect(r.stderr).toBe("1 problem: fix lines that are not KEY=value\n");
  });

  it("check's summary says what to do about the kinds of problem it found, and only those", () => {
    const file = join(dir, "mixed.env");
    writeFileSync(file, `# git-vault v1\n# recipient: ${recipient}\n\nA=encrypted:gv1:0000abcd:!!!\nB=encrypted:gv7:0000abcd:AAAA\n`);
    const r = sb.vault(dir, ["check", "--file", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("mixed.env:4:A: malformed value\nmixed.env:5:B: unknown-version value\n");
    expect(r.stderr).toBe("2 problems: restore malformed values from git history or set them again; upgrade git-vault to read values of a newer format\n");
  });

  it("a file with conflict markers is named as an unresolved merge conflict and left as it is", () => {
    const file = join(dir, "conflict.env");
    const text = `# git-vault v1\n# recipient: ${recipient}\n\nA=1\n<<<<<<< HEAD\nB=2\n=======\nB=3\n>>>>>>> feature\n`;
    writeFileSync(file, text);
    const r = sb.vault(dir, ["set", "C", "c", "--file", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: conflict\.env:5: unresolved merge conflict \(a conflict marker line\)\n/);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("check names conflict markers as an unresolved merge conflict, and lists findings in line order", () => {
    const file = join(dir, "conflict-check.env");
    writeFileSync(file, `# git-vault v1\n# recipient: ${recipient}\n\nA=plain-a\n<<<<<<< ours\nB=encrypted:gv1:0000abcd:!!!\n=======\nB=plain-b\n>>>>>>> theirs\n`);
    const r = sb.vault(dir, ["check", "--file", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      [
        "conflict-check.env:4:A: plaintext value",
        "conflict-check.env:5:: unresolved merge conflict (a conflict marker line)",
        "conflict-check.env:6:B: malformed value",
        "conflict-check.env:7:: unresolved merge conflict (a conflict marker line)",
        "conflict-check.env:8:B: plaintext value",
        "conflict-check.env:9:: unresolved merge conflict (a conflict marker line)",
        "",
      ].join("\n"),
    );
    expect(r.stderr).toBe("6 problems: encrypt plaintext with `git vault encrypt`; resolve the merge conflict; restore malformed values from git history or set them again\n");
  });

  it("set with nothing piped in and no --stdin is refused; with --stdin it stores an empty value", () => {
    const file = join(dir, "empty-stdin.env");
    writeFileSync(file, `# git-vault v1\n# recipient: ${recipient}\n\nA=\n`);
    const before = readFileSync(file);
    const refused = sb.vault(dir, ["set", "B", "--file", file], { input: "" });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^error: no value given: stdin is empty and not a terminal\n/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(sb.vault(dir, ["set", "B", "--stdin", "--file", file], { input: "" }).status).toBe(0);
    expect(sb.vault(dir, ["get", "B", "--reveal", "--file", file]).stdout).toBe("\n");
  });

  it("a lone CR does not hide the assignment after it from check", () => {
    const file = join(dir, "cr.env");
    writeFileSync(file, `# git-vault v1\n# recipient: ${recipient}\n\nA=\rSECRET=hunter2\n`);
    const r = sb.vault(dir, ["check", "--file", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("cr.env:5:SECRET: plaintext value");
  });

  it("run passes plaintext values without needing an identity", () => {
    const file = join(dir, "plain.env");
    writeFileSync(file, "GREETING=hello\n");
    const r = sb.vault(dir, ["run", "--file", file, "--", "sh", "-c", 'printf %s "$GREETING"'], { env: { XDG_CONFIG_HOME: join(sb.root, "nowhere") } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("hello");
  });

  it("the built binary reads YAML configuration (bundled yaml has only a default export)", () => {
    const repo = sb.repo("yaml-config");
    writeFileSync(join(repo, ".git-vaultrc.yml"), "vaultDir: secrets\ndefaultEnv: prod\n");
    const r = sb.vault(repo, ["set", "K", "v"]);
    expect(r.stderr).toContain("vault dir not found: secrets");
    expect(r.status).toBe(1);
  });

  it("in a fresh clone whose vault submodule is not checked out, commands point to git vault init", () => {
    const remote = sb.repo("secrets.git", { bare: true });
    const host = sb.repo("host");
    sb.git(host, "commit", "--allow-empty", "-qm", "root");
    expect(sb.vault(host, ["init", "--submodule-url", remote]).status).toBe(0);
    sb.git(host, "commit", "-qm", "vault");
    sb.git(sb.root, "clone", "-q", host, "fresh");
    const r = sb.vault(join(sb.root, "fresh"), ["list"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("vault dir vault is empty (the submodule is not checked out)");
    expect(r.stderr).toContain("git vault init");
  });

  it("init in CI uses GIT_VAULT_IDENTITY and creates no identity file", () => {
    const other = join(sb.root, "other-device");
    const made = sb.vault(sb.root, ["keygen"], { env: { XDG_CONFIG_HOME: other } });
    const key = /^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(join(other, "git-vault", "identity"), "utf8"))?.[0] ?? "";
    const ci = join(sb.root, "ci-config");
    const host = sb.repo("ci-host");
    sb.git(host, "commit", "--allow-empty", "-qm", "root");
    const r = sb.vault(host, ["init", "--no-submodule"], { env: { XDG_CONFIG_HOME: ci, GIT_VAULT_IDENTITY: key } });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(ci, "git-vault", "identity"))).toBe(false);
    expect(readFileSync(join(host, "vault", ".env.dev"), "utf8")).toContain(`# recipient: ${made.stdout.trim()}`);
  });

  it("get of an empty value does not claim it is stored in plaintext", () => {
    const file = join(dir, "empty.env");
    writeFileSync(file, `# git-vault v1\n# recipient: ${recipient}\n\nEMPTY=\n`);
    const r = sb.vault(dir, ["get", "EMPTY", "--reveal", "--file", file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("\n");
    expect(r.stderr).toBe("");
  });
});
