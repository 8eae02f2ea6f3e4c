/**
 * Redis outages (issue 12 item 4) with a real redis-server that is stopped, frozen, emptied and
 * started again: the stores keep serving locally, log it once, report it in status(), and write every
 * live row back when Redis returns, also when it came back empty.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { manualClock, SELF_KEY } from "../../src/presence/index.js";
import { createRedisPresenceStore } from "../../src/presence/redis/index.js";
import { eventually } from "../support/eventually.js";
import { REDIS_MISSING } from "../support/redis-server.js";
import { freshPrefix, makeRedisStore, redisServer } from "./helpers.js";
import { scaled } from "../support/timing.js";

const FAST = { deadAfterMs: 500, commandTimeoutMs: 300 };

async function twoGateways(aOptions: { commandTimeoutMs?: number } = {}) {
  const prefix = freshPrefix();
  const clock = manualClock(1_000_000);
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const a = await makeRedisStore({ ...FAST, ...aOptions, prefix, clock, gatewayId: "gw-a", log });
  const b = await makeRedisStore({ ...FAST, prefix, clock, gatewayId: "gw-b" });
  await a.store.setSelf({ host: "gateway-a", mode: "gateway" });
  await b.store.setSelf({ host: "gateway-b", mode: "gateway" });
  return { a, b, clock, lines };
}

const hosts = async (rows: Promise<{ host?: string; reason?: string }[]>) => (await rows).map((row) => `${row.host} ${row.reason}`).sort();

describe.skipIf(REDIS_MISSING !== undefined)(`redis store outages${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("serves locally while Redis is stopped, and writes every live row back when it starts again empty", async () => {
    const server = await redisServer();
    const { a, b, lines } = await twoGateways();
    await a.store.openConnection("kept-open", { host: "kept-open", reason: "connect" });
    await a.store.openConnection("closed-in-outage", { host: "closed-in-outage", reason: "connect" });
    await b.store.openConnection("open-on-b", { host: "open-on-b", reason: "connect" });
    await a.store.list(); // the list A knows when Redis goes
    const versionBefore = await a.store.version();

    await server.stop();
    await a.store.upsert("kept-open", { text: "typed during the outage" });
    await a.store.openConnection("new-in-outage", { host: "new-in-outage", reason: "connect" }, { connectionIp: "10.1.2.3" });
    expect(await a.store.closeConnection("closed-in-outage")).toMatchObject({ reason: "disconnect" });
    await a.store.upsert("beacon-in-outage", { host: "beacon-in-outage", ip: "192.168.7.7" });
    expect(a.store.status()).toMatchObject({ backend: "redis", healthy: false, outages: 1, gatewayId: "gw-a" });
    expect(await hosts(a.store.list())).toEqual([
      "beacon-in-outage undefined",
      "closed-in-outage disconnect",
      "gateway-a self",
      "kept-open connect",
      "new-in-outage connect",
      "open-on-b connect",
    ]);
    expect(lines.filter((line) => line.includes("unreachable"))).toHaveLength(1);

    await server.start(); // empty: everything Redis held is gone
    await eventually(() => expect(a.store.status().healthy && b.store.status().healthy).toBe(true), scaled(10_000));
    const expected = [
      "beacon-in-outage undefined",
      "closed-in-outage disconnect",
      "gateway-a self",
      "gateway-b self",
      "kept-open connect",
      "new-in-outage connect",
      "open-on-b connect",
    ];
    expect(await hosts(b.store.list())).toEqual(expected);
    expect(await hosts(a.store.list())).toEqual(expected);
    expect(await b.store.get("kept-open")).toMatchObject({ text: "typed during the outage" });
    expect(await b.store.get("new-in-outage")).toMatchObject({ ip: "10.1.2.3" });
    expect(await a.store.version()).toBeGreaterThan(versionBefore);
    expect(a.store.status()).toMatchObject({ healthy: true, reconciles: 1 });
    expect(lines.filter((line) => line.includes("reachable again"))).toHaveLength(1);
    // The connection counts came back too (P6): closing the last connection disconnects the row.
    expect(await a.store.closeConnection("kept-open")).toMatchObject({ reason: "disconnect" });
    expect(await b.store.closeConnection("open-on-b")).toMatchObject({ reason: "disconnect" });
  });

  it("keeps the cap through an outage: a flood of distinct keys writes back at most maxEntries rows (B2, S2)", async () => {
    const server = await redisServer();
    const store = (await makeRedisStore({ ...FAST, maxEntries: 5 })).store;
    await store.setSelf({ host: "gw" });
    await store.openConnection("open", { host: "open" });
    await server.stop();
    for (let i = 0; i < 300; i++) await store.upsert(`flood-${i}`, { host: `flood-${i}` });
    expect((await store.list()).length).toBeLessThanOrEqual(5);
    await server.start();
    await eventually(() => expect(store.status().healthy).toBe(true), scaled(10_000));
    const rows = await store.list();
    expect(rows.length).toBe(5);
    expect(rows.map((row) => row.host)).toEqual(["gw", "flood-299", "flood-298", "flood-297", "flood-296"]);
  });

  it("does not block on a Redis that stops answering: each call falls back within the command timeout", async () => {
    const server = await redisServer();
    // A command timeout of 2 s: a call that waited for Redis again takes at least that long, a local
    // one far less, even on a busy machine (with 300 ms the local call's bound had to be 100 ms).
    const COMMAND_TIMEOUT_MS = 2_000;
    const { a } = await twoGateways({ commandTimeoutMs: COMMAND_TIMEOUT_MS });
    await a.store.openConnection("before", { host: "before" });
    await a.store.list();
    server.pause();
    try {
      const started = Date.now();
      await a.store.openConnection("during", { host: "during" });
      // Falls back at the command timeout; without one it would wait for the frozen Redis for ever.
      expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS * 5);
      expect(a.store.status().healthy).toBe(false);
      const quick = Date.now();
      expect((await a.store.list()).map((row) => row.host)).toEqual(["gateway-a", "during", "before"]);
      expect(Date.now() - quick).toBeLessThan(COMMAND_TIMEOUT_MS); // already local: no more waiting
    } finally {
      server.resume();
    }
    await eventually(() => expect(a.store.status().healthy).toBe(true), scaled(10_000));
    expect(await a.store.get("during")).toMatchObject({ host: "during" });
  });

  it("notices when Redis lost its data under it (FLUSHALL) and writes its presence back", async () => {
    const server = await redisServer();
    const { a, b, lines } = await twoGateways();
    await a.store.openConnection("live", { host: "live", reason: "connect" });
    const admin = new Redis(server.url);
    await admin.flushall();
    await admin.quit();
    await eventually(async () => expect(await hosts(b.store.list())).toEqual(["gateway-a self", "gateway-b self", "live connect"]), scaled(10_000));
    expect(await a.store.get(SELF_KEY)).toMatchObject({ host: "gateway-a" });
    // Redis was reachable all along: the log says what happened, not "reachable again (1 ms without Redis)".
    await eventually(() => expect(lines).toHaveLength(2));
    expect(lines[0]).toMatch(/^warning presence store: gateway gw-a is not registered in Redis \(Redis lost its data/);
    expect(lines[1]).toBe("presence store: gateway gw-a is registered in Redis again; wrote back 1 row");
  });

  it("comes back after the others declared it dead: its self row returns and its still-open rows are live again", async () => {
    const server = await redisServer();
    const prefix = freshPrefix();
    const clock = manualClock(1_000_000);
    const a = await makeRedisStore({ ...FAST, prefix, clock, gatewayId: "gw-a" });
    await a.store.setSelf({ host: "gateway-a" });
    const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    const b = createRedisPresenceStore({ ...FAST, client, prefix, clock, gatewayId: "gw-b", sweepIntervalMs: 0 });
    try {
      await b.setSelf({ host: "gateway-b" });
      await b.openConnection("still-open", { host: "still-open", reason: "node-connected" });
      client.disconnect(); // cut off for longer than deadAfterMs: the others clean up after it
      await eventually(async () => expect(await hosts(a.store.list())).toEqual(["gateway-a self", "still-open disconnect"]), scaled(5_000));
      await client.connect();
      await eventually(async () => expect(await hosts(a.store.list())).toEqual(["gateway-a self", "gateway-b self", "still-open node-connected"]), scaled(5_000));
      // A may see the written-back rows a moment before B has read the restore's reply.
      await eventually(() => expect(b.status()).toMatchObject({ healthy: true, reconciles: 1 }));
      expect(await b.closeConnection("still-open")).toMatchObject({ reason: "disconnect" });
    } finally {
      await b.close();
      client.disconnect();
    }
  });

  it("says why when Redis refuses its credentials at start (WRONGPASS), without the password", async () => {
    const server = await redisServer();
    const lines: string[] = [];
    const url = server.url.replace("redis://", "redis://nobody:hunter2-pw@");
    const store = createRedisPresenceStore({ url, prefix: freshPrefix(), gatewayId: "wrong-pw", ...FAST, sweepIntervalMs: 0, log: (l) => lines.push(l) });
    try {
      await store.setSelf({ host: "gw" });
      expect(store.status().healthy).toBe(false);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/unreachable \(not reachable at start: WRONGPASS /);
      expect(lines.join("\n")).not.toContain("hunter2");
    } finally {
      await store.close();
    }
  });

  it("starts without Redis, serves locally, and joins the cluster when Redis appears", async () => {
    const server = await redisServer();
    await server.stop();
    const lines: string[] = [];
    const prefix = freshPrefix();
    const store = createRedisPresenceStore({ url: server.url, prefix, gatewayId: "late", ...FAST, sweepIntervalMs: 0, log: (l) => lines.push(l) });
    try {
      await store.setSelf({ host: "late-gateway" });
      await store.openConnection("early", { host: "early" });
      expect(store.status().healthy).toBe(false);
      expect((await store.list()).map((row) => row.host)).toEqual(["late-gateway", "early"]);
      await server.start();
      await eventually(() => expect(store.status().healthy).toBe(true), scaled(10_000));
      expect(lines.some((line) => /unreachable \(not reachable at start: connect ECONNREFUSED 127\.0\.0\.1:\d+\)/.test(line))).toBe(true);
      const other = await makeRedisStore({ prefix, gatewayId: "other" });
      expect((await other.store.list()).map((row) => row.host)).toEqual(["late-gateway", "early"]);
    } finally {
      await store.close();
    }
  });
});
