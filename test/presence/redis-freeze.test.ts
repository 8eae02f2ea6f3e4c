/**
 * A redis-server frozen (SIGSTOP) and thawed: what the commands sent to it meanwhile do when it runs
 * them late, and how a gateway stops while it is frozen.
 */
import { describe, expect, it } from "vitest";
import { manualClock } from "../../src/presence/index.js";
import { eventually } from "../support/eventually.js";
import { REDIS_MISSING } from "../support/redis-server.js";
import { freshPrefix, makeRedisStore, redisServer } from "./helpers.js";

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
      await eventually(() => expect(a.store.status().healthy || b.store.status().healthy).toBe(false), 5_000);
      await sleep(2_000); // 4 x deadAfterMs without any heartbeat landing
    } finally {
      server.resume();
    }
    await eventually(() => expect(a.store.status().healthy && b.store.status().healthy).toBe(true), 5_000);
    await sleep(500); // the late commands have run, and a few fresh ticks after them

    const rows = (await a.store.list()).map((row) => `${row.host} ${row.reason}`).sort();
    expect(rows).toEqual(["gateway-a self", "gateway-b self", "on-a connect", "on-b launch"]);
    const thawed = [...a.changes, ...b.changes].filter((change) => change.kind === "disconnect").map((change) => change.key);
    expect(thawed).toEqual([]);
    expect(lines.filter((line) => line.includes("sent no heartbeat"))).toEqual([]);
  });
});
