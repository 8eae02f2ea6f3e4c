/**
 * A redis-server frozen (SIGSTOP) and thawed: what the commands sent to it meanwhile do when it runs
 * them late, and how a gateway stops while it is frozen. And the other reason no gateway ticked for a
 * while, which is no freeze: none ran (a whole cluster restarted after a crash).
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { manualClock } from "../../src/presence/index.js";
import { createRedisPresenceStore } from "../../src/presence/redis/index.js";
import { eventually } from "../support/eventually.js";
import { REDIS_MISSING } from "../support/redis-server.js";
import { freshPrefix, makeRedisStore, redisServer } from "./helpers.js";
import { scaled } from "../support/timing.js";

const FAST = { deadAfterMs: 500, commandTimeoutMs: 300 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(REDIS_MISSING !== undefined)(`redis store, Redis frozen${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("a freeze longer than deadAfterMs declares no gateway dead when Redis thaws: rows keep their reason, nothing is disconnected", async () => {
    const server = await redisServer();
    const prefix = freshPrefix();
    const clock = manualClock(1_000_000);
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    // Ticks on (sweepIntervalMs > 0): the heartbeats and the dead-gateway check run every 100 ms.
    const a = await makeRedisStore({ ...FAST, prefix, clock, gatewayId: "gw-a", log, sweepIntervalMs: 100 });
    const b = await makeRedisStore({ ...FAST, prefix, clock, gatewayId: "gw-b", log, sweepIntervalMs: 100 });
    await a.store.setSelf({ host: "gateway-a", mode: "gateway" });
    await b.store.setSelf({ host: "gateway-b", mode: "gateway" });
    await b.store.openConnection("on-b", { host: "on-b", reason: "connect" });
    await b.store.upsert("on-b", { reason: "launch" }); // its launch beacon
    await a.store.openConnection("on-a", { host: "on-a", reason: "connect" });
    await sleep(300); // a few heartbeats each

    server.pause();
    try {
      // Ticks sent before each store notices stay queued in the frozen Redis, which runs them on SIGCONT.
      await eventually(() => expect(a.store.status().healthy || b.store.status().healthy).toBe(false), scaled(5_000));
      await sleep(2_000); // 4 x deadAfterMs without any heartbeat landing
    } finally {
      server.resume();
    }
    await eventually(() => expect(a.store.status().healthy && b.store.status().healthy).toBe(true), scaled(5_000));
    await sleep(500); // the late commands have run, and a few fresh ticks after them

    const rows = (await a.store.list()).map((row) => `${row.host} ${row.reason}`).sort();
    expect(rows).toEqual(["gateway-a self", "gateway-b self", "on-a connect", "on-b launch"]);
    const thawed = [...a.changes, ...b.changes].filter((change) => change.kind === "disconnect").map((change) => change.key);
    expect(thawed).toEqual([]);
    expect(lines.filter((line) => line.includes("sent no heartbeat"))).toEqual([]);
  });
  it("a cluster restarted after a crash: the first gateway back removes the crashed one at its first tick, not deadAfterMs later", async () => {
    const server = await redisServer();
    const prefix = freshPrefix();
    // 4 s: a gateway that waited another deadAfterMs needs at least that long after its start, which
    // leaves room for a slow start on a busy machine below it.
    const DEAD_AFTER_MS = 4_000;
    const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    const crashed = createRedisPresenceStore({ client, prefix, gatewayId: "gw-crashed", deadAfterMs: DEAD_AFTER_MS, sweepIntervalMs: 100 });
    await crashed.setSelf({ host: "crashed", mode: "gateway" });
    await crashed.openConnection("on-crashed", { host: "on-crashed", reason: "connect" });
    await sleep(500); // a few ticks: the cluster's tickAt is set
    client.disconnect(); // crashed: no close, no leave
    await crashed.close();
    await sleep(DEAD_AFTER_MS + 1_000); // no gateway runs meanwhile: its heartbeat grows old

    const lines: string[] = [];
    const started = Date.now();
    const back = await makeRedisStore({ prefix, gatewayId: "gw-back", deadAfterMs: DEAD_AFTER_MS, sweepIntervalMs: 100, log: (line) => lines.push(line) });
    await eventually(() => expect(lines.filter((line) => line.includes("gateway gw-crashed sent no heartbeat"))).toHaveLength(1), scaled(5_000));
    // Was: its first tick took the gap for a freeze and moved the crashed heartbeat on, so the crashed
    // gateway's self row and connections were listed as live for another deadAfterMs (4 s here).
    expect(Date.now() - started).toBeLessThan(DEAD_AFTER_MS);
    expect(await back.store.get("on-crashed")).toMatchObject({ reason: "disconnect" });
  });
});
