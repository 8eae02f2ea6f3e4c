/**
 * The line a Redis-backed gateway logs when it stops without removing itself from the cluster says
 * why: Redis out of reach, or (Redis reachable) stopped while writing its rows back after Redis lost
 * them. Stopping in the milliseconds of a write-back cannot be timed against a real redis-server, so
 * the Outage runs here with a restore that never answers (nothing listens at its URL).
 */
import { describe, expect, it } from "vitest";
import { resolveRedisOptions } from "../../src/presence/redis/options.js";
import { Outage } from "../../src/presence/redis/outage.js";

function outage(): { outage: Outage; lines: string[] } {
  const lines: string[] = [];
  const opts = resolveRedisOptions({ url: "redis://127.0.0.1:1", gatewayId: "gw-x", deadAfterMs: 500, log: (line) => lines.push(line) });
  const hooks = { deliver: () => {}, restore: () => new Promise<never>(() => {}), healthy: () => {}, isReady: () => false };
  return { outage: new Outage(opts, hooks), lines };
}

describe("the stop line of a gateway that could not leave the cluster", () => {
  it("after an outage: Redis unreachable, its self row and connections listed until its heartbeat is old", async () => {
    const { outage: o, lines } = outage();
    o.begin("connect ECONNREFUSED");
    o.stoppedUnannounced();
    await o.close();
    expect(lines.at(-1)).toBe(
      "warning presence store: gateway gw-x stopped without leaving the cluster (Redis unreachable): the other gateways list its self row and connections until it has sent no heartbeat for 500 ms",
    );
  });

  it("during a rejoin (Redis reachable, had lost this gateway): not 'Redis unreachable'", async () => {
    const { outage: o, lines } = outage();
    o.rejoin();
    o.stoppedUnannounced();
    await o.close();
    // Was: "... stopped without leaving the cluster (Redis unreachable) ...", though Redis was up all along.
    expect(lines.at(-1)).toBe(
      "warning presence store: gateway gw-x stopped while writing its presence back to Redis: the other gateways list the rows it had written back until it has sent no heartbeat for 500 ms",
    );
  });
});
