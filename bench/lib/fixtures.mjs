/**
 * Fixtures, made fresh on every run under bench/.work/fixtures (a git repo of
 * its own, so git-vault resolves its repo root there and not in the project):
 *
 *   cfg/git-vault/identity   the identity every git-vault run uses (XDG_CONFIG_HOME)
 *   plain/k{N}.env           N plaintext lines KEY_i=value_i, no header (1 recipient: our own)
 *   plain10/k{N}.env         the same under a header naming 10 recipients
 *   gv/k{N}/.env             plain/k{N}.env encrypted by git-vault
 *   dx/k{N}/.env(.keys)      plain/k{N}.env encrypted by dotenvx, with its key file
 *   gitlog/                  a repo whose .env.dev has 50 revisions, 100 keys
 *   gitcrypt/                the same history in plaintext, under git-crypt
 *   agent-NAME/              XDG_CACHE_HOME of one `git vault agent` each
 *
 * Each is made when a case first needs it.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function check(r, what) {
  if (r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status}): ${(r.stderr ?? "").toString().trim().slice(0, 2000)}`);
  }
  return r;
}

export function plaintextLines(n, suffix = "") {
  let s = "";
  for (let i = 1; i <= n; i++) s += `KEY_${i}=value_${i}${suffix}\n`;
  return s;
}

export class Fixtures {
  /**
   * @param {{root: string, distBin: string, env: Record<string,string>, peers: any}} o
   */
  constructor({ root, distBin, env, peers }) {
    this.root = root;
    this.distBin = distBin;
    this.env = env;
    this.peers = peers;
    this.memo = new Map();
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    check(spawnSync("git", ["init", "-q", root], { env, encoding: "utf8" }), "git init fixtures");
  }

  once(key, make) {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key);
  }

  /** Runs git-vault for fixture making (not measured). */
  gv(args, { cwd = this.root, env = this.env } = {}) {
    return check(spawnSync(process.execPath, [this.distBin, ...args], { cwd, env, encoding: "utf8" }), `git-vault ${args.join(" ")}`);
  }

  /** Our identity and its recipient. */
  identity() {
    return this.once("identity", () => {
      const r = this.gv(["keygen"]);
      const recipient = /age1[0-9a-z]+/.exec(r.stdout + r.stderr)?.[0];
      if (!recipient) throw new Error(`keygen printed no recipient: ${r.stdout}${r.stderr}`);
      return { recipient, file: join(this.env.XDG_CONFIG_HOME, "git-vault", "identity") };
    });
  }

  /** Nine more recipients (each its own keygen in a throwaway config dir). */
  extraRecipients() {
    return this.once("extra", () => {
      const out = [];
      for (let i = 0; i < 9; i++) {
        const cfg = join(this.root, "extra-cfg", String(i));
        mkdirSync(cfg, { recursive: true });
        const r = this.gv(["keygen"], { env: { ...this.env, XDG_CONFIG_HOME: cfg } });
        const recipient = /age1[0-9a-z]+/.exec(r.stdout + r.stderr)?.[0];
        if (!recipient) throw new Error("keygen printed no recipient");
        out.push(recipient);
      }
      return out;
    });
  }

  /** All-plaintext file, no header. */
  plain(n) {
    return this.once(`plain${n}`, () => {
      const dir = join(this.root, "plain");
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `k${n}.env`);
      writeFileSync(path, plaintextLines(n));
      return path;
    });
  }

  /** All-plaintext values under a header with 10 recipients (ours first). */
  plain10(n) {
    return this.once(`plain10_${n}`, () => {
      const dir = join(this.root, "plain10");
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `k${n}.env`);
      const recipients = [this.identity().recipient, ...this.extraRecipients()];
      const header = ["# git-vault v1", ...recipients.map((r) => `# recipient: ${r}`), ""].join("\n");
      writeFileSync(path, `${header}\n${plaintextLines(n)}`);
      return path;
    });
  }

  /** plain(n) encrypted by git-vault (one recipient: ours). */
  gvEncrypted(n, suffix = "") {
    return this.once(`gv${n}${suffix}`, () => {
      this.identity();
      const dir = join(this.root, `gv${suffix}`, `k${n}`);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, ".env");
      writeFileSync(path, plaintextLines(n, suffix));
      this.gv(["encrypt", "--file", path]);
      return path;
    });
  }

  /** plain(n) encrypted by dotenvx, `.env.keys` beside it. */
  dxEncrypted(n) {
    return this.once(`dx${n}`, () => {
      if (!this.peers.dotenvx) return null;
      const dir = join(this.root, "dx", `k${n}`);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, ".env");
      writeFileSync(path, plaintextLines(n));
      check(spawnSync(this.peers.dotenvx, ["encrypt", "-f", path], { cwd: dir, env: this.env, encoding: "utf8", maxBuffer: 64 << 20 }), "dotenvx encrypt");
      return path;
    });
  }

  /** A small value encrypted with the age CLI to an age-keygen identity. */
  ageFiles() {
    return this.once("age", () => {
      if (!this.peers.age || !this.peers.ageKeygen) return null;
      const dir = join(this.root, "age");
      mkdirSync(dir, { recursive: true });
      const identity = join(dir, "identity.txt");
      check(spawnSync(this.peers.ageKeygen, ["-o", identity], { env: this.env, encoding: "utf8" }), "age-keygen");
      const recipient = /age1[0-9a-z]+/.exec(readFileSync(identity, "utf8"))?.[0];
      const plain = join(dir, "value.txt");
      writeFileSync(plain, "value_1");
      const encrypted = join(dir, "value.age");
      check(spawnSync(this.peers.age, ["-r", recipient, "-o", encrypted, plain], { env: this.env, encoding: "utf8" }), "age -e");
      return { identity, recipient, plain, encrypted };
    });
  }

  /**
   * A vault repo whose `.env.dev` (100 keys) has 50 revisions: the first is
   * the encrypted file, each later one swaps one more value for a second
   * encryption of a different value (what `set` does, without 49 processes).
   */
  gitlog() {
    return this.once("gitlog", () => {
      const first = readFileSync(this.gvEncrypted(100), "utf8");
      const second = readFileSync(this.gvEncrypted(100, "_r2"), "utf8");
      return this.history("gitlog", first, second, (git, dir) => {
        git("config", "diff.git-vault.textconv", `node ${this.distBin} textconv`);
        writeFileSync(join(dir, ".gitattributes"), "*.env* diff=git-vault\n.env.* diff=git-vault\n");
      });
    });
  }

  /**
   * gitlog()'s history for git-crypt, the peer: the same 50 revisions with
   * the values in plaintext (what git-vault's textconv prints), encrypted by
   * git-crypt's clean filter and shown by its textconv (`git-crypt diff`).
   */
  gitcrypt(gitCrypt) {
    return this.once("gitcrypt", () => {
      const header = readFileSync(this.gvEncrypted(100), "utf8").split("\n").filter((l) => l.startsWith("#")).join("\n");
      return this.history("gitcrypt", `${header}\n\n${plaintextLines(100)}`, plaintextLines(100, "_r2"), (_git, dir) => {
        check(spawnSync(gitCrypt, ["init"], { cwd: dir, env: this.env, encoding: "utf8" }), "git-crypt init");
        writeFileSync(join(dir, ".gitattributes"), ".env.* filter=git-crypt diff=git-crypt\n");
      });
    });
  }

  /**
   * A repo `name` whose `.env.dev` has 50 revisions: `first`, then each
   * revision takes one more KEY_i line from `second`. `prepare` sets the
   * repo up (config, .gitattributes) before the first commit.
   */
  history(name, first, second, prepare) {
    const lineOf = (text, i) => text.split("\n").find((l) => l.startsWith(`KEY_${i}=`));
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    const git = (...args) => check(spawnSync("git", args, { cwd: dir, env: this.env, encoding: "utf8" }), `git ${args.join(" ")}`);
    git("init", "-q");
    prepare(git, dir);
    let text = first;
    for (let rev = 1; rev <= 50; rev++) {
      if (rev > 1) text = text.replace(lineOf(text, rev - 1), lineOf(second, rev - 1));
      writeFileSync(join(dir, ".env.dev"), text);
      git("add", "-A");
      git("commit", "-q", "-m", `revision ${rev}`);
    }
    return dir;
  }

  /**
   * The environment of one `git vault agent`: its own XDG_CACHE_HOME, so
   * agents with and without a cache run side by side (one socket each).
   */
  agentEnv(name) {
    const cache = join(this.root, `agent-${name}`);
    mkdirSync(cache, { recursive: true });
    return { ...this.env, XDG_CACHE_HOME: cache };
  }

  /** A fresh copy of `src` at `dst` (untimed set-up before each run of a mutating command). */
  static fresh(src, dst) {
    rmSync(dst, { force: true });
    rmSync(`${dst}.lock`, { force: true });
    copyFileSync(src, dst);
  }
}
