import { describe, expect, it } from "vitest";
import { BACKENDS } from "./helpers.js";
import { scaled } from "../support/timing.js";

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== undefined)(`${backend.name} store${backend.skip ? ` (skipped: ${backend.skip})` : ""}`, () => {
    describe("S1 TTL", () => {
      it("removes rows more than ttlMs old (not those exactly ttlMs old) and tells listeners", async () => {
        const { store, clock, changes } = await backend.make({ ttlMs: 1000 });
        await store.upsert("a", {});
        clock.advance(500);
        await store.upsert("b", {});
        clock.advance(500);
        expect(await store.expire()).toBe(0);
        clock.advance(1);
        expect(await store.expire()).toBe(1);
        expect(changes.at(-1)).toMatchObject({ kind: "expire", key: "a" });
        expect((await store.list()).map((r) => r.ts)).toEqual([clock.now() - 501]);
      });

      it("expires at read time too: list, get and size never show a stale row", async () => {
        const { store, clock } = await backend.make({ ttlMs: 1000 });
        await store.upsert("a", {});
        clock.advance(1001);
        expect(await store.get("a")).toBeUndefined();
        await store.upsert("b", {});
        clock.advance(1001);
        expect(await store.size()).toBe(0);
        await store.upsert("c", {});
        clock.advance(1001);
        expect(await store.list()).toEqual([]);
      });

      it("expires on its own timer when nobody reads", async () => {
        let now = 0;
        const { store, changes } = await backend.make({ ttlMs: 50, sweepIntervalMs: 10, clock: { now: () => now } });
        await store.upsert("a", {});
        now = 100;
        const deadline = Date.now() + scaled(5_000);
        while (changes.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        expect(changes.at(-1)).toMatchObject({ kind: "expire", key: "a" });
        await store.close();
      });

      it("touch() keeps a row alive without reporting a change; it never revives a row already expired", async () => {
        const { store, clock, changes } = await backend.make({ ttlMs: 1000 });
        await store.upsert("a", {});
        for (let i = 0; i < 5; i++) {
          clock.advance(600);
          await store.touch("A");
        }
        expect(await store.get("a")).toMatchObject({ ts: clock.now() });
        expect(changes).toHaveLength(1);
        clock.advance(1001);
        await store.expire();
        await store.touch("a");
        expect(await store.get("a")).toBeUndefined();
      });

      it("touch(keys) after a clock jump refreshes the live rows before expiry runs; the others expire (S3)", async () => {
        const { store, clock, changes } = await backend.make({ ttlMs: 1000 });
        await store.upsert("live", {});
        await store.upsert("gone", {});
        clock.advance(50_000);
        await store.touch(["LIVE"]);
        expect(await store.get("live")).toMatchObject({ ts: clock.now() });
        expect(await store.get("gone")).toBeUndefined();
        expect(changes.map((c) => c.kind)).toEqual(["upsert", "upsert", "expire"]);
      });

      it("clamps a clock that goes backwards, so ts never decreases", async () => {
        let now = 10_000;
        const { store } = await backend.make({ clock: { now: () => now } });
        const a = await store.upsert("a", {});
        now = 5_000;
        const b = await store.upsert("b", {});
        expect(b.ts).toBe(a.ts);
        expect((await store.list()).map((r) => r.ts)).toEqual([10_000, 10_000]);
      });
    });

    describe("S2 cap", () => {
      it("evicts the row with the oldest ts when a new key arrives at the cap, and tells listeners", async () => {
        const { store, clock, changes } = await backend.make({ maxEntries: 3 });
        await store.upsert("a", {});
        clock.advance(1);
        await store.upsert("b", {});
        clock.advance(1);
        await store.upsert("c", {});
        clock.advance(1);
        await store.upsert("a", { host: "refreshed" });
        clock.advance(1);
        await store.upsert("d", {});
        expect(changes.filter((c) => c.kind === "evict").map((c) => c.key)).toEqual(["b"]);
        expect((await store.list()).map((r) => r.ts)).toEqual([1_000_004, 1_000_003, 1_000_002]);
      });

      it("updating an existing key at the cap evicts nothing", async () => {
        const { store, changes } = await backend.make({ maxEntries: 2 });
        await store.upsert("a", {});
        await store.upsert("b", {});
        await store.upsert("A", { host: "x" });
        expect(changes.some((c) => c.kind === "evict")).toBe(false);
      });

      it("201 distinct rows with self at the default cap give 200 rows, self kept", async () => {
        const { store, clock } = await backend.make();
        await store.setSelf({ host: "gw" });
        for (let i = 0; i < 201; i++) {
          clock.advance(1);
          await store.upsert(`client-${i}`, { host: `c${i}` });
        }
        const rows = await store.list();
        expect(rows).toHaveLength(200);
        expect(rows[0]).toMatchObject({ host: "gw", reason: "self" });
        expect(rows.some((r) => r.host === "c0" || r.host === "c1")).toBe(false);
      });

      it("with maxEntries 1 and a self row, another row is never stored", async () => {
        const { store, changes } = await backend.make({ maxEntries: 1 });
        await store.setSelf({ host: "gw" });
        const row = await store.upsert("a", { host: "a" });
        expect(row.host).toBe("a");
        expect(await store.size()).toBe(1);
        expect(changes).toHaveLength(1);
      });
    });

    describe("E1 change notifications", () => {
      it("reports every change once, with a version that grows by one each time", async () => {
        const { store, clock, changes } = await backend.make({ maxEntries: 2, ttlMs: 100 });
        await store.upsert("a", {});
        await store.upsert("b", {});
        await store.upsert("c", {});
        await store.markDisconnected("c");
        clock.advance(101);
        await store.list();
        expect(changes.map((c) => [c.kind, c.key])).toEqual([
          ["upsert", "a"],
          ["upsert", "b"],
          ["evict", "a"],
          ["upsert", "c"],
          ["disconnect", "c"],
          ["expire", "b"],
          ["expire", "c"],
        ]);
        expect(changes.map((c) => c.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(await store.version()).toBe(7);
      });

      it("keeps delivering in version order when a listener writes, and survives a throwing listener", async () => {
        const errors: unknown[] = [];
        const { store, changes } = await backend.make({ onListenerError: (e) => errors.push(e) });
        store.onChange(() => {
          throw new Error("boom");
        });
        const off = store.onChange((c) => {
          if (c.key === "a") void store.upsert("b", {});
        });
        await store.upsert("a", {});
        off();
        await store.upsert("c", {});
        expect(changes.map((c) => [c.key, c.version])).toEqual([["a", 1], ["b", 2], ["c", 3]]);
        expect(errors).toHaveLength(3);
      });
    });
  });
}
