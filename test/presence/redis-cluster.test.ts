/**
 * Two gateways' stores on one real Redis and prefix: one list, every SPEC rule cluster-wide (issue 12
 * item 1), changes reported on both, the test clock shared, a dead gateway cleaned up by the other.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { manualClock, SELF_KEY, type PresenceChange } from "../../src/presence/index.js";
import { createRedisPresenceStore } from "../../src/presence/redis/index.js";
import { eventually } from "../support/eventually.js";
import { REDIS_MISSING } from "../support/redis-server.js";
import { freshPrefix, makeRedisStore, redisServer } from "./helpers.js";

/** Two stores of one cluster (gateways gw-a and gw-b), each on its own manual clock starting at the same time. */
async function cluster(options: { maxEntries?: number; ttlMs?: number; deadAfterMs?: number } = {}) {
  const prefix = freshPrefix();
  const a = await makeRedisStore({ ...options, prefix, gatewayId: "gw-a" });
  const b = await makeRedisStore({ ...options, prefix, gatewayId: "gw-b" });
  // A store hears the changes channel once it has started (subscribed; every call waits for that):
  // a change made before is in its first list, not among its listeners' changes. Under load B could
  // start after A's setSelf below, and never hear "upsert @Self:gw-a". Both start before either writes.
  await Promise.all([a.store.version(), b.store.version()]);
  await a.store.setSelf({ host: "gateway-a", mode: "gateway" });
  await b.store.setSelf({ host: "gateway-b", mode: "gateway" });
  return { a, b, prefix };
}

const kinds = (changes: PresenceChange[]) => changes.map((c) => `${c.kind} ${c.key}`);

describe.skipIf(REDIS_MISSING !== undefined)(`redis store, two gateways${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("shares one list: a row written on A is listed on B, and B's listeners hear of it", async () => {
    const { a, b } = await cluster();
    await a.store.openConnection("mac-1", { instanceId: "Mac-1", host: "laptop", reason: "connect" });
    expect((await b.store.get("MAC-1"))?.host).toBe("laptop");
    await eventually(() => expect(kinds(b.changes)).toContain("upsert mac-1"));
    const listed = await b.store.list();
    expect(listed.map((row) => row.host)).toEqual(["gateway-b", "gateway-a", "laptop"]);
    expect((await a.store.list()).map((row) => row.host)).toEqual(["gateway-a", "gateway-b", "laptop"]);
    // One change counter for the cluster.
    expect(await a.store.version()).toBe(await b.store.version());
    expect(b.changes.find((c) => c.key === "mac-1")?.version).toBe(a.changes.find((c) => c.key === "mac-1")?.version);
    // Each gateway sees its own self row as SELF_KEY, the other's as @Self:<id>.
    expect((await b.store.get(SELF_KEY))?.host).toBe("gateway-b");
    await eventually(() => expect(kinds(b.changes)).toContain("upsert @Self:gw-a"));
  });

  it("merges concurrent writes of both gateways atomically (K3: no field or list item lost)", async () => {
    const { a, b } = await cluster();
    const writes = [];
    for (let i = 0; i < 16; i++) {
      writes.push(a.store.upsert("shared", { scopes: [`a${i}`], text: `a${i}` }));
      writes.push(b.store.upsert("SHARED", { scopes: [`b${i}`], roles: [`r${i % 4}`] }));
    }
    writes.push(a.store.upsert("shared", { host: "h", lastInputSeconds: 7 }));
    await Promise.all(writes);
    const row = await b.store.get("shared");
    expect(new Set(row?.scopes)).toEqual(new Set([...Array.from({ length: 16 }, (_, i) => `a${i}`), ...Array.from({ length: 16 }, (_, i) => `b${i}`)]));
    expect(new Set(row?.roles)).toEqual(new Set(["r0", "r1", "r2", "r3"]));
    expect(row).toMatchObject({ host: "h", lastInputSeconds: 7, text: "a15" });
    expect(await a.store.size()).toBe(3);
  });

  it("keeps the cap cluster-wide, self rows of both gateways included and never evicted (S2, P1)", async () => {
    const { a, b } = await cluster({ maxEntries: 4 });
    for (let i = 0; i < 10; i++) {
      a.clock.advance(1);
      b.clock.advance(1);
      await (i % 2 ? a : b).store.upsert(`client-${i}`, { host: `c${i}` });
      expect(await a.store.size()).toBeLessThanOrEqual(4);
    }
    for (const store of [a.store, b.store]) {
      const rows = await store.list();
      expect(rows).toHaveLength(4);
      expect(rows.filter((row) => row.reason === "self").map((row) => row.host).sort()).toEqual(["gateway-a", "gateway-b"]);
      expect(rows.slice(2).map((row) => row.host)).toEqual(["c9", "c8"]);
    }
    await eventually(() => expect(kinds(a.changes).filter((k) => k.startsWith("evict"))).toHaveLength(8));
  });

  it("counts P6 connections on every gateway: the row is disconnected when the last one anywhere closes", async () => {
    const { a, b } = await cluster();
    await a.store.openConnection("tablet", { instanceId: "tablet", reason: "connect" });
    await b.store.openConnection("TABLET", { instanceId: "tablet", reason: "connect" });
    await a.store.openConnection("tablet", { reason: "connect" });
    expect(await a.store.closeConnection("tablet")).toBeUndefined();
    expect(await a.store.closeConnection("tablet")).toBeUndefined();
    expect((await b.store.get("tablet"))?.reason).toBe("connect");
    // A close on a gateway that holds no connection for the key changes nothing.
    expect(await a.store.closeConnection("tablet")).toBeUndefined();
    expect(await b.store.closeConnection("tablet")).toMatchObject({ reason: "disconnect" });
  });

  it("shares the test clock: an advance on A moves B's clock; open rows on either gateway stay, the rest expire (S3, P7)", async () => {
    const { a, b } = await cluster({ ttlMs: 10_000 });
    await a.store.openConnection("open-on-a", { host: "a-client" });
    await b.store.openConnection("open-on-b", { host: "b-client" });
    await b.store.upsert("beacon-only", { host: "gone-soon" });
    const now = await a.store.advanceClock(60_000);
    expect(now).toBe(1_060_000);
    await eventually(() => expect(b.clock.now()).toBe(1_060_000));
    await a.store.touch([]); // what the gateway does after an advance: keep-alive, then expiry
    const rows = await b.store.list();
    expect(rows.map((row) => row.host)).toEqual(["gateway-b", "gateway-a", "b-client", "a-client"]);
    expect(rows.every((row) => row.ts === 1_060_000)).toBe(true);
    await eventually(() => expect(kinds(b.changes)).toContain("expire beacon-only"));
  });

  it("removes a gateway that stops its heartbeat: its self row goes, its connections' rows become disconnect rows (issue 12 item 3)", async () => {
    const server = await redisServer();
    const prefix = freshPrefix();
    const clock = manualClock(1_000_000);
    const lines: string[] = [];
    const a = await makeRedisStore({ prefix, gatewayId: "gw-a", deadAfterMs: 300, clock, log: (line) => lines.push(line) });
    await a.store.setSelf({ host: "gateway-a", mode: "gateway" });
    // gw-b runs on a client we can cut, like a gateway that died (no close, no more heartbeats).
    const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    const b = createRedisPresenceStore({ client, prefix, gatewayId: "gw-b", deadAfterMs: 300, clock, sweepIntervalMs: 0 });
    await b.setSelf({ host: "gateway-b", mode: "gateway" });
    await b.openConnection("only-on-b", { host: "b-client", reason: "connect" });
    await b.openConnection("on-both", { host: "both", reason: "connect" });
    await a.store.openConnection("on-both", { reason: "connect" });
    client.disconnect();
    await eventually(async () => {
      const rows = await a.store.list();
      expect(rows.map((row) => [row.host, row.reason])).toEqual([
        ["gateway-a", "self"],
        ["b-client", "disconnect"],
        ["both", "connect"],
      ]);
    });
    expect(kinds(a.changes)).toEqual(expect.arrayContaining(["expire @Self:gw-b", "disconnect only-on-b"]));
    expect(kinds(a.changes)).not.toContain("disconnect on-both");
    // The survivor says so, once: an operator sees why the rows turned disconnect.
    expect(lines.filter((line) => line.includes("gw-b"))).toEqual([
      "warning presence store: gateway gw-b sent no heartbeat for 300 ms: gateway gw-a removed its self row and closed its connections (2 rows; a row no other gateway holds open is now a disconnect row)",
    ]);
    await b.close();
  });

  it("a gateway restarted under the same id closes the connections of its previous life (P6)", async () => {
    const server = await redisServer();
    const prefix = freshPrefix();
    const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    const before = createRedisPresenceStore({ client, prefix, gatewayId: "same", sweepIntervalMs: 0 });
    await before.setSelf({ host: "gw" });
    await before.openConnection("was-open", { host: "was-open", reason: "connect" });
    client.disconnect(); // crashed: no close, no leave
    await before.close();
    const lines: string[] = [];
    const after = await makeRedisStore({ prefix, gatewayId: "same", log: (line) => lines.push(line) });
    await after.store.setSelf({ host: "gw" });
    expect(await after.store.get("was-open")).toMatchObject({ reason: "disconnect" });
    // The operator saw rows turn into disconnect rows at the restart: one line says why.
    expect(lines).toEqual([
      "warning presence store: gateway same restarted before the others found its previous process dead: closed the connections it held (1 row; a row no other gateway holds open is now a disconnect row)",
    ]);
    await after.store.setSelf({ host: "gw" }); // the same process again: nothing to close, nothing said
    expect(lines).toHaveLength(1);
  });

  it("logs once when two running gateways were given the same id", async () => {
    const prefix = freshPrefix();
    const lines: string[] = [];
    const first = await makeRedisStore({ prefix, gatewayId: "twin", deadAfterMs: 250, log: (line) => lines.push(line) });
    await first.store.setSelf({ host: "one" });
    const second = await makeRedisStore({ prefix, gatewayId: "twin", deadAfterMs: 250 });
    await second.store.setSelf({ host: "two" });
    await eventually(() => expect(lines.filter((line) => line.includes("another running gateway uses the id twin"))).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines.filter((line) => line.includes("another running gateway"))).toHaveLength(1);
  });

  it("hears nothing at start-up about changes made before it (they are in its first list, not lost)", async () => {
    const prefix = freshPrefix();
    const a = await makeRedisStore({ prefix, gatewayId: "gw-a" });
    for (let i = 0; i < 5; i++) await a.store.upsert(`before-${i}`, {});
    const b = await makeRedisStore({ prefix, gatewayId: "gw-b", deadAfterMs: 250 }); // a tick every 50 ms
    expect(await b.store.size()).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(b.changes).toEqual([]);
    // A change now is heard once.
    await a.store.upsert("after", {});
    await eventually(() => expect(kinds(b.changes)).toEqual(["upsert after"]));
  });

  it("gives a clear error for bad options", () => {
    expect(() => createRedisPresenceStore({} as never)).toThrow(/exactly one of url and client/);
    expect(() => createRedisPresenceStore({ url: "http://x" })).toThrow(/url must start with redis:\/\//);
    expect(() => createRedisPresenceStore({ url: "redis://127.0.0.1:1", gatewayId: "a b" })).toThrow(/gatewayId must be/);
    expect(() => createRedisPresenceStore({ url: "redis://127.0.0.1:1", deadAfterMs: 1 })).toThrow(/deadAfterMs/);
    expect(() => createRedisPresenceStore({ url: "redis://127.0.0.1:1", prefix: "" })).toThrow(/prefix/);
  });
});
