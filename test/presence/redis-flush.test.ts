/**
 * Redis that loses its data under running gateways (FLUSHALL, a failover to an empty replica), with a
 * real redis-server: every row a gateway holds open is written back (docs/cluster.md "Failure modes"),
 * also when the gateway read the emptied list before its tick noticed the loss. That read happens in
 * a cluster as a matter of course: the first gateway to notice writes its own rows back, which the
 * others push, reading the list.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { manualClock } from "../../src/presence/index.js";
import { eventually } from "../support/eventually.js";
import { REDIS_MISSING } from "../support/redis-server.js";
import { freshPrefix, makeRedisStore, redisServer } from "./helpers.js";
import { scaled } from "../support/timing.js";

/** Ticks every deadAfterMs / 5 = 1 s: the read below comes long before the tick that notices the loss. */
const SLOW_TICK = { deadAfterMs: 5_000, commandTimeoutMs: 300 };

const hosts = async (rows: Promise<{ host?: string; reason?: string }[]>) => (await rows).map((row) => `${row.host} ${row.reason}`).sort();

describe.skipIf(REDIS_MISSING !== undefined)(`redis store after FLUSHALL${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("writes back the rows open here even when it listed the emptied Redis before its tick noticed", async () => {
    const server = await redisServer();
    const prefix = freshPrefix();
    const clock = manualClock(1_000_000);
    const a = await makeRedisStore({ ...SLOW_TICK, prefix, clock, gatewayId: "gw-a" });
    const b = await makeRedisStore({ ...SLOW_TICK, prefix, clock, gatewayId: "gw-b" });
    await a.store.setSelf({ host: "gateway-a", mode: "gateway" });
    await b.store.setSelf({ host: "gateway-b", mode: "gateway" });
    await a.store.openConnection("alpha", { host: "alpha", version: "1.4.0", mode: "ui", reason: "connect" });
    await b.store.openConnection("beta", { host: "beta", mode: "ui", reason: "connect" });
    expect(await hosts(a.store.list())).toEqual(["alpha connect", "beta connect", "gateway-a self", "gateway-b self"]);

    const admin = new Redis(server.url);
    try {
      await admin.flushall();
    } finally {
      await admin.quit();
    }
    // A reads the list Redis now holds (nothing) before its tick finds it unregistered.
    expect(await hosts(a.store.list())).toEqual([]);

    const whole = ["alpha connect", "beta connect", "gateway-a self", "gateway-b self"];
    await eventually(async () => expect(await hosts(b.store.list())).toEqual(whole), scaled(10_000));
    await eventually(async () => expect(await hosts(a.store.list())).toEqual(whole), scaled(10_000));
    // The row as its connect wrote it, not a row rebuilt from later writes only.
    expect(await b.store.get("alpha")).toMatchObject({ host: "alpha", version: "1.4.0", mode: "ui", reason: "connect" });
    // Its connection is counted again (P6): closing it marks the row.
    expect(await a.store.closeConnection("alpha")).toMatchObject({ reason: "disconnect" });
  });
});
