import { describe, expect, it } from "vitest";
import { UsageError, VaultError, containsPrivateKey, withoutPrivateKeys } from "./errors.js";

describe("VaultError", () => {
  it("recognises a VaultError made by another copy of this module (crypto.cjs bundles its own), and only for VaultError itself", () => {
    // What crypto.cjs's copy makes: an Error with the shared brand, not descended from this VaultError.
    const foreign = Object.assign(new Error("identity bad"), { [Symbol.for("git-vault.VaultError")]: true, code: "crypto-bad-identity" });
    expect(foreign instanceof VaultError).toBe(true);
    expect(foreign instanceof UsageError).toBe(false);
    expect(new Error("plain") instanceof VaultError).toBe(false);
    expect(new UsageError("u") instanceof VaultError).toBe(true);
    expect(new VaultError("x", "y") instanceof UsageError).toBe(false);
  });
});

describe("private keys in text", () => {
  it("are found in any case and replaced, the rest kept", () => {
    const key = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
    expect(containsPrivateKey(`path/${key.toLowerCase()}/x`)).toBe(true);
    expect(containsPrivateKey("AGE-SECRET-KEY-")).toBe(false);
    expect(withoutPrivateKeys(`a ${key} b ${key.toLowerCase()}`)).toBe("a AGE-SECRET-KEY-… (a private key, not shown) b AGE-SECRET-KEY-… (a private key, not shown)");
  });
});
