// End-to-end tests of identities (SPEC §6): keygen writes an age-keygen
// compatible file once, with safe permissions; a group-readable file is
// refused; the precedence of the sources holds for reporting and for
// decryption; age-keygen files import; `set` needs no private key.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type RunResult, binPath } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";

const suite = cliSuite();
const { log, run, ok } = suite;
let keys: string;

/** Where keygen puts the identity for a given XDG_CONFIG_HOME. */
function identityPathIn(configHome: string): string {
  return join(configHome, "git-vault", "identity");
}

/** An identity made by the real age-keygen: its file (mode 0600), key text and recipient. */
function ageKeygen(name: string): { path: string; text: string; recipient: string } {
  const path = join(keys, name);
  const r = spawnSync("age-keygen", ["-o", path], { encoding: "utf8" });
  expect(r.error, "age-keygen must be installed (apt-get install -y age)").toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  chmodSync(path, 0o600);
  const text = readFileSync(path, "utf8");
  log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(text)?.[0] as string, `identity ${name}`);
  return { path, text, recipient: spawnSync("age-keygen", ["-y", path], { encoding: "utf8" }).stdout.trim() };
}

/** An environment whose XDG_CONFIG_HOME is a fresh, empty folder: a device with no identity. */
function freshDevice(name: string): NodeJS.ProcessEnv {
  const configHome = suite.sb.dir(`devices/${name}/config`);
  return { XDG_CONFIG_HOME: configHome };
}

beforeAll(() => {
  keys = suite.sb.dir("keys");
});

describe("keygen", () => {
  let path: string;
  let recipient: string;

  beforeAll(() => {
    path = identityPathIn(suite.sb.env["XDG_CONFIG_HOME"] as string);
    expect(existsSync(path)).toBe(false);
    const r = ok(["keygen"]);
    recipient = r.stdout.trim();
    expect(r.stderr).toMatch(/created identity/);
    log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(path, "utf8"))?.[0] as string, "the keygen identity");
  });

  it("creates $XDG_CONFIG_HOME/git-vault/identity, mode 0600, in age-keygen format", () => {
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(recipient).toMatch(/^age1[02-9ac-hj-np-z]{58}$/);
    expect(readFileSync(path, "utf8")).toMatch(
      new RegExp(`^# created: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d)\\n# public key: ${recipient}\\nAGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}\\n$`),
    );
    // The real age tools accept it: the same recipient, and it decrypts.
    expect(spawnSync("age-keygen", ["-y", path], { encoding: "utf8" }).stdout.trim()).toBe(recipient);
    const sealed = spawnSync("age", ["-r", recipient], { input: "sealed for the keygen identity" });
    expect(sealed.status, sealed.stderr.toString()).toBe(0);
    const opened = spawnSync("age", ["-d", "-i", path], { input: sealed.stdout });
    expect(opened.status, opened.stderr.toString()).toBe(0);
    expect(opened.stdout.toString()).toBe("sealed for the keygen identity");
  });

  it("a second keygen keeps the identity byte for byte and prints the same recipient", () => {
    const before = readFileSync(path);
    const r = ok(["keygen"]);
    expect(r.stdout.trim()).toBe(recipient);
    expect(r.stderr).toMatch(/already exists/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(ok(["keys", "show"]).stdout.trim()).toBe(recipient);
  });

  it("a group- or world-readable identity file is refused with the chmod fix", () => {
    const file = "perm.env";
    ok(["set", "--file", file, "PERM_KEY", log.secret("permission-test-value")]);
    try {
      for (const mode of [0o640, 0o604]) {
        chmodSync(path, mode);
        for (const args of [["get", "--file", file, "PERM_KEY", "--reveal"], ["keys", "show"]]) {
          const r = run(args);
          expect(r.status, `mode ${mode.toString(8)}: ${args.join(" ")}`).toBe(1);
          expect(r.stdout).toBe("");
          expect(r.stderr).toMatch(/accessible by group or others/);
          expect(r.stderr).toContain(`chmod 600 ${path}`);
        }
      }
    } finally {
      chmodSync(path, 0o600);
    }
    expect(ok(["get", "--file", file, "PERM_KEY", "--reveal"]).stdout).toBe("permission-test-value\n");
  });
});

describe("precedence: --identity-file > GIT_VAULT_IDENTITY > GIT_VAULT_IDENTITY_FILE > file", () => {
  let flag: ReturnType<typeof ageKeygen>;
  let envText: ReturnType<typeof ageKeygen>;
  let envFile: ReturnType<typeof ageKeygen>;
  let device: NodeJS.ProcessEnv;
  let deviceRecipient: string;
  let devicePath: string;

  beforeAll(() => {
    flag = ageKeygen("flag.key");
    envText = ageKeygen("env-text.key");
    envFile = ageKeygen("env-file.key");
    device = freshDevice("precedence");
    devicePath = identityPathIn(device["XDG_CONFIG_HOME"] as string);
    deviceRecipient = ok(["keygen"], { env: device }).stdout.trim();
    log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(devicePath, "utf8"))?.[0] as string, "the precedence device identity");
  });

  function where(args: string[], env: NodeJS.ProcessEnv): { source: string | null; recipient: string | null } {
    const w = run(["keys", "where", "--json", ...args], { env: { ...device, ...env } });
    const source = (JSON.parse(w.stdout) as { source: string | null }).source;
    const show = run(["keys", "show", ...args], { env: { ...device, ...env } });
    return { source, recipient: show.status === 0 ? show.stdout.trim() : null };
  }

  it("keys where / keys show follow the order", () => {
    const all = { GIT_VAULT_IDENTITY: envText.text, GIT_VAULT_IDENTITY_FILE: envFile.path };
    expect(where(["--identity-file", flag.path], all)).toEqual({ source: "flag", recipient: flag.recipient });
    expect(where([], all)).toEqual({ source: "env", recipient: envText.recipient });
    expect(where([], { GIT_VAULT_IDENTITY_FILE: envFile.path })).toEqual({ source: "env-file", recipient: envFile.recipient });
    expect(where([], {})).toEqual({ source: "file", recipient: deviceRecipient });
    const text = run(["keys", "where"], { env: device });
    expect(text.stdout).toBe(`file\t${devicePath}\n`);
  });

  it("the chosen identity is the one that decrypts", () => {
    const file = "precedence.env";
    // The file is created by the GIT_VAULT_IDENTITY identity, so only it can read the value.
    ok(["set", "--file", file, "ENV_ONLY", log.secret("readable-by-env-identity")], { env: { ...device, GIT_VAULT_IDENTITY: envText.text } });
    expect(readFileSync(join(suite.work, file), "utf8")).toContain(`# recipient: ${envText.recipient}`);
    const get = (args: string[], env: NodeJS.ProcessEnv): RunResult => run(["get", "--file", file, "ENV_ONLY", "--reveal", ...args], { env: { ...device, ...env } });

    expect(get([], { GIT_VAULT_IDENTITY: envText.text, GIT_VAULT_IDENTITY_FILE: envFile.path }).stdout).toBe("readable-by-env-identity\n");
    const byFlag = get(["--identity-file", flag.path], { GIT_VAULT_IDENTITY: envText.text });
    expect(byFlag.status).toBe(1);
    expect(byFlag.stderr).toMatch(/none of your identities can decrypt/);
    expect(byFlag.stderr).toContain("--identity-file");
    const byFile = get([], {});
    expect(byFile.status).toBe(1);
    expect(byFile.stderr).toContain(devicePath);
    expect(get(["--identity-file", envText.path], { GIT_VAULT_IDENTITY_FILE: envFile.path }).stdout).toBe("readable-by-env-identity\n");
  });

  it("a corrupt identity (bad checksum) is reported as an identity problem, not as damaged ciphertext", () => {
    const file = "corrupt-identity.env";
    ok(["set", "--file", file, "GOOD_VALUE", log.secret("good-value-bad-identity")], { env: { ...device, GIT_VAULT_IDENTITY: envText.text } });
    const key = /^AGE-SECRET-KEY-1\S+$/m.exec(envText.text)?.[0] as string;
    // One character changed within the bech32 alphabet: the line still looks like a key, its checksum fails.
    const corrupt = log.secret(key.slice(0, 30) + (key[30] === "Q" ? "P" : "Q") + key.slice(31), "the corrupt identity");
    const corruptFile = join(keys, "corrupt.key");
    writeFileSync(corruptFile, `${corrupt}\n`, { mode: 0o600 });
    const before = readFileSync(join(suite.work, file));
    const cases: [string, string[], NodeJS.ProcessEnv][] = [
      ["GIT_VAULT_IDENTITY", [], { GIT_VAULT_IDENTITY: corrupt }],
      [corruptFile, ["--identity-file", corruptFile], {}],
    ];
    for (const [source, args, env] of cases) {
      const r = run(["get", "--file", file, "GOOD_VALUE", "--reveal", ...args], { env: { ...device, ...env } });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr, "a bad identity must not be blamed on the ciphertext").not.toMatch(/modified|truncated|restore the line|set the key again/);
      expect(r.stderr).toMatch(/identity/);
      expect(r.stderr, "the message names where the identity came from").toContain(source);
    }
    expect(readFileSync(join(suite.work, file)).equals(before)).toBe(true);
    // Commands that only derive the recipient name the identity too; they used to call it an internal error.
    const repo = suite.sb.repo("corrupt-identity-init");
    for (const [args, cwd] of [[["keys", "show"], suite.work], [["keys", "export"], suite.work], [["init", "--no-submodule"], repo]] as const) {
      const r = suite.sb.vault(cwd, [...args, "--identity-file", corruptFile], { env: { ...device } });
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toBe(`error: --identity-file ${corruptFile}: not a valid age identity\nhint: check the key was copied whole (AGE-SECRET-KEY-1…); \`git vault keys where\` shows which identity is used\n`);
    }
    const imported = run(["keys", "import", corruptFile], { env: freshDevice("import-corrupt") });
    expect(imported.status).toBe(1);
    expect(imported.stderr).toMatch(new RegExp(`^error: ${corruptFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not a valid age identity\n`));
  });

  it("a folder or a device given as the identity is named as no file, without a chmod hint; a pipe works", () => {
    for (const [path, what] of [["/dev/null", "a device"], [keys, "a folder"]] as const) {
      const r = run(["keys", "show", "--identity-file", path]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`error: ${path} is not a regular file (${what})\nhint: name an age identity file (AGE-SECRET-KEY-1… lines), such as the one \`git vault keygen\` writes\n`);
    }
    const { path, recipient } = ageKeygen("piped.key");
    // bash's process substitution hands over a pipe (/dev/fd/N), as `age -i <(…)` users do.
    const piped = spawnSync("bash", ["-c", `"$0" keys show -i <(cat "$1")`, binPath, path], { env: suite.sb.env, encoding: "utf8" });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout.trim()).toBe(recipient);
  });

  it("a relative XDG_CONFIG_HOME is ignored, as the XDG spec says: the key never lands in the working folder", () => {
    const home = suite.sb.dir("devices/relative-xdg/home");
    const r = run(["keygen"], { env: { HOME: home, XDG_CONFIG_HOME: "cfg" } });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(suite.work, "cfg"))).toBe(false);
    expect(statSync(join(home, ".config", "git-vault", "identity")).mode & 0o777).toBe(0o600);
    log.secret(/^AGE-SECRET-KEY-1\S+$/m.exec(readFileSync(join(home, ".config", "git-vault", "identity"), "utf8"))?.[0] as string, "the relative-XDG identity");
  });

  it("with no identity anywhere, keys where exits 1 and names where keygen would write", () => {
    const none = freshDevice("none");
    const r = run(["keys", "where"], { env: none });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(identityPathIn(none["XDG_CONFIG_HOME"] as string));
  });
});

describe("keys import", () => {
  it("imports a file written by age-keygen", () => {
    const imported = ageKeygen("to-import.key");
    const device = freshDevice("import");
    const path = identityPathIn(device["XDG_CONFIG_HOME"] as string);
    const r = ok(["keys", "import", imported.path], { env: device });
    expect(r.stdout.trim()).toBe(imported.recipient);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(spawnSync("age-keygen", ["-y", path], { encoding: "utf8" }).stdout.trim()).toBe(imported.recipient);
    expect(ok(["keys", "where"], { env: device }).stdout).toBe(`file\t${path}\n`);

    const file = "imported.env";
    ok(["set", "--file", file, "IMPORTED_KEY", log.secret("value-for-imported-id")], { env: device });
    expect(readFileSync(join(suite.work, file), "utf8")).toContain(`# recipient: ${imported.recipient}`);
    expect(ok(["get", "--file", file, "IMPORTED_KEY", "--reveal"], { env: device }).stdout).toBe("value-for-imported-id\n");
    // The original age-keygen file reads the value too.
    expect(ok(["get", "--file", file, "IMPORTED_KEY", "--reveal", "--identity-file", imported.path]).stdout).toBe("value-for-imported-id\n");

    // A second import does not replace the device's identity.
    const before = readFileSync(path);
    const again = run(["keys", "import", ageKeygen("second-import.key").path], { env: device });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe("encrypt-only role", () => {
  it("set works with no identity when the file already lists recipients", () => {
    const reader = ageKeygen("reader.key");
    const file = "encrypt-only.env";
    ok(["set", "--file", file, "FIRST_KEY", log.secret("first-value-by-reader")], { env: { GIT_VAULT_IDENTITY_FILE: reader.path } });

    const writer = freshDevice("encrypt-only");
    expect(run(["keys", "where"], { env: writer }).status, "the writer has no identity").toBe(1);
    const before = readFileSync(join(suite.work, file), "utf8");
    ok(["set", "--file", file, "WRITTEN_BLIND", log.secret("value-by-keyless-writer")], { env: writer });
    ok(["set", "--file", file, "FIRST_KEY", log.secret("first-value-replaced")], { env: writer });
    const after = readFileSync(join(suite.work, file), "utf8");
    expect(after.split("\n").slice(0, 3)).toEqual(before.split("\n").slice(0, 3));
    expect(readdirSync(writer["XDG_CONFIG_HOME"] as string), "no identity was created").toEqual([]);

    const noKey = run(["get", "--file", file, "WRITTEN_BLIND", "--reveal"], { env: writer });
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toMatch(/no age identity/);
    const asReader = { GIT_VAULT_IDENTITY_FILE: reader.path };
    expect(ok(["get", "--file", file, "WRITTEN_BLIND", "--reveal"], { env: asReader }).stdout).toBe("value-by-keyless-writer\n");
    expect(ok(["get", "--file", file, "FIRST_KEY", "--reveal"], { env: asReader }).stdout).toBe("first-value-replaced\n");
  });

  it("a new file without any identity is refused and not created", () => {
    const writer = freshDevice("no-recipients");
    mkdirSync(join(suite.work, "fresh"), { recursive: true });
    const r = run(["set", "--file", "fresh/new.env", "SOME_KEY", log.secret("value-with-nowhere-to-go")], { env: writer });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/needs a recipient/);
    expect(r.stderr).toMatch(/keygen/);
    expect(readdirSync(join(suite.work, "fresh"))).toEqual([]);
  });
});
