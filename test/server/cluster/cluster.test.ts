/**
 * Two reference gateways sharing one presence list on a real redis-server (issue 12): one list on
 * both, pushes on both, P6 counted across them, one test clock, and a Redis that goes away and comes
 * back empty while clients stay connected.
 */
import { describe, expect, it } from "vitest";
import type { PresenceEntry, PresenceEvent } from "../../../src/protocol/index.js";
import { eventually } from "../../support/eventually.js";
import { REDIS_MISSING, withRedis, type RedisServer } from "../../support/redis-server.js";
import { WireClient, connectClient, list, observer, peers, rowOf, startGateway } from "../helpers.js";
import { scaled } from "../../support/timing.js";

let prefixes = 0;

async function cluster(redis: RedisServer, extra: Parameters<typeof startGateway>[0] = {}) {
  const prefix = `cluster-${process.pid}-${++prefixes}`;
  const lines: string[] = [];
  const options = { testClock: true, ...extra, logger: (line: string) => lines.push(line) };
  // No test here stops a gateway without leaving: the others need not find it dead soon. 500 ms let a
  // busy machine's stall of this process pass for a dead gateway, whose rows were marked disconnect
  // (load 15-35); 1 s on a quiet machine, more on a busy one.
  const deadAfterMs = scaled(1_000);
  const a = await startGateway({ ...options, redis: { url: redis.url, prefix, gatewayId: "gw-a", deadAfterMs, commandTimeoutMs: 300 } });
  const b = await startGateway({ ...options, redis: { url: redis.url, prefix, gatewayId: "gw-b", deadAfterMs, commandTimeoutMs: 300 } });
  return { a, b, lines };
}

function pushes(client: WireClient): PresenceEvent[] {
  return client.notifications("presence").map((n) => n.params as PresenceEvent);
}

async function health(gw: { port: number }): Promise<{ status: string; store: { backend: string; healthy: boolean } }> {
  const response = await fetch(`http://127.0.0.1:${gw.port}/healthz`);
  expect(response.status).toBe(200);
  return (await response.json()) as { status: string; store: { backend: string; healthy: boolean } };
}

const lastPush = (client: WireClient) => pushes(client).at(-1)?.presence ?? [];
const ids = (rows: PresenceEntry[]) => peers(rows).map((row) => `${row.instanceId} ${row.reason}`).sort();

describe.skipIf(REDIS_MISSING !== undefined)(`two gateways on one Redis${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("connect on A, watch on B: B lists the row and pushes it; both self rows are listed, each with its gateway id", () =>
    withRedis(async (redis) => {
      const { a, b } = await cluster(redis);
      const watcher = await observer(b);
      await connectClient(a, { instanceId: "Laptop" });
      await watcher.waitFor((f) => JSON.stringify(f).includes('"Laptop"'));
      expect(rowOf(lastPush(watcher), "laptop")).toMatchObject({ reason: "connect" });
      const rows = await list(watcher);
      expect(rows.filter((row) => row.reason === "self").map((row) => row.instanceId)).toEqual(["gw-b", "gw-a"]);
      expect(ids(rows)).toEqual(["Laptop connect"]);
      // stateVersion grows by one per push on B's connection.
      const versions = pushes(watcher).map((p) => p.stateVersion.presence);
      expect(versions).toEqual(versions.map((_, i) => versions[0] + i));
      expect(a.metrics().store).toMatchObject({ backend: "redis", shared: true, healthy: true, gatewayId: "gw-a" });
    }));

  it("the same instanceId on A and B is one row; disconnect on A while open on B keeps it; the last close marks it (P6)", () =>
    withRedis(async (redis) => {
      const { a, b } = await cluster(redis);
      const watcher = await observer(a);
      const { client: onA } = await connectClient(a, { instanceId: "phone" });
      const { client: onB } = await connectClient(b, { instanceId: "PHONE" });
      expect(peers(await list(watcher)).filter((row) => row.instanceId?.toLowerCase() === "phone")).toHaveLength(1);
      await onA.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(rowOf(await list(watcher), "phone")?.reason).toBe("connect");
      await onB.close();
      await eventually(async () => expect(rowOf(await list(watcher), "phone")?.reason).toBe("disconnect"));
      await watcher.waitFor(() => rowOf(lastPush(watcher), "phone")?.reason === "disconnect");
    }));

  it("reconnect to B without instanceId is a second row; a beacon on B updates a row made on A", () =>
    withRedis(async (redis) => {
      const { a, b } = await cluster(redis);
      const { client: first } = await connectClient(a, { displayName: "anon" });
      await first.close();
      const { client: second } = await connectClient(b, { displayName: "anon" });
      const anon = peers(await list(second)).filter((row) => row.host === "anon");
      expect(anon.map((row) => row.reason).sort()).toEqual(["connect", "disconnect"]);

      const watcher = await observer(a);
      await connectClient(a, { instanceId: "desk" });
      await second.result("system-event", { instanceId: "desk", text: "typing on B", lastInputSeconds: 3 });
      await watcher.waitFor(() => rowOf(lastPush(watcher), "desk")?.text === "typing on B");
      expect(rowOf(await list(watcher), "desk")).toMatchObject({ reason: "connect", text: "typing on B", lastInputSeconds: 3 });
    }));

  it("one test clock: an advance on A expires closed rows everywhere and keeps rows open on either gateway (S3)", () =>
    withRedis(async (redis) => {
      const { a, b } = await cluster(redis, { ttlMs: 60_000 });
      const { client: onA } = await connectClient(a, { instanceId: "on-a" });
      const { client: onB } = await connectClient(b, { instanceId: "on-b" });
      await onA.result("system-event", { instanceId: "closed", text: "x" });
      const { now } = await onA.result<{ now: number }>("test.clock.advance", { ms: 120_000 });
      await eventually(() => expect(b.clock.now()).toBeGreaterThanOrEqual(now));
      // B pushes after the advance: its readers see the closed row gone and the open rows refreshed
      // (2 minutes newer; B may have listed a few ms before A read its clock for `now`).
      await onB.waitFor(() => {
        const rows = lastPush(onB);
        return rowOf(rows, "closed") === undefined && rows.length > 0 && peers(rows).every((row) => row.ts >= now - 10_000);
      });
      await eventually(async () => expect(ids(await list(onB))).toEqual(["on-a connect", "on-b connect"]));
      expect(ids(await list(onA))).toEqual(["on-a connect", "on-b connect"]);
    }));

  it("survives Redis going away mid-run: handshakes and beacons go on locally, every live row is back when it returns empty", () =>
    withRedis(async (redis) => {
      const { a, b, lines } = await cluster(redis);
      const watcherB = await observer(b);
      await connectClient(a, { instanceId: "before-a" });
      await connectClient(b, { instanceId: "before-b" });
      await list(watcherB);
      expect(await health(a)).toEqual({ status: "ok", store: { backend: "redis", shared: true, healthy: true } });
      await redis.stop();

      const started = Date.now();
      const { client: during, hello } = await connectClient(a, { instanceId: "during-a" });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(rowOf(hello.snapshot.presence, "during-a")).toBeDefined();
      await during.result("system-event", { text: "beacon in the outage" });
      await eventually(() => expect(a.metrics().store.healthy).toBe(false));
      expect(lines.filter((line) => line.includes("gw-a") && line.includes("unreachable"))).toHaveLength(1);
      expect(await health(a)).toMatchObject({ status: "degraded", store: { healthy: false } });

      await redis.start(); // empty: Redis lost everything
      await eventually(() => expect(a.metrics().store.healthy && b.metrics().store.healthy).toBe(true), scaled(10_000));
      expect((await health(b)).status).toBe("ok");
      const expected = ["before-a connect", "before-b connect", "during-a connect"];
      await eventually(async () => expect(ids(await list(watcherB))).toEqual(expected), scaled(5_000));
      expect(ids(await list(during))).toEqual(expected);
      const rows = await list(watcherB);
      expect(rowOf(rows, "during-a")?.text).toBe("beacon in the outage");
      expect(rows.filter((row) => row.reason === "self").map((row) => row.instanceId)).toEqual(["gw-b", "gw-a"]);
      await watcherB.waitFor(() => rowOf(lastPush(watcherB), "during-a") !== undefined);
    }));
});
