/**
 * The doctor against a gateway of a cluster (a real redis-server): while the gateway cannot reach
 * Redis its list is its own view alone, and the doctor says so from the gateway's /healthz.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createPresenceClient } from "../../src/index.js";
import { cli } from "../support/cli.js";
import { REDIS_MISSING } from "../support/redis-server.js";
import { useRedis } from "../support/use-redis.js";
import { eventually } from "../support/eventually.js";
import { app, doctor, gateway, ids } from "./helpers.js";
import { scaled } from "../support/timing.js";

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
      await eventually(() => expect(gw.store.status().healthy).toBe(false), scaled(5_000));
      // Was: no finding at all, over a list with one of the two gateways in it.
      const degraded = await doctor(gw);
      expect(ids(degraded)).toEqual(["store-degraded"]);
      expect(degraded.worst).toBe("warning");
      expect(degraded.findings[0]).toMatchObject({ rule: "M1", title: "the gateway cannot reach its cluster's store", seenIn: ["healthz"] });
      expect(degraded.summary.mode.gateway).toBe(1);
    } finally {
      redis().resume();
    }
    await eventually(() => expect(gw.store.status().healthy).toBe(true), scaled(5_000));
    expect(ids(await doctor(gw))).toEqual([]);
  });

  it("a clock ahead on another gateway of the cluster: the offset is read on every gateway, so the advice names every machine", async () => {
    const prefix = `doctor-skew-${process.pid}`;
    // gw-fast: a real gateway process on a machine whose clock is 2 minutes ahead.
    const fast = cli(["serve", "--port", "0", "--redis", redis().url, "--redis-prefix", prefix, "--gateway-id", "gw-fast"], {
      env: { NODE_OPTIONS: `--import ${fileURLToPath(new URL("./skewed-clock.mjs", import.meta.url))}`, SKEW_MS: "120000" },
    });
    await eventually(() => expect(fast.stdout()).toMatch(/listening (ws:\/\/\S+)/), scaled(15_000));
    const fastUrl = /listening (ws:\/\/\S+)/.exec(fast.stdout())![1];
    const onFast = createPresenceClient({ url: fastUrl, instanceId: "on-fast", client: { id: "t", displayName: "on-fast", version: "1", platform: "linux", mode: "ui" }, reconnect: false });
    await onFast.connect();
    await onFast.close();
    // gw-ok: this machine's clock, which is right.
    const ok = await gateway({ redis: { url: redis().url, prefix, gatewayId: "gw-ok" } });
    const report = await doctor(ok);
    expect(ids(report)).toEqual(["clock-offset"]);
    expect(report.findings[0].title).toMatch(/^the gateway's clock is 1 min \d+ s ahead of this machine's$/);
    // Was: "Run NTP ... on the gateway's machine and on this one": gw-ok's, whose clock is right.
    expect(report.findings[0].detail).toContain("This gateway is one of a cluster (gw-ok, gw-fast): its timestamps never go back, so they follow the fastest clock");
    expect(report.findings[0].advice).toMatch(/^Run NTP \(or chrony, or systemd-timesyncd\) on every machine of the cluster and on this one/);
    fast.child.kill("SIGTERM");
    await fast.exit;
  });
});
