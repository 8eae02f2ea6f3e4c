// Issue 11: one change costs one serialization and one frame per binding and format, whatever the
// number of watchers; push rounds stay under pushBytesPerSecond during a burst and still end on the
// latest version. Real gateway, real sockets; nothing here is timed.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KeyedPresenceEntry } from "../../../src/presence/types.js";
import type { PresenceDeltaEvent, PresenceEntry, PresenceEvent } from "../../../src/protocol/index.js";
import { RawJson } from "../../../src/server/core/fanout/raw-json.js";
import { createMemoryPresenceStore, type PresenceStore, type StoreFactory } from "../../../src/server/index.js";
import { connectClient, eventually, observer, startGateway, type WireClient } from "../helpers.js";
import { scaled } from "../../support/timing.js";

async function quiet(ms = 100): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The in-memory store, but every row other than self counts its serializations: a listed row is the
 * same object until it changes (as the in-memory store's), with a non-enumerable toJSON that counts.
 * Whoever turns a row into JSON (the snapshot cache, or code that should not) goes through it.
 */
function countingStore(): { factory: StoreFactory; serialized: () => number } {
  let serialized = 0;
  const counted = new WeakMap<PresenceEntry, PresenceEntry>();
  const wrap = (rows: KeyedPresenceEntry[]): KeyedPresenceEntry[] =>
    rows.map(({ key, entry }) => {
      if (key.startsWith("@Self")) return { key, entry };
      let row = counted.get(entry);
      if (row === undefined) {
        row = { ...entry };
        Object.defineProperty(row, "toJSON", { enumerable: false, value: () => (serialized++, { ...entry }) });
        counted.set(entry, row);
      }
      return { key, entry: row };
    });
  const factory: StoreFactory = (options) => {
    const inner = createMemoryPresenceStore(options);
    const sync = inner.sync && { ...inner.sync, listKeyed: () => wrap(inner.sync!.listKeyed()) };
    return new Proxy(inner, {
      get(target, name) {
        if (name === "sync") return sync;
        if (name === "listKeyed") return async () => wrap(await target.listKeyed());
        const value = Reflect.get(target, name) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as PresenceStore;
  };
  return { factory, serialized: () => serialized };
}

/** Counts RawJson's fallback: the cached list parsed back into objects (to be serialized again). */
function reparsedLists(): () => number {
  const spy = vi.spyOn(RawJson.prototype, "toJSON");
  return () => spy.mock.results.filter((r) => r.type === "return" && typeof r.value !== "string").length;
}

afterEach(() => {
  vi.restoreAllMocks();
});

function lastPush(client: WireClient): PresenceEvent | undefined {
  return client.notifications("presence").at(-1)?.params as PresenceEvent | undefined;
}

describe("one change, one serialization", () => {
  async function costOfOneChange(watchers: number, deltaWatchers: number) {
    const gw = await startGateway();
    const full = await Promise.all(Array.from({ length: watchers }, () => observer(gw)));
    const delta = await Promise.all(
      Array.from({ length: deltaWatchers }, async () => (await connectClient(gw, { mode: "cli", extra: { caps: ["presence.delta"] } })).client),
    );
    const { client: writer } = await connectClient(gw, { mode: "cli", scopes: ["operator.write"] });
    await quiet();
    const before = gw.metrics();
    await writer.result("system-event", { instanceId: "changed-row", text: "one change" });
    await eventually(async () => {
      for (const w of full) expect(JSON.stringify(lastPush(w))).toContain("one change");
      for (const w of delta) expect(JSON.stringify(w.notifications("presence.delta").at(-1))).toContain("one change");
    });
    const after = gw.metrics();
    return {
      snapshots: after.snapshots - before.snapshots,
      frames: after.framesEncoded - before.framesEncoded,
      rounds: after.pushRounds - before.pushRounds,
      pushes: after.presencePushes - before.presencePushes,
    };
  }

  it("serializes the list once and encodes one frame per format, for 1 or 60 watchers", async () => {
    const one = await costOfOneChange(1, 0);
    const many = await costOfOneChange(60, 0);
    expect(one).toEqual({ snapshots: 1, frames: 1, rounds: 1, pushes: 2 }); // the watcher and the writer
    expect(many).toEqual({ snapshots: 1, frames: 1, rounds: 1, pushes: 61 });
    // Delta watchers share one delta frame; full-list watchers share the full one.
    const mixed = await costOfOneChange(30, 30);
    expect(mixed).toEqual({ snapshots: 1, frames: 2, rounds: 1, pushes: 61 });
  });

  it("answers system-presence and hello-ok from the same cached text until the list changes", async () => {
    const gw = await startGateway();
    const watcher = await observer(gw);
    await quiet();
    const before = gw.metrics().snapshots;
    const lists = await Promise.all(Array.from({ length: 20 }, () => watcher.result<unknown[]>("system-presence")));
    for (let i = 0; i < 5; i++) await observer(gw); // cli: no row, no change
    // The watcher's hello-ok built the snapshot: nothing changed since, so nothing is serialized again.
    expect(gw.metrics().snapshots - before).toBe(0);
    expect(new Set(lists.map((l) => JSON.stringify(l.slice(1)))).size).toBe(1);
    await watcher.result("system-event", { instanceId: "x", text: "changed" });
    await eventually(async () => expect(JSON.stringify(lastPush(watcher))).toContain("changed"));
    const after = await watcher.result<Array<{ instanceId?: string }>>("system-presence");
    expect(after.some((row) => row.instanceId === "x")).toBe(true);
    expect(gw.metrics().snapshots - before).toBe(1); // the push's, reused by the listing
  });

  it("serializes each row once: pushes, system-presence answers and hello-oks copy the cached text", async () => {
    const rows = countingStore();
    const reparsed = reparsedLists();
    const gw = await startGateway({ store: rows.factory });
    const { client: writer } = await connectClient(gw, { mode: "cli", scopes: ["operator.write"] });
    // The watchers are connected before the rows are written, so each of them is pushed the list
    // with the last row (a watcher that connected after the last push round would get it in its
    // hello-ok only, and under load that decided whether watchers[0] had a push at all).
    const watchers = await Promise.all(Array.from({ length: 10 }, () => observer(gw)));
    for (const id of ["a", "b", "c"]) await writer.result("system-event", { instanceId: id, text: id });
    await eventually(async () => {
      for (const w of watchers) expect(JSON.stringify(lastPush(w)?.presence ?? null)).toContain('"text":"c"');
    });
    // Each of the three rows was turned into JSON once, however many pushes and hello-oks carried it.
    expect(rows.serialized()).toBe(3);
    // Listings and hello-oks (whole and keyed for deltas) of an unchanged list serialize nothing.
    const listed = await Promise.all(watchers.map((w) => w.result<PresenceEntry[]>("system-presence")));
    for (const list of listed) expect(list.map((row) => row.instanceId).slice(1)).toEqual(["c", "b", "a"]);
    const { hello } = await connectClient(gw, { mode: "cli", extra: { caps: ["presence.delta"] } });
    expect(hello.snapshot.presenceKeys).toEqual(["@Self", "c", "b", "a"]);
    await observer(gw);
    expect(rows.serialized()).toBe(3);
    // One change: only the changed row is serialized, once, for every reader and every answer after it.
    await writer.result("system-event", { instanceId: "b", text: "b2" });
    await eventually(async () => {
      for (const w of watchers) expect(JSON.stringify(lastPush(w)?.presence)).toContain('"text":"b2"');
    });
    await Promise.all(watchers.map((w) => w.result("system-presence")));
    await observer(gw);
    expect(rows.serialized()).toBe(4);
    // Never parsed back and serialized again on the way out.
    expect(reparsed()).toBe(0);
  });

  it("keeps the self row's ts fresh in every cached listing (SPEC P1)", async () => {
    const gw = await startGateway({ testClock: true });
    const watcher = await observer(gw);
    const first = (await watcher.result<Array<{ reason?: string; ts: number }>>("system-presence"))[0];
    await watcher.result("test.clock.advance", { ms: 60_000 });
    const second = (await watcher.result<Array<{ reason?: string; ts: number }>>("system-presence"))[0];
    expect(first.reason).toBe("self");
    expect(second.ts - first.ts).toBeGreaterThanOrEqual(60_000);
  });

  it("test.clock.advance pushes at once: whole-list and delta watchers see the refreshed ts without waiting for a change or tick", async () => {
    const gw = await startGateway({ testClock: true, tickIntervalMs: 60_000 });
    const whole = await observer(gw);
    const { client: delta } = await connectClient(gw, { instanceId: "delta-watcher", mode: "ui", extra: { caps: ["presence.delta"] } });
    const { client: app } = await connectClient(gw, { instanceId: "app", mode: "ui" });
    await eventually(async () => expect(lastPush(whole)?.presence.some((r) => r.instanceId === "app")).toBe(true));
    await quiet();
    const pushesBefore = whole.notifications("presence").length;
    const deltasBefore = delta.notifications("presence.delta").length;

    const { now } = await app.result<{ now: number }>("test.clock.advance", { ms: 120_000 });
    // The whole list: a new round whose open rows carry the new time.
    const pushed = await eventually(async () => {
      expect(whole.notifications("presence").length).toBeGreaterThan(pushesBefore);
      const row = lastPush(whole)!.presence.find((r) => r.instanceId === "app");
      expect(row!.ts).toBeGreaterThanOrEqual(now);
      return lastPush(whole)!;
    }, scaled(2_000));
    expect(pushed.presence[0]).toMatchObject({ reason: "self" });
    expect(pushed.presence[0]!.ts).toBeGreaterThanOrEqual(now);
    // The delta reader: the refreshed rows as changed.
    await eventually(async () => {
      const deltas = delta.notifications("presence.delta").slice(deltasBefore).map((n) => n.params as PresenceDeltaEvent);
      const changed = deltas.flatMap((d) => d.changed).filter((r) => r.key === "app");
      expect(changed.at(-1)?.entry.ts).toBeGreaterThanOrEqual(now);
    }, scaled(2_000));
    // An advance of 0 (the conformance probe's) moves nothing and pushes nothing.
    await quiet();
    const settled = whole.notifications("presence").length;
    await app.result("test.clock.advance", { ms: 0 });
    await quiet(200);
    expect(whole.notifications("presence").length).toBe(settled);
  });
});

describe("bounded push rate", () => {
  it("stays under pushBytesPerSecond during a burst, coalesces, and ends on the latest version", async () => {
    const rate = 200_000;
    // The beacon rate limit (SPEC B2) far above what one writer reaches: this test is about the push rate.
    const gw = await startGateway({ pushBytesPerSecond: rate, rateLimit: { burst: 1_000_000, perSecond: 1_000_000 } });
    const watchers = await Promise.all(Array.from({ length: 20 }, () => observer(gw)));
    const received: Array<{ at: number; bytes: number }> = [];
    for (const w of watchers) w.ws.on("message", (data: Buffer) => data.includes('"method":"presence"') && received.push({ at: performance.now(), bytes: data.length }));
    const { client: writer } = await connectClient(gw, { instanceId: "writer" });
    await quiet();
    const before = gw.metrics();
    const started = performance.now();
    // A burst for ~1.5 s: beacons that change the list, as fast as the gateway answers them.
    let n = 0;
    while (performance.now() - started < 1_500) {
      await Promise.all(Array.from({ length: 10 }, () => writer.result("system-event", { instanceId: `row-${n % 40}`, text: `burst ${n++}` })));
    }
    const last = `burst ${n - 1}`;
    await eventually(async () => {
      for (const w of watchers) expect(JSON.stringify(lastPush(w))).toContain(last);
    }, scaled(10_000));
    const seconds = (performance.now() - started) / 1000;
    const after = gw.metrics();
    const bytes = after.pushBytes - before.pushBytes;
    const rounds = after.pushRounds - before.pushRounds;
    const largestRound = (bytes / rounds) * 2;
    // The bound (docs/performance.md): one second's worth at once, then the rate, plus one round.
    expect(bytes).toBeLessThanOrEqual(rate * (1 + seconds) + largestRound);
    expect(rounds).toBeLessThan(n / 5); // hundreds of changes, far fewer rounds
    // What the watchers received matches what the gateway counted (the writer reads pushes too).
    expect(received.reduce((s, r) => s + r.bytes, 0)).toBeLessThanOrEqual(bytes);
    // E1: every watcher's versions only grow, and all end on the gateway's latest.
    for (const w of watchers) {
      const versions = w.notifications("presence").map((p) => (p.params as PresenceEvent).stateVersion.presence);
      for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]);
      expect(versions.at(-1)).toBe(gw.stateVersion());
    }
  });
});

describe("presence.delta (docs/delta.md)", () => {
  it("grants the cap, keys the snapshot, and sends only changed rows and removed keys with their versions", async () => {
    const gw = await startGateway({ testClock: true, ttlMs: 60_000, maxEntries: 4 });
    const { client, hello } = await connectClient(gw, { instanceId: "watcher", mode: "ui", extra: { caps: ["presence.delta", "other"] } });
    expect(hello.features.caps).toEqual(["presence.delta"]);
    expect(hello.snapshot.presenceKeys).toEqual(["@Self", "watcher"]);
    await client.result("system-event", { instanceId: "a", text: "a1" });
    const first = (await client.waitFor((f) => JSON.stringify(f).includes('"a1"') && (f as { method?: string }).method === "presence.delta")) as { params: PresenceDeltaEvent };
    // "a" is new; the self row comes too when its fresh ts moved since the last round (SPEC P1).
    expect(first.params.changed.map((r) => r.key).filter((k) => k !== "@Self")).toEqual(["a"]);
    expect(first.params.removed).toEqual([]);
    expect(first.params.stateVersion.presence).toBe(first.params.baseVersion! + 1);
    // Expiry: only "a" and the watcher's own row are old; the clock moves past the TTL.
    await client.result("system-event", { instanceId: "b", text: "b1" });
    await client.waitFor((f) => JSON.stringify(f).includes('"b1"') && (f as { method?: string }).method === "presence.delta");
    await client.result("test.clock.advance", { ms: 61_000 });
    const expired = (await client.waitFor((f) => ((f as { params?: PresenceDeltaEvent }).params?.removed ?? []).length > 0)) as { params: PresenceDeltaEvent };
    expect(expired.params.removed.sort()).toEqual(["a", "b"]);
    // The watcher's own connection is open: kept alive (SPEC S3), refreshed, so listed as changed.
    const rows = await client.result<unknown[]>("system-presence");
    expect(rows).toHaveLength(2);
    // Eviction at the cap: 4 rows at most, self included.
    for (const k of ["c", "d", "e"]) await client.result("system-event", { instanceId: k, text: k });
    const evicted = (await client.waitFor((f) => JSON.stringify(f).includes('"key":"e"') && ((f as { params?: PresenceDeltaEvent }).params?.removed ?? []).length > 0)) as {
      params: PresenceDeltaEvent;
    };
    expect(evicted.params.removed.length).toBeGreaterThan(0);
    // A resync sends the whole list as a reset at the latest version.
    const answer = await client.result<{ ok: true; stateVersion: { presence: number } }>("presence.resync");
    const reset = (await client.waitFor((f) => (f as { params?: PresenceDeltaEvent }).params?.reset === true)) as { params: PresenceDeltaEvent };
    expect(reset.params.stateVersion.presence).toBe(answer.stateVersion.presence);
    expect(reset.params.changed).toHaveLength(4);
    // A client that did not ask gets whole lists and no keys.
    const plain = await connectClient(gw, { instanceId: "plain" });
    expect(plain.hello.features.caps).toBeUndefined();
    expect(plain.hello.snapshot.presenceKeys).toBeUndefined();
  });

  it("a reader without the read scope is granted nothing", async () => {
    const gw = await startGateway();
    const { hello } = await connectClient(gw, { instanceId: "node-1", role: "node", extra: { caps: ["presence.delta"] } });
    expect(hello.features.caps).toBeUndefined();
  });
});
