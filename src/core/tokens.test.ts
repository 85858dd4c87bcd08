import { describe, expect, it } from "vitest";
import { type Session, hashToken, hasScope, isKeyPattern, keyMatches, looksLikeToken, newToken, parseScopes, parseTokenTtl, sessionProblem } from "./tokens.js";

describe("parseScopes", () => {
  it("takes read, reveal and write, comma-separated, once each", () => {
    expect(parseScopes("read")).toEqual(["read"]);
    expect(parseScopes(" reveal , write,reveal ")).toEqual(["reveal", "write"]);
  });
  it("refuses anything else", () => {
    for (const bad of ["", ",", "admin", "read,admin", "READ"]) expect(parseScopes(bad)).toBeNull();
  });
  it("every scope includes read", () => {
    expect(hasScope({ scopes: ["write"] }, "read")).toBe(true);
    expect(hasScope({ scopes: ["write"] }, "reveal")).toBe(false);
  });
});

describe("keyMatches", () => {
  it("matches whole names with * and ?", () => {
    expect(keyMatches(["DEPLOY_*"], "DEPLOY_TOKEN")).toBe(true);
    expect(keyMatches(["DEPLOY_*"], "MY_DEPLOY_TOKEN")).toBe(false);
    expect(keyMatches(["DB_?RL"], "DB_URL")).toBe(true);
    expect(keyMatches(["DB_URL"], "DB_URLS")).toBe(false);
    expect(keyMatches(["A", "B*"], "BX")).toBe(true);
    expect(keyMatches([], "A")).toBe(false);
  });
  it("takes a dot literally", () => {
    expect(keyMatches(["a.b"], "axb")).toBe(false);
    expect(keyMatches(["a.b"], "a.b")).toBe(true);
  });
  it("patterns are key characters plus * and ?", () => {
    expect(isKeyPattern("DEPLOY_*")).toBe(true);
    for (const bad of ["", "a/b", "(.*)", "a b", "x".repeat(257)]) expect(isKeyPattern(bad)).toBe(false);
  });
});

describe("parseTokenTtl", () => {
  it("reads s, m, h and d", () => {
    expect(parseTokenTtl("90s")).toBe(90_000);
    expect(parseTokenTtl("15m")).toBe(900_000);
    expect(parseTokenTtl("1h")).toBe(3_600_000);
    expect(parseTokenTtl("30d")).toBe(2_592_000_000);
  });
  it("refuses zero, units it does not know and other text", () => {
    for (const bad of ["0s", "1", "1w", "-1h", "1.5h", "h", "1h30m", "1000000d", "9999999999s"]) expect(parseTokenTtl(bad)).toBeNull();
    expect(parseTokenTtl("999999d")).toBe(999_999 * 86_400_000);
  });
});

describe("tokens", () => {
  it("are 256 random bits with a prefix, and their hash is not them", () => {
    const a = newToken("gvat_");
    const b = newToken("gvat_");
    expect(a).toMatch(/^gvat_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(looksLikeToken(a)).toBe(true);
    expect(looksLikeToken(newToken("gvrt_"))).toBe(true);
    expect(looksLikeToken("gvat_short")).toBe(false);
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(a)).not.toContain(a.slice(5));
  });

  it("a session is refused when revoked or expired", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const base = { accessExpires: "2026-01-01T00:00:01Z", refreshExpires: "2025-12-31T23:59:59Z", revoked: null } as unknown as Session;
    expect(sessionProblem(base, now, "access")).toBeNull();
    expect(sessionProblem(base, now, "refresh")).toBe("expired");
    expect(sessionProblem({ ...base, refreshExpires: null }, now, "refresh")).toBe("expired");
    expect(sessionProblem({ ...base, revoked: "2025-12-31T00:00:00Z" }, now, "access")).toBe("revoked");
  });
});
