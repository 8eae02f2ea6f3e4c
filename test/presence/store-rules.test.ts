import { describe, expect, it } from "vitest";
import { SELF_KEY, isEphemeralMode, presenceKey } from "../../src/presence/index.js";
import { BACKENDS } from "./helpers.js";

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== undefined)(`${backend.name} store${backend.skip ? ` (skipped: ${backend.skip})` : ""}`, () => {
    describe("K1 presence key", () => {
      it("merges the same instanceId in any letter case and surrounding space into one row", async () => {
        const { store } = await backend.make();
        await store.upsert(presenceKey("Mac-1", "conn-1"), { instanceId: "Mac-1", host: "a" });
        await store.upsert(presenceKey("  mac-1 ", "conn-2"), { instanceId: "mac-1", platform: "macos" });
        const rows = await store.list();
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ host: "a", platform: "macos" });
      });

      it("keeps two rows for two connections without an instanceId (the documented duplicate)", async () => {
        const { store } = await backend.make();
        await store.upsert(presenceKey(undefined, "conn-1"), { host: "laptop" });
        await store.upsert(presenceKey(undefined, "conn-2"), { host: "laptop" });
        expect(await store.size()).toBe(2);
      });

      it("normalises keys defensively (trim + lower case) and rejects blank or non-string keys", async () => {
        const { store } = await backend.make();
        await store.upsert("  ABC ", { host: "x" });
        expect(await store.get("abc")).toMatchObject({ host: "x" });
        expect(await store.get(" aBc")).toMatchObject({ host: "x" });
        await expect(store.upsert("   ", { host: "x" })).rejects.toThrow(/key must not be empty/);
        await expect(store.upsert(42 as unknown as string, { host: "x" })).rejects.toThrow(/key must be a string/);
        expect(await store.size()).toBe(1);
      });
    });

    describe("K3 field-by-field merge", () => {
      it("keeps stored fields that the update leaves absent or undefined", async () => {
        const { store } = await backend.make();
        await store.upsert("a", { host: "h", ip: "10.0.0.2", version: "1.0", lastInputSeconds: 5 });
        const row = await store.upsert("a", { host: undefined, ip: undefined, version: "1.1" });
        expect(row).toMatchObject({ host: "h", ip: "10.0.0.2", version: "1.1", lastInputSeconds: 5 });
      });

      it("sets ts from the clock on every write, also when nothing else changes", async () => {
        const { store, clock } = await backend.make();
        const first = await store.upsert("a", { host: "h" });
        clock.advance(1234);
        const second = await store.upsert("a", {});
        expect(second.ts).toBe(first.ts + 1234);
        expect(second.ts).toBe(clock.now());
      });

      it("ignores a ts, and unknown fields such as a beacon's tags, in the update", async () => {
        const { store, clock } = await backend.make();
        const row = await store.upsert("a", { host: "h", ts: 5, tags: ["t"] } as never);
        expect(row.ts).toBe(clock.now());
        expect(row).not.toHaveProperty("tags");
      });

      it("unions roles and scopes, without duplicates, in first-seen order", async () => {
        const { store } = await backend.make();
        await store.upsert("a", { roles: ["operator"], scopes: ["operator.read", "operator.write"] });
        const row = await store.upsert("a", { roles: ["node", "operator"], scopes: ["operator.admin", "operator.read"] });
        expect(row.roles).toEqual(["operator", "node"]);
        expect(row.scopes).toEqual(["operator.read", "operator.write", "operator.admin"]);
      });

      it("keeps at most 32 list items, dropping the oldest ones the update does not name", async () => {
        const { store } = await backend.make();
        const old = Array.from({ length: 32 }, (_, i) => `old-${i}`);
        await store.upsert("a", { scopes: old });
        const row = await store.upsert("a", { scopes: ["old-0", "new-1", "new-2"] });
        expect(row.scopes).toHaveLength(32);
        expect(row.scopes).toContain("old-0");
        expect(row.scopes).toContain("new-1");
        expect(row.scopes).toContain("new-2");
        expect(row.scopes).not.toContain("old-1");
        expect(row.scopes).not.toContain("old-2");
      });

      it("rejects null and wrongly typed fields with an error naming the field, writing nothing", async () => {
        const { store, changes } = await backend.make();
        await store.upsert("a", { host: "h" });
        await expect(store.upsert("a", { host: null } as never)).rejects.toThrow(/host must be a non-empty string, got null/);
        await expect(store.upsert("a", { lastInputSeconds: -1 })).rejects.toThrow(/lastInputSeconds must be an integer >= 0/);
        await expect(store.upsert("a", { roles: ["ok", ""] })).rejects.toThrow(/roles\[1\]/);
        await expect(store.upsert("a", { instanceId: "   " })).rejects.toThrow(/instanceId/);
        await expect(store.upsert("a", "nope" as never)).rejects.toThrow(/fields must be an object/);
        expect(await store.get("a")).toEqual({ host: "h", ts: expect.any(Number) });
        expect(changes).toHaveLength(1);
      });

      it("hands out copies: changing a returned row does not change the store", async () => {
        const { store } = await backend.make();
        const row = await store.upsert("a", { host: "h", roles: ["r"] });
        row.host = "changed";
        row.roles!.push("x");
        expect(await store.get("a")).toMatchObject({ host: "h", roles: ["r"] });
      });

      it("hands out copies of the self row too: changing a listed self row does not change the next listing", async () => {
        // The clock stands still, so every listing below is of the same millisecond (the memory
        // store shares one self object per millisecond internally; callers must still get copies).
        const { store } = await backend.make();
        await store.setSelf({ host: "gw", roles: ["r"] });
        const listed = (await store.list())[0];
        listed.host = "changed";
        listed.roles!.push("x");
        const keyed = (await store.listKeyed()).find((row) => row.key === SELF_KEY)!.entry;
        expect(keyed).toMatchObject({ host: "gw", roles: ["r"] });
        keyed.host = "changed again";
        expect((await store.list())[0]).toMatchObject({ host: "gw", roles: ["r"] });
        expect(await store.get(SELF_KEY)).toMatchObject({ host: "gw", roles: ["r"] });
      });
    });

    describe("K4 instanceId letter case", () => {
      it("stores the trimmed instanceId as its latest writer spelled it; lookups ignore case", async () => {
        const { store } = await backend.make();
        await store.upsert("mac-1", { instanceId: "MAC-1" });
        expect(await store.get("Mac-1")).toMatchObject({ instanceId: "MAC-1" });
        await store.upsert("MAC-1", { instanceId: "  Mac-1  " });
        expect(await store.get("mac-1")).toMatchObject({ instanceId: "Mac-1" });
        await store.upsert("mac-1", { host: "no instanceId in this write" });
        expect(await store.get("MAC-1")).toMatchObject({ instanceId: "Mac-1" });
      });
    });

    describe("P1 self row", () => {
      it("is listed first with a fresh ts, and is never expired", async () => {
        const { store, clock } = await backend.make({ ttlMs: 1000 });
        await store.setSelf({ host: "gw", mode: "gateway", version: "1" });
        await store.upsert("a", { host: "a" });
        clock.advance(10_000);
        const rows = await store.list();
        expect(rows).toEqual([{ host: "gw", mode: "gateway", version: "1", reason: "self", ts: clock.now() }]);
        expect(await store.get(SELF_KEY)).toMatchObject({ ts: clock.now() });
      });

      it("is never evicted and counts towards maxEntries", async () => {
        const { store, clock } = await backend.make({ maxEntries: 3 });
        await store.setSelf({ host: "gw", reason: "self" });
        for (let i = 0; i < 10; i++) {
          clock.advance(1);
          await store.upsert(`c${i}`, { host: `c${i}` });
        }
        const rows = await store.list();
        expect(rows.map((r) => r.host)).toEqual(["gw", "c9", "c8"]);
      });

      it("cannot be taken over by a peer using the self key or the gateway's instanceId", async () => {
        const { store } = await backend.make();
        await store.setSelf({ instanceId: "gw-1", host: "gw" });
        await store.upsert(SELF_KEY, { host: "intruder" });
        await store.upsert("gw-1", { instanceId: "gw-1", host: "peer" });
        const self = await store.get(SELF_KEY);
        expect(self).toMatchObject({ host: "gw", reason: "self" });
        expect((await store.list())[0]).toMatchObject({ host: "gw" });
      });

      it("evicts the oldest row when seeded into a full store, so the cap holds", async () => {
        const { store, clock, changes } = await backend.make({ maxEntries: 2 });
        await store.upsert("a", {});
        clock.advance(1);
        await store.upsert("b", {});
        await store.setSelf({ host: "gw" });
        expect(await store.size()).toBe(2);
        expect(changes.filter((c) => c.kind === "evict").map((c) => c.key)).toEqual(["a"]);
      });
    });

    describe("P3 ephemeral modes", () => {
      it("treats cli as ephemeral by default, trimmed and in any case", () => {
        expect(isEphemeralMode("cli", ["cli"])).toBe(true);
        expect(isEphemeralMode(" CLI ", ["cli"])).toBe(true);
        expect(isEphemeralMode("ui", ["cli"])).toBe(false);
        expect(isEphemeralMode(undefined, ["cli"])).toBe(false);
        expect(isEphemeralMode("cli")).toBe(true);
      });

      it("follows the store's configured modes", async () => {
        const { store } = await backend.make({ ephemeralModes: ["probe", "test"] });
        expect(store.isEphemeral("probe")).toBe(true);
        expect(store.isEphemeral("cli")).toBe(false);
      });
    });

    describe("P6 disconnect", () => {
      it("keeps the row with reason disconnect and a fresh ts, until the TTL", async () => {
        const { store, clock } = await backend.make({ ttlMs: 1000 });
        await store.upsert("a", { host: "a", reason: "connect" });
        clock.advance(600);
        const row = await store.markDisconnected("A");
        expect(row).toMatchObject({ host: "a", reason: "disconnect", ts: clock.now() });
        clock.advance(900);
        expect(await store.get("a")).toMatchObject({ reason: "disconnect" });
        clock.advance(101);
        expect(await store.get("a")).toBeUndefined();
      });

      it("never brings back an expired or evicted row", async () => {
        const { store, clock, changes } = await backend.make({ ttlMs: 1000, maxEntries: 1 });
        await store.upsert("old", {});
        await store.upsert("new", {});
        expect(await store.markDisconnected("old")).toBeUndefined();
        clock.advance(1001);
        expect(await store.markDisconnected("new")).toBeUndefined();
        expect(await store.size()).toBe(0);
        expect(changes.map((c) => c.kind)).toEqual(["upsert", "evict", "upsert", "expire"]);
      });
    });
  });
}
