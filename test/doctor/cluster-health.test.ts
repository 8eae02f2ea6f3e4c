/**
 * The doctor against a gateway of a cluster (a real redis-server): while the gateway cannot reach
 * Redis its list is its own view alone, and the doctor says so from the gateway's /healthz.
 */
import { describe, expect, it } from "vitest";
import { REDIS_MISSING } from "../support/redis-server.js";
import { useRedis } from "../support/use-redis.js";
import { eventually } from "../support/eventually.js";
import { app, doctor, gateway, ids } from "./helpers.js";

describe.skipIf(REDIS_MISSING !== undefined)(`doctor on a cluster gateway${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  const redis = useRedis();

  it("warns (store-degraded) while the gateway's Redis is frozen, and not once it is back", async () => {
    const cluster = { url: redis().url, prefix: `doctor-${process.pid}`, deadAfterMs: 500, commandTimeoutMs: 300 };
    const gw = await gateway({ redis: { ...cluster, gatewayId: "gw-doctor" } });
    const other = await gateway({ redis: { ...cluster, gatewayId: "gw-other" } });
    await app(other, { instanceId: "on-other", host: "on-other" });
    const healthy = await doctor(gw);
    expect(ids(healthy)).toEqual([]);
    expect(healthy.summary.mode).toEqual({ gateway: 2, ui: 1 });

    redis().pause();
    try {
      await eventually(() => expect(gw.store.status().healthy).toBe(false), 5_000);
      // Was: no finding at all, over a list with one of the two gateways in it.
      const degraded = await doctor(gw);
      expect(ids(degraded)).toEqual(["store-degraded"]);
      expect(degraded.worst).toBe("warning");
      expect(degraded.findings[0]).toMatchObject({ rule: "M1", title: "the gateway cannot reach its cluster's store", seenIn: ["healthz"] });
      expect(degraded.summary.mode.gateway).toBe(1);
    } finally {
      redis().resume();
    }
    await eventually(() => expect(gw.store.status().healthy).toBe(true), 5_000);
    expect(ids(await doctor(gw))).toEqual([]);
  });
});
