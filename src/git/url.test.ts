import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaultError } from "../errors.js";
import { gitRun } from "../../test/support/git.js";
import { makeSandbox, type Sandbox } from "../../test/support/sandbox.js";
import { isRelativeUrl, resolveRelativeUrl } from "./url.js";

// [superproject remote URL, submodule URL, what git resolves it to]
const CASES: readonly (readonly [string, string, string])[] = [
  ["/srv/git/app.git", "../vault.git", "/srv/git/vault.git"],
  ["/srv/git/app.git/", "../vault.git", "/srv/git/vault.git"],
  ["/srv/git/app.git", "./vault.git", "/srv/git/app.git/vault.git"],
  ["/srv/git/app.git", "./../vault.git", "/srv/git/vault.git"],
  ["/srv/git/app.git", "../../other/vault.git", "/srv/other/vault.git"],
  ["/srv/git/app.git", "../vault.git/", "/srv/git/vault.git"],
  ["file:///srv/git/app.git", "../vault.git", "file:///srv/git/vault.git"],
  ["https://git.example.com/acme/app.git", "../app-secrets.git", "https://git.example.com/acme/app-secrets.git"],
  ["https://git.example.com/acme/app", "../app-secrets", "https://git.example.com/acme/app-secrets"],
  ["https://git.example.com/acme/app.git", "../../other/secrets.git", "https://git.example.com/other/secrets.git"],
  ["ssh://git@git.example.com/srv/app.git", "../vault.git", "ssh://git@git.example.com/srv/vault.git"],
  ["git@git.example.com:acme/app.git", "../app-secrets.git", "git@git.example.com:acme/app-secrets.git"],
  ["git@git.example.com:acme/app.git", "./vault.git", "git@git.example.com:acme/app.git/vault.git"],
  ["git@git.example.com:acme/app.git", "../../other/vault.git", "git@git.example.com:other/vault.git"],
  // No '/' left after the colon: `../` removes the `:path` part, and git joins with ':' again.
  ["git@git.example.com:app.git", "../vault.git", "git@git.example.com:vault.git"],
  // A relative remote URL gives a URL relative to the superproject's top level.
  ["../app.git", "../vault.git", "../vault.git"],
  ["app.git", "../vault.git", "vault.git"],
];

describe("resolveRelativeUrl", () => {
  it.each(CASES)("%s + %s → %s", (base, url, expected) => {
    expect(resolveRelativeUrl(base, url)).toBe(expected);
  });

  it("returns a URL that is not relative as given", () => {
    expect(resolveRelativeUrl("/srv/git/app.git", "https://git.example.com/acme/vault.git")).toBe("https://git.example.com/acme/vault.git");
    expect(resolveRelativeUrl("/srv/git/app.git", "/srv/vault.git")).toBe("/srv/vault.git");
    // git needs ./ or ../ to treat a submodule URL as relative.
    expect(resolveRelativeUrl("/srv/git/app.git", "vault.git")).toBe("vault.git");
  });

  it("refuses more ../ than a relative remote URL has components, as git does", () => {
    expect(() => resolveRelativeUrl("app.git", "../../vault.git")).toThrow(expect.objectContaining({ code: "relative-url" }) as VaultError);
  });

  it("isRelativeUrl: only ./ and ../", () => {
    expect(["./v.git", "../v.git"].map(isRelativeUrl)).toEqual([true, true]);
    expect(["v.git", "/srv/v.git", ".../v.git", "https://h/v.git", "git@h:v.git"].map(isRelativeUrl)).toEqual([false, false, false, false, false]);
  });
});

// The same table through git itself: `git submodule init` resolves a relative
// URL from .gitmodules exactly as `git submodule add` does, without cloning.
describe("resolveRelativeUrl agrees with git", () => {
  let sb: Sandbox;
  let repo: string;
  beforeAll(() => {
    sb = makeSandbox();
    repo = sb.repo("oracle");
    sb.git(repo, "commit", "-q", "--allow-empty", "-m", "root");
    const head = sb.git(repo, "rev-parse", "HEAD").trim();
    sb.git(repo, "update-index", "--add", "--cacheinfo", `160000,${head},vault`);
  });
  afterAll(() => sb.cleanup());

  /** What git records as submodule.vault.url for `url` in .gitmodules, with `base` as origin's URL (none when null). */
  function gitResolves(base: string | null, url: string): string {
    gitRun(sb, repo, ["config", "--unset-all", "remote.origin.url"]);
    if (base !== null) sb.git(repo, "config", "remote.origin.url", base);
    writeFileSync(join(repo, ".gitmodules"), `[submodule "vault"]\n\tpath = vault\n\turl = ${url}\n`);
    // `submodule init` keeps an earlier registration: forget it first.
    gitRun(sb, repo, ["config", "--remove-section", "submodule.vault"]);
    sb.git(repo, "submodule", "init", "-q");
    return sb.git(repo, "config", "submodule.vault.url").trim();
  }

  it.each(CASES)("%s + %s", (base, url) => {
    expect(resolveRelativeUrl(base, url)).toBe(gitResolves(base, url));
  });

  it("without a remote, against the superproject's top-level directory", () => {
    expect(gitResolves(null, "../vault.git")).toBe(join(sb.root, "vault.git"));
    expect(resolveRelativeUrl(repo, "../vault.git")).toBe(join(sb.root, "vault.git"));
  });
});
