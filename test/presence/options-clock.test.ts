import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_TTL_MS,
  createMemoryPresenceStore,
  manualClock,
  systemClock,
} from "../../src/presence/index.js";
import { makeStore } from "./helpers.js";

describe("store options", () => {
  it.each([
    [{ ttlMs: 0 }, /ttlMs must be a finite number > 0, got 0/],
    [{ ttlMs: -5 }, /ttlMs/],
    [{ ttlMs: Number.NaN }, /ttlMs/],
    [{ ttlMs: "300" }, /ttlMs must be a finite number > 0, got "300"/],
    [{ maxEntries: 0 }, /maxEntries must be an integer >= 1, got 0/],
    [{ maxEntries: 2.5 }, /maxEntries/],
    [{ ephemeralModes: "cli" }, /ephemeralModes must be an array of non-empty strings/],
    [{ ephemeralModes: ["cli", ""] }, /ephemeralModes/],
    [{ sweepIntervalMs: -1 }, /sweepIntervalMs must be a finite number >= 0/],
    [{ clock: {} }, /clock must be an object with a now\(\) method/],
    [{ onListenerError: 1 }, /onListenerError must be a function/],
  ])("rejects %o with a clear error", (options, message) => {
    expect(() => createMemoryPresenceStore(options as never)).toThrow(message);
  });

  it("defaults to a 5 minute TTL and 200 rows", async () => {
    expect(DEFAULT_TTL_MS).toBe(300_000);
    expect(DEFAULT_MAX_ENTRIES).toBe(200);
    const { store, clock } = makeStore();
    await store.upsert("a", {});
    clock.advance(300_000);
    expect(await store.size()).toBe(1);
    clock.advance(1);
    expect(await store.size()).toBe(0);
    expect(store.isEphemeral("cli")).toBe(true);
  });

  it("reports a clock that returns no number instead of storing a bad ts", async () => {
    const store = createMemoryPresenceStore({ clock: { now: () => Number.NaN }, sweepIntervalMs: 0 });
    await expect(store.upsert("a", {})).rejects.toThrow(/clock.now\(\) returned NaN/);
  });

  it("close() stops the sweep timer; expiry then runs only at read time", async () => {
    let now = 0;
    const { store, changes } = makeStore({ ttlMs: 10, sweepIntervalMs: 5, clock: { now: () => now } });
    await store.upsert("a", {});
    await store.close();
    now = 100;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(changes.map((c) => c.kind)).toEqual(["upsert"]);
    expect(await store.size()).toBe(0);
    expect(changes.map((c) => c.kind)).toEqual(["upsert", "expire"]);
  });
});

describe("clocks", () => {
  it("manualClock moves only when advanced, and refuses to go backwards", () => {
    const clock = manualClock(100);
    expect(clock.now()).toBe(100);
    expect(clock.advance(50)).toBe(150);
    expect(clock.now()).toBe(150);
    expect(() => clock.advance(-1)).toThrow(/ms must be a finite number >= 0/);
    expect(clock.now()).toBe(150);
  });

  it("systemClock follows Date.now()", () => {
    const before = Date.now();
    const t = systemClock.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});
