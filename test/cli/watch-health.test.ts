/**
 * `watch` and `list` on a gateway of a cluster (a real redis-server, two gateways): while the gateway
 * cannot reach Redis its list is its own view alone; watch says so from the gateway's /healthz, in
 * --json (`{"type":"health"}` lines) and under the state line; list in a warning on stderr.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { cli } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { REDIS_MISSING } from "../support/redis-server.js";
import { useRedis } from "../support/use-redis.js";
import { scaled } from "../support/timing.js";

const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gw) => gw.close()));
});

const jsonLines = (text: string) => text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as { type: string; status?: string; note?: string });

describe.skipIf(REDIS_MISSING !== undefined)(`watch and list on a cluster gateway${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  const redis = useRedis();

  it("says when the gateway cannot reach its Redis (frozen), and when it can again", async () => {
    const cluster = { url: redis().url, prefix: `watch-${process.pid}`, deadAfterMs: 500, commandTimeoutMs: 300 };
    for (const gatewayId of ["gw-watched", "gw-other"]) gateways.push(await createGateway({ host: "127.0.0.1", port: 0, redis: { ...cluster, gatewayId } }));
    const json = cli(["watch", "--json", "--url", gateways[0]!.url]);
    const text = cli(["watch", "--url", gateways[0]!.url]);
    await eventually(() => expect(json.stdout()).toContain('"state":"open"'), scaled(20_000));
    await eventually(() => expect(text.stdout()).toContain("● open"), scaled(20_000));
    redis().pause();
    try {
      // Was: nothing; the list simply lost the other gateway's self row.
      await eventually(() => expect(jsonLines(json.stdout()).filter((l) => l.type === "health")).toEqual([
        { type: "health", status: "degraded", note: "degraded: this gateway cannot reach its cluster's Redis; the list is what it knows alone" },
      ]), 8_000);
      await eventually(() => expect(text.stdout()).toMatch(/● open .*\n {2}degraded: this gateway cannot reach its cluster's Redis; the list is what it knows alone\n/), scaled(8_000));
    } finally {
      redis().resume();
    }
    await eventually(() => expect(jsonLines(json.stdout()).filter((l) => l.type === "health").map((l) => l.status)).toEqual(["degraded", "ok"]), scaled(8_000));
    json.child.kill("SIGINT");
    text.child.kill("SIGINT");
    expect(await json.exit).toBe(0);
  });

  it("list warns on stderr when the gateway cannot reach its Redis, and says nothing once it can", async () => {
    const cluster = { url: redis().url, prefix: `list-${process.pid}`, deadAfterMs: 500, commandTimeoutMs: 300 };
    for (const gatewayId of ["gw-listed", "gw-other"]) gateways.push(await createGateway({ host: "127.0.0.1", port: 0, redis: { ...cluster, gatewayId } }));
    const url = gateways[0]!.url;
    const healthy = cli(["list", "--url", url]);
    expect(await healthy.exit).toBe(0);
    expect(healthy.stderr()).toBe("");
    expect(healthy.stdout()).toContain("(gw-other)");
    redis().pause();
    try {
      await eventually(() => expect(gateways[0]!.metrics().store.healthy).toBe(false), scaled(8_000));
      // Was: the table without gw-other's rows and nothing else, as if it were the whole list.
      const partial = cli(["list", "--url", url]);
      expect(await partial.exit).toBe(0);
      expect(partial.stderr()).toBe("gateway-presence list: warning: degraded: this gateway cannot reach its cluster's Redis; the list is what it knows alone (GET /healthz said degraded)\n");
      expect(partial.stdout()).toContain("(gw-listed)");
    } finally {
      redis().resume();
    }
  });
});
