import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Secret } from "../core/secret.js";
import { missingSessionBus, probeKeychain } from "./keychain.js";

describe("missingSessionBus", () => {
  it("finds a bus from DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus, as libdbus does", () => {
    expect(missingSessionBus({ DBUS_SESSION_BUS_ADDRESS: "unix:path=/run/user/1000/bus" })).toBeNull();
    expect(missingSessionBus({})).toMatch(/no D-Bus session bus/);
    const runtime = mkdtempSync(join(tmpdir(), "git-vault-runtime-"));
    try {
      expect(missingSessionBus({ XDG_RUNTIME_DIR: runtime })).toMatch(/no D-Bus session bus/);
      writeFileSync(join(runtime, "bus"), "");
      expect(missingSessionBus({ XDG_RUNTIME_DIR: runtime })).toBeNull();
      expect(missingSessionBus({ DBUS_SESSION_BUS_ADDRESS: "", XDG_RUNTIME_DIR: runtime })).toBeNull();
    } finally {
      rmSync(runtime, { recursive: true, force: true });
    }
  });
});

describe("probeKeychain", () => {
  it("uses no keychain on platforms other than macOS and Linux, and none on Linux without a bus", () => {
    expect(probeKeychain({}, "win32")).toEqual({ store: null, problem: "no keychain support on win32" });
    expect(probeKeychain({}, "linux")).toEqual({ store: null, problem: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)" });
  });
});

describe("the keychain store", () => {
  /** A keychain in memory that counts the calls a lookup makes (each one a D-Bus round trip on Linux). */
  function fakeKeychain(entries: Map<string, string>) {
    const calls: string[] = [];
    class Entry {
      constructor(
        readonly service: string,
        readonly account: string,
      ) {}
      getPassword(): string | null {
        calls.push(`get ${this.account}`);
        return entries.get(this.account) ?? null;
      }
      setPassword(secret: string): void {
        calls.push(`set ${this.account}`);
        entries.set(this.account, secret);
      }
      deletePassword(): boolean {
        calls.push(`delete ${this.account}`);
        return entries.delete(this.account);
      }
    }
    const findCredentials = (service: string) => {
      calls.push(`find ${service}`);
      return [...entries].map(([account, password]) => ({ account, password }));
    };
    return { calls, load: () => ({ Entry, findCredentials }) as unknown as typeof import("@napi-rs/keyring") };
  }
  const bus = { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" };
  const KEY = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSW8S4TX";

  it("reads the keychain once per lookup, and again after it wrote", () => {
    const fake = fakeKeychain(new Map([["identity", `${KEY}\n`]]));
    const probe = probeKeychain(bus, "linux", fake.load);
    const store = probe.store;
    if (store === null) throw new Error(probe.problem);
    expect(store.read()?.keys.map((k) => k.key.reveal())).toEqual([KEY]);
    expect(store.read()?.keys).toHaveLength(1);
    expect(fake.calls).toEqual(["get identity", "find git-vault"]);
    store.remove();
    expect(store.read()).toBeNull();
    expect(fake.calls.slice(2)).toEqual(["find git-vault", "delete identity", "find git-vault", "get identity"]);
  });

  it("takes entries without the device entry for what a cut-short migration left: no identity; a new write goes ahead and keeps other keys", () => {
    // What `keys migrate --to keychain` killed before its last write leaves: other keys, no device entry.
    const leftover = "AGE-SECRET-KEY-1QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LQPZRY9X8GF2TVDW0S3JN5S6VW0F";
    const entries = new Map([["key:0123456789ab", `# git-vault: retired 2026-12-01T00:00:00Z\n${leftover}\n`]]);
    const fake = fakeKeychain(entries);
    const store = probeKeychain(bus, "linux", fake.load).store;
    if (store === null) throw new Error("no store");
    expect(store.read()).toBeNull();
    store.write({ keys: [{ key: new Secret(KEY), state: "current" }] }, { exclusive: true });
    // The stray key is another key than the one written: kept beside it, never deleted without a copy.
    expect([...entries.keys()].sort()).toEqual(["identity", "key:0123456789ab"]);
    expect(() => store.write({ keys: [{ key: new Secret(KEY), state: "current" }] }, { exclusive: true })).toThrow(/already exists/);
  });

  it("removes the device entry first when the identity was copied elsewhere, last otherwise", () => {
    const both = () => new Map([["identity", `${KEY}\n`], ["key:0123456789ab", `# git-vault: retired\n${KEY.replace("QYQSZ", "QYQSX")}\n`]]);
    const migrating = fakeKeychain(both());
    probeKeychain(bus, "linux", migrating.load).store?.remove({ copied: true });
    expect(migrating.calls.filter((c) => c.startsWith("delete"))).toEqual(["delete identity", "delete key:0123456789ab"]);
    const plain = fakeKeychain(both());
    probeKeychain(bus, "linux", plain.load).store?.remove();
    expect(plain.calls.filter((c) => c.startsWith("delete"))).toEqual(["delete key:0123456789ab", "delete identity"]);
  });
});
