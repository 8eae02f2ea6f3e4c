import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configDir, fileInstanceIdStore, loadNodeInstanceId } from "../../../src/client/node.js";
import { loadInstanceId, localStorageInstanceIdStore, memoryInstanceIdStore, type StorageLike } from "../../../src/index.js";
import { fileDeviceIdentityStore, generateNodeDeviceIdentity } from "../../../src/transport/device-identity-node.js";
import { scaled } from "../../support/timing.js";

/** A Web Storage with the same semantics as the browser's (string values). */
class MapStorage implements StorageLike {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, String(value));
  }
}

describe("stable instanceId", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "gp-identity-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates an id once and returns the same one afterwards (memory store)", async () => {
    const store = memoryInstanceIdStore();
    const first = await loadInstanceId(store);
    expect(first).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(await loadInstanceId(store)).toBe(first);
  });

  it("keeps the id in localStorage under its key, and replaces an unusable value", async () => {
    const storage = new MapStorage();
    const id = await loadInstanceId(localStorageInstanceIdStore("app.id", storage));
    expect(storage.getItem("app.id")).toBe(id);
    expect(await loadInstanceId(localStorageInstanceIdStore("app.id", storage))).toBe(id);
    storage.setItem("app.id", "   ");
    const replaced = await loadInstanceId(localStorageInstanceIdStore("app.id", storage));
    expect(replaced).not.toBe(id);
    expect(replaced.trim()).not.toBe("");
    expect(() => localStorageInstanceIdStore("k", undefined)).toThrow(/no localStorage/);
  });

  it("uses a caller-supplied generator and refuses one that makes unusable ids", async () => {
    expect(await loadInstanceId(memoryInstanceIdStore(), () => "My-Laptop-1")).toBe("My-Laptop-1");
    await expect(loadInstanceId(memoryInstanceIdStore(), () => "x".repeat(129))).rejects.toThrow(/unusable id/);
  });

  it("persists to a file that a new store (a restarted process) reads back", async () => {
    const id = await loadNodeInstanceId({ dir, name: "desk" });
    const path = join(dir, "desk.instance-id");
    expect((await readFile(path, "utf8")).trim()).toBe(id);
    expect(await loadNodeInstanceId({ dir, name: "desk" })).toBe(id);
    expect(await loadNodeInstanceId({ dir, name: "other-app" })).not.toBe(id);
    if (process.platform !== "win32") expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("agrees on one id when many first starts race", async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => loadNodeInstanceId({ dir: join(dir, "nested", "deeper") })));
    expect(new Set(ids).size).toBe(1);
  });

  it("a folder that cannot be made is an error naming it, for both file stores (Node 20's recursive mkdir never settled under /proc)", async () => {
    const folder = "/proc/self/no-such-folder/gateway-presence";
    await expect(fileInstanceIdStore({ path: join(folder, "id") }).save("abc")).rejects.toMatchObject({ code: "ENOENT", path: "/proc/self/no-such-folder" });
    await expect(fileDeviceIdentityStore(join(folder, "device.json")).save(await generateNodeDeviceIdentity())).rejects.toMatchObject({ code: "ENOENT" });
  }, scaled(10_000));

  it("replaces a corrupt file and keeps a hand-written usable id (trimmed)", async () => {
    const store = fileInstanceIdStore({ path: join(dir, "id") });
    await writeFile(store.path, "\n\n");
    const fresh = await loadInstanceId(store);
    expect(fresh.length).toBeGreaterThan(0);
    expect((await readFile(store.path, "utf8")).trim()).toBe(fresh);
    await writeFile(store.path, "  Kitchen-iPad \n");
    expect(await loadInstanceId(store)).toBe("Kitchen-iPad");
  });

  it("puts the file under XDG_CONFIG_HOME, else ~/.config, else %APPDATA% on Windows", () => {
    expect(configDir({ XDG_CONFIG_HOME: "/x/cfg" }, "linux")).toBe(join("/x/cfg", "gateway-presence"));
    expect(configDir({ HOME: "/home/u" }, "linux")).toMatch(/\.config[\\/]gateway-presence$/);
    expect(configDir({ APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, "win32")).toMatch(/AppData.Roaming.gateway-presence$/);
    expect(() => fileInstanceIdStore({ name: "../etc/passwd" })).toThrow(/name must be/);
  });
});
