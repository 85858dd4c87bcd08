// End-to-end tests of the OS keychain backend (issue 14, SPEC §6, DECISIONS D5)
// against a real Secret Service: gnome-keyring on a private D-Bus session bus
// that .ci/run starts and names in GIT_VAULT_TEST_SESSION_BUS (never the
// developer's own session, whose keychain these tests would change).
// `secret-tool` is the independent client; `keyctl` shows that nothing goes to
// the kernel keyring when there is no bus.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, readdirSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { binPath, repoRoot } from "../support/sandbox.js";
import { cliSuite } from "../support/suite.js";
import { writeLoadTracer } from "../support/load-trace.js";

const bus = process.env["GIT_VAULT_TEST_SESSION_BUS"] ?? "";
const inCi = process.env["CI"] === "true";
const KEY_RE = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/m;

const suite = cliSuite();
const { log, run, ok } = suite;

/** What a tool prints, or fails the test naming the package when it is missing. */
function tool(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...options.env }, input: options.input ?? "", timeout: 20_000 });
  expect(r.error, `${cmd} must be installed (see .ci/run)`).toBeUndefined();
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const busEnv = { DBUS_SESSION_BUS_ADDRESS: bus };
/** `secret-tool ARGS` on the test bus. */
const secretTool = (...args: string[]) => tool("secret-tool", args, { env: busEnv });
/** The device entry as the independent client sees it ("" when there is none). */
const lookupDevice = () => secretTool("lookup", "service", "git-vault", "username", "identity").stdout;
/** Every git-vault entry as `secret-tool search --all` prints it (its attributes go to stderr). */
const searchAll = () => {
  const r = secretTool("search", "--all", "service", "git-vault");
  return `${r.stdout}${r.stderr}`;
};

/** An environment for a device with no identity file yet, on the test bus. */
function device(name: string, extra: NodeJS.ProcessEnv = busEnv): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: suite.sb.dir(`devices/${name}/config`), ...extra };
}
const identityFileOf = (env: NodeJS.ProcessEnv) => join(env["XDG_CONFIG_HOME"] as string, "git-vault", "identity");

/** An encrypted one-value file for the device in env; returns its path. */
function encryptedFile(name: string, env: NodeJS.ProcessEnv, recipient: string): string {
  const path = join(suite.work, name);
  writeFileSync(path, `# git-vault v1\n# recipient: ${recipient}\n\nAPI_KEY=keychain-value-1\n`);
  ok(["encrypt", "--file", path], { env });
  return path;
}

/** A key made by the real age-keygen: its key line and recipient. */
function ageKey(name: string): { key: string; recipient: string; path: string } {
  const path = join(suite.work, `${name}.key`);
  expect(tool("age-keygen", ["-o", path]).status).toBe(0);
  chmodSync(path, 0o600);
  const key = KEY_RE.exec(readFileSync(path, "utf8"))?.[0] as string;
  log.secret(key, `age key ${name}`);
  return { key, recipient: tool("age-keygen", ["-y", path]).stdout.trim(), path };
}

describe("with no session bus", () => {
  it("keygen writes the 0600 file, says why not the keychain, and puts nothing in the kernel keyring", () => {
    const keyctl = (ring: string) => {
      const r = tool("keyctl", ["show", ring]);
      expect(r.status, `keyctl show ${ring}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const before = [keyctl("@u"), keyctl("@s")];
    const env = device("no-bus", { DBUS_SESSION_BUS_ADDRESS: "", XDG_RUNTIME_DIR: "" });
    const r = ok(["keygen"], { env });
    expect(r.stderr).toMatch(/^created identity .*\/git-vault\/identity \(not in the keychain: no D-Bus session bus \(DBUS_SESSION_BUS_ADDRESS is not set\)\)$/m);
    const path = identityFileOf(env);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    log.secret(KEY_RE.exec(readFileSync(path, "utf8"))?.[0] as string, "the no-bus identity");
    expect([keyctl("@u"), keyctl("@s")]).toEqual(before);
    // A bus address where no bus answers: the native module loads and, pinned to the
    // Secret Service, fails instead of falling back to the kernel keyring.
    const deadBus = device("dead-bus", { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(suite.sb.root, "no-such-bus")}` });
    expect(ok(["keygen"], { env: deadBus }).stderr).toMatch(/^created identity .*\/git-vault\/identity \(not in the keychain: Secret Service unavailable: .+\)$/m);
    log.secret(KEY_RE.exec(readFileSync(identityFileOf(deadBus), "utf8"))?.[0] as string, "the dead-bus identity");
    expect([keyctl("@u"), keyctl("@s")]).toEqual(before);
    const where = ok(["keys", "where"], { env });
    expect(where.stdout).toBe(`file\t${path}\n`);
    expect(where.stderr).toMatch(/keychain not used: no D-Bus session bus/);
    const repo = suite.sb.repo("no-bus-repo");
    expect(ok(["status"], { env }, repo).stdout).toContain(`key store:    file ${path}, persistent (keychain not used: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set))\n`);
    const refused = run(["keys", "migrate", "--to", "keychain"], { env });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/the keychain cannot be used: no D-Bus session bus/);
    expect(existsSync(path)).toBe(true);
    // A device with no identity says the keychain was not searched, and why.
    const file = encryptedFile("no-bus.env", env, r.stdout.trim());
    const none = run(["get", "API_KEY", "--reveal", "--file", file], { env: device("no-bus-empty", { DBUS_SESSION_BUS_ADDRESS: "" }) });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/no age identity found on this device \(the keychain was not searched: no D-Bus session bus/);
  });
});

const withKeychain = bus !== "" || inCi ? describe : describe.skip;
if (bus === "" && !inCi) {
  console.warn("SKIPPED test/e2e/keychain.test.ts Secret Service tests: GIT_VAULT_TEST_SESSION_BUS is not set (bash .ci/run starts gnome-keyring and sets it)");
}

withKeychain("with a Secret Service (gnome-keyring)", () => {
  beforeAll(() => {
    expect(bus, "in CI, .ci/run must start gnome-keyring and set GIT_VAULT_TEST_SESSION_BUS").not.toBe("");
  });
  beforeEach(() => {
    secretTool("clear", "service", "git-vault");
    expect(searchAll()).toBe("");
  });

  it("keygen stores in the Secret Service; secret-tool returns the same identity; get --reveal reads through it with no file; migrate --to file moves it out", () => {
    const env = device("desktop");
    const made = ok(["keygen"], { env });
    const recipient = made.stdout.trim();
    expect(made.stderr).toBe("created identity in the keychain (Secret Service, service git-vault)\n");
    expect(existsSync(identityFileOf(env))).toBe(false);

    const stored = lookupDevice();
    const key = KEY_RE.exec(stored)?.[0] as string;
    log.secret(key, "the keychain identity");
    expect(stored).toMatch(new RegExp(`^# created: \\S+\\n# public key: ${recipient}\\nAGE-SECRET-KEY-1`));
    // The independent check: age-keygen derives the same recipient from what secret-tool returned.
    expect(tool("age-keygen", ["-y"], { input: stored }).stdout.trim()).toBe(recipient);
    expect(ok(["keys", "where"], { env }).stdout).toBe("keychain\tkeychain (Secret Service, service git-vault)\n");
    const repo = suite.sb.repo("desktop-repo");
    expect(ok(["status"], { env }, repo).stdout).toMatch(/^key store: +keychain \(Secret Service, service git-vault\), persistent$/m);
    const doctor = JSON.parse(run(["doctor", "--json"], { env }, repo).stdout) as { status: { identityStore: unknown } };
    expect(doctor.status.identityStore).toEqual({
      backend: "keychain",
      where: "keychain (Secret Service, service git-vault)",
      persists: true,
      keychainProblem: null,
    });

    const file = encryptedFile("desktop.env", env, recipient);
    expect(ok(["get", "API_KEY", "--reveal", "--file", file], { env }).stdout).toBe("keychain-value-1\n");
    expect(ok(["keys", "export"], { env }).stdout).toContain(key);
    expect(ok(["keygen"], { env }).stderr).toMatch(/an identity already exists at keychain \(Secret Service/);

    const moved = ok(["keys", "migrate", "--to", "file", "--json"], { env });
    expect(JSON.parse(moved.stdout)).toEqual({ from: "keychain (Secret Service, service git-vault)", to: identityFileOf(env), keys: 1 });
    expect(lookupDevice()).toBe("");
    expect(searchAll()).toBe("");
    expect(statSync(identityFileOf(env)).mode & 0o777).toBe(0o600);
    expect(readFileSync(identityFileOf(env), "utf8")).toContain(key);
    expect(ok(["keys", "where"], { env }).stdout).toBe(`file\t${identityFileOf(env)}\n`);
    expect(ok(["get", "API_KEY", "--reveal", "--file", file], { env }).stdout).toBe("keychain-value-1\n");

    ok(["keys", "migrate", "--to", "keychain"], { env });
    expect(existsSync(identityFileOf(env))).toBe(false);
    expect(KEY_RE.exec(lookupDevice())?.[0]).toBe(key);
    expect(ok(["get", "API_KEY", "--reveal", "--file", file], { env }).stdout).toBe("keychain-value-1\n");
  });

  it("keeps one entry per key: the device's current key under `identity`, retired keys beside it; import and export round-trip them", () => {
    const env = device("rotated");
    const current = ageKey("current");
    const retired = ageKey("retired");
    const backup = `# public key: ${current.recipient}\n${current.key}\n# git-vault: retired 2026-01-02T03:04:05Z\n# public key: ${retired.recipient}\n${retired.key}\n`;
    const imported = ok(["keys", "import", "-"], { env, input: backup });
    expect(imported.stdout.trim()).toBe(current.recipient);
    expect(imported.stderr).toMatch(/^imported in the keychain \(Secret Service, service git-vault\)$/m);

    expect(KEY_RE.exec(lookupDevice())?.[0]).toBe(current.key);
    const all = searchAll();
    expect(all.match(/^attribute\.username = .*$/gm)?.sort()).toEqual(["attribute.username = identity", expect.stringMatching(/^attribute\.username = key:[0-9a-f]{12}$/)]);
    expect(all).toContain(`# git-vault: retired 2026-01-02T03:04:05Z\n# public key: ${retired.recipient}\n${retired.key}`);

    // History encrypted to the retired key still reads.
    const old = encryptedFile("old.env", env, retired.recipient);
    expect(ok(["get", "API_KEY", "--reveal", "--file", old], { env }).stdout).toBe("keychain-value-1\n");
    const exported = ok(["keys", "export"], { env }).stdout;
    expect(exported).toContain(`# git-vault: retired 2026-01-02T03:04:05Z\n# public key: ${retired.recipient}\n${retired.key}\n`);
    expect(exported.indexOf(current.key)).toBeLessThan(exported.indexOf(retired.key));

    // Both keys move to the file and back, states kept.
    ok(["keys", "migrate", "--to", "file"], { env });
    expect(searchAll()).toBe("");
    expect(readFileSync(identityFileOf(env), "utf8")).toContain(`# git-vault: retired 2026-01-02T03:04:05Z\n# public key: ${retired.recipient}\n${retired.key}\n`);
    expect(JSON.parse(ok(["keys", "migrate", "--to", "keychain", "--json"], { env }).stdout)).toMatchObject({ keys: 2 });
    expect(ok(["keys", "export"], { env }).stdout).toBe(exported);
  });

  it("precedence (SPEC §6): the flag and the environment before the keychain, the keychain before the file; migrate refuses to overwrite", () => {
    const env = device("both");
    const inFile = ageKey("in-file");
    mkdirSync(join(env["XDG_CONFIG_HOME"] as string, "git-vault"), { recursive: true });
    writeFileSync(identityFileOf(env), readFileSync(inFile.path), { mode: 0o600 });
    // The file holds an identity: keygen keeps it, and the keychain stays empty.
    expect(ok(["keygen"], { env }).stdout.trim()).toBe(inFile.recipient);
    expect(searchAll()).toBe("");

    const inKeychain = ageKey("in-keychain");
    tool("secret-tool", ["store", "--label=git-vault", "service", "git-vault", "username", "identity"], { env: busEnv, input: `${inKeychain.key}\n` });
    expect(ok(["keys", "where"], { env }).stdout).toMatch(/^keychain\t/);
    expect(ok(["keys", "show"], { env }).stdout.trim()).toBe(inKeychain.recipient);
    expect(ok(["keys", "show"], { env: { ...env, GIT_VAULT_IDENTITY_FILE: inFile.path } }).stdout.trim()).toBe(inFile.recipient);
    expect(ok(["keys", "show", "-i", inFile.path], { env }).stdout.trim()).toBe(inFile.recipient);

    const refused = run(["keys", "migrate", "--to", "keychain"], { env });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/an identity already exists in the keychain/);
    expect(readFileSync(identityFileOf(env), "utf8")).toContain(inFile.key);
    expect(run(["keys", "migrate", "--to", "sideways"], { env }).status).toBe(2);
  });

  it("entries a cut-short migration left (no device entry) do not hide the file's identity; a migration afterwards goes ahead and keeps other keys", () => {
    secretTool("clear", "service", "git-vault");
    const env = device("leftover");
    const inFile = ageKey("leftover-file");
    const stray = ageKey("leftover-stray");
    mkdirSync(join(env["XDG_CONFIG_HOME"] as string, "git-vault"), { recursive: true });
    writeFileSync(identityFileOf(env), readFileSync(inFile.path), { mode: 0o600 });
    // What `keys migrate --to keychain` killed before its last write leaves: a key entry, no `identity` entry.
    tool("secret-tool", ["store", "--label=git-vault", "service", "git-vault", "username", "key:0123456789ab"], { env: busEnv, input: `# git-vault: retired 2026-01-01T00:00:00Z\n${stray.key}\n` });
    try {
      expect(ok(["keys", "where"], { env }).stdout).toMatch(/^file\t/);
      expect(ok(["keys", "show"], { env }).stdout.trim()).toBe(inFile.recipient);
      ok(["keys", "migrate", "--to", "keychain"], { env });
      expect(lookupDevice()).toContain(inFile.key);
      // A key that is not the file's stays (it only decrypts), now beside the device entry.
      expect(searchAll()).toContain(stray.key);
      expect(ok(["keys", "show"], { env }).stdout.trim()).toBe(inFile.recipient);
    } finally {
      secretTool("clear", "service", "git-vault");
    }
  });

  it("no program git-vault starts sees the identity in its argv or environment (recording stand-ins on PATH)", () => {
    const env0 = device("recorded");
    const recipient = ok(["keygen"], { env: env0 }).stdout.trim();
    const key = KEY_RE.exec(lookupDevice())?.[0] as string;
    log.secret(key, "the recorded device's identity");
    const ciKey = ageKey("ci");

    const standins = suite.sb.dir("standins");
    const record = join(suite.sb.root, "started.log");
    writeFileSync(record, "");
    const names = ["git", "age", "age-keygen", "ldd", "printenv", "sh", "dbus-launch", "dbus-daemon", "gnome-keyring-daemon", "secret-tool", "security", "keyctl"];
    for (const name of names) {
      const real = tool("sh", ["-c", `command -v ${name} || true`]).stdout.trim();
      if (real === "") continue;
      writeFileSync(
        join(standins, name),
        `#!/bin/sh\n{ printf 'START %s' "$0"; printf ' %s' "$@"; printf '\\n'; env; } >> "${record}"\nexec "${real}" "$@"\n`,
        { mode: 0o755 },
      );
    }
    const env = { ...env0, PATH: `${standins}:${suite.sb.env["PATH"] as string}` };
    const repo = suite.sb.repo("recorded-repo");
    writeFileSync(join(repo, ".env.dev"), `# git-vault v1\n# recipient: ${recipient}\n# recipient: ${ciKey.recipient}\n\nAPI_KEY=keychain-value-1\n`);
    ok(["encrypt", "--file", ".env.dev"], { env }, repo);
    ok(["get", "API_KEY", "--reveal", "--file", ".env.dev"], { env }, repo);
    ok(["run", "--file", ".env.dev", "--", "printenv", "API_KEY"], { env }, repo);
    ok(["keys", "export"], { env }, repo);
    run(["status"], { env }, repo);
    run(["doctor"], { env }, repo);
    // The CI way: the key itself in GIT_VAULT_IDENTITY.
    ok(["run", "--file", ".env.dev", "--", "printenv", "API_KEY"], { env: { ...env, GIT_VAULT_IDENTITY: ciKey.key } }, repo);
    run(["status"], { env: { ...env, GIT_VAULT_IDENTITY: ciKey.key } }, repo);

    const started = readFileSync(record, "utf8");
    // The stand-ins did see git-vault's children (git, and the command run ran).
    expect(started).toMatch(/^START \S+\/git /m);
    expect(started).toMatch(/^START \S+\/printenv API_KEY$/m);
    for (const secret of [key, ciKey.key, key.slice(16, 40), ciKey.key.slice(16, 40)]) expect(started).not.toContain(secret);
    expect(started).not.toMatch(/AGE-SECRET-KEY/i);
    expect(started).not.toMatch(/^GIT_VAULT_IDENTITY=/m);
  });

  it("the native module loads only when an identity is looked up: not for --version, --help, recipients, check, or list of plaintext values (checked as test/e2e/loading.test.ts does)", () => {
    const env = device("loading");
    const recipient = ok(["keygen"], { env }).stdout.trim();
    log.secret(KEY_RE.exec(lookupDevice())?.[0] as string, "the loading device's identity");
    const file = encryptedFile("loading.env", env, recipient);
    const preload = join(suite.sb.root, "trace-native.cjs");
    const trace = join(suite.sb.root, "native.log");
    writeLoadTracer(preload, [
      "const dlopen = process.dlopen;",
      "process.dlopen = function (module, path, ...rest) {",
      "  appendFileSync(process.env.LOAD_LOG, `dlopen ${path}\\n`);",
      "  return dlopen.call(this, module, path, ...rest);",
      "};",
    ]);
    const loads = (args: string[]): string[] => {
      writeFileSync(trace, "");
      const r = spawnSync(process.execPath, ["--require", preload, binPath, ...args], { cwd: suite.work, env: { ...suite.sb.env, ...env, LOAD_LOG: trace }, encoding: "utf8" });
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return readFileSync(trace, "utf8").split("\n").filter((l) => /keyring/.test(l)).map((l) => l.replace(/ .*\//, " "));
    };
    // Positive control: a decryption reads the identity from the keychain, and the probe sees the module load.
    expect(loads(["get", "API_KEY", "--reveal", "--file", file])).toEqual(["compiled keyring.cjs", expect.stringMatching(/^dlopen keyring\.[a-z0-9-]+\.node$/)]);
    const plain = join(suite.work, "plain.env");
    writeFileSync(plain, `# git-vault v1\n# recipient: ${recipient}\n\nPLAIN=not-yet-encrypted\n`);
    for (const args of [["--version"], ["--help"], ["keys", "--help"], ["list", "--file", plain], ["recipients", "list", "--file", file], ["check", "--file", file]]) {
      expect(loads(args), args.join(" ")).toEqual([]);
    }
    // `list` marks values this device cannot open (SPEC §4: `undecryptable`), so for encrypted values it reads the identity.
    expect(loads(["list", "--file", file])).toHaveLength(2);
  });

  it("a missing native module is said and the file used (a build for a platform with no @napi-rs/keyring binary)", () => {
    const copy = suite.sb.dir("dist-without-binary");
    for (const name of readdirSync(join(repoRoot, "dist"))) if (!name.endsWith(".node")) copyFileSync(join(repoRoot, "dist", name), join(copy, name));
    const env = device("no-binary");
    const r = spawnSync(process.execPath, [join(copy, "bin.cjs"), "keygen"], { cwd: suite.work, env: { ...suite.sb.env, ...env }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^created identity .*\/git-vault\/identity \(not in the keychain: the keychain module \(@napi-rs\/keyring\) did not load: .+\)$/m);
    expect(statSync(identityFileOf(env)).mode & 0o777).toBe(0o600);
    log.secret(KEY_RE.exec(readFileSync(identityFileOf(env), "utf8"))?.[0] as string, "the no-binary identity");
    expect(searchAll()).toBe("");
  });

  it("a locked collection is not used: keygen writes the file and says why (runs last: the login keyring stays locked)", () => {
    const locked = tool("dbus-send", ["--session", "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login"], { env: busEnv });
    expect(locked.status, locked.stderr).toBe(0);
    const env = device("locked");
    const r = ok(["keygen"], { env });
    // gnome-keyring answers a store into a locked collection with an unlock prompt, dismissed here (no display).
    expect(r.stderr).toMatch(/^created identity .*\/git-vault\/identity \(not in the keychain: Secret Service: cannot store account identity \(.*unlock prompt was dismissed\)\)$/m);
    expect(statSync(identityFileOf(env)).mode & 0o777).toBe(0o600);
    log.secret(KEY_RE.exec(readFileSync(identityFileOf(env), "utf8"))?.[0] as string, "the locked-keychain identity");
    expect(ok(["keys", "where"], { env }).stdout).toBe(`file\t${identityFileOf(env)}\n`);
    expect(searchAll()).toBe("");
  });
});
