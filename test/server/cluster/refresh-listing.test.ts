/**
 * A keep-alive refresh (SPEC P7) made by one gateway of a cluster reaches every gateway's listing.
 * The refresh moves a row's `ts` without a change (nothing is pushed), and each gateway answers
 * `system-presence` from a cached snapshot dropped on changes. Before, only the refreshing gateway
 * dropped its cache: the others kept listing the row's old `ts` until the next change, while Redis
 * evicts (S2) and expires (S1) by the new one. So gateway A listed a row as the oldest that was not
 * the one its next new key evicted (conform's s2-cap-199-200-201 then saw "the oldest row" survive
 * and another go), and a quiet cluster could list a live row as ever older.
 */
import { describe, expect, it } from "vitest";
import type { PresenceEntry } from "../../../src/protocol/index.js";
import { REDIS_MISSING, withRedis } from "../../support/redis-server.js";
import { connectClient, list, observer, peers, rowOf, startGateway, type WireClient } from "../helpers.js";
import { scaled } from "../../support/timing.js";

const WAIT_MS = 2_000;

/** Lists through `client` until `check` holds on the rows (or WAIT_MS pass); returns the last rows. */
async function listUntil(client: WireClient, check: (rows: PresenceEntry[]) => boolean): Promise<PresenceEntry[]> {
  const end = Date.now() + scaled(WAIT_MS);
  for (;;) {
    const rows = await list(client);
    if (check(rows) || Date.now() > end) return rows;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const tsOf = (rows: PresenceEntry[], id: string) => rowOf(rows, id)?.ts;
const oldest = (rows: PresenceEntry[]) => [...peers(rows)].sort((x, y) => x.ts - y.ts)[0]?.instanceId;

describe.skipIf(REDIS_MISSING !== undefined)(`a keep-alive refresh on one gateway of a cluster${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("is listed by the others at once, and the row they list as the oldest is the one a new key evicts (S2)", () =>
    withRedis(async (redis) => {
      // Cap 4: the two self rows and two others. Keep-alive rounds (30 s) do not come during the test:
      // the only refresh is the unsolicited pong below, which the gateway takes as a keep-alive answer.
      const redisOptions = { url: redis.url, prefix: `refresh-${process.pid}` };
      const a = await startGateway({ maxEntries: 4, redis: { ...redisOptions, gatewayId: "gw-a" } });
      const b = await startGateway({ maxEntries: 4, redis: { ...redisOptions, gatewayId: "gw-b" } });
      const { client: laptop } = await connectClient(b, { instanceId: "laptop" });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const watcher = await observer(a);
      await watcher.result("system-event", { instanceId: "phone", text: "beacon" });
      const before = await list(watcher); // A's cached listing
      expect(peers(before).map((row) => row.instanceId).sort()).toEqual(["laptop", "phone"]);
      expect(oldest(before)).toBe("laptop");

      await new Promise((resolve) => setTimeout(resolve, 5));
      laptop.ws.pong(); // a keep-alive answer on B: B refreshes laptop's row (no change, no push)
      const onB = await listUntil(await observer(b), (rows) => tsOf(rows, "laptop")! > tsOf(before, "laptop")!);
      const refreshedTs = tsOf(onB, "laptop")!;
      expect(refreshedTs).toBeGreaterThan(tsOf(before, "phone")!);

      // A lists the new ts too (before: the old one, for as long as nothing else changed).
      const onA = await listUntil(watcher, (rows) => tsOf(rows, "laptop") === refreshedTs);
      expect(tsOf(onA, "laptop"), "A's listing of the row B refreshed").toBe(refreshedTs);
      expect(oldest(onA)).toBe("phone");

      // The row A lists as the oldest is the row the next new key evicts.
      await watcher.result("system-event", { instanceId: "tablet", text: "beacon" });
      const after = await list(watcher);
      expect(peers(after).map((row) => row.instanceId).sort()).toEqual(["laptop", "tablet"]);
    }));
});
