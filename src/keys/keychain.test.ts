import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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
