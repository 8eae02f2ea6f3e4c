/**
 * Stalled watchers (issue 14 item 4): 100 watchers stop reading while a writer changes a ~220 KB
 * list every 100 ms for 30 s, and 10 other watchers keep reading. Default gateway limits
 * (maxBufferedBytes 1 MiB, slowConsumerTimeoutMs 10 s, pushBytesPerSecond 64 MiB/s). Reports the
 * gateway's RSS before, at its peak and after, pushes dropped, slow consumers closed (and the close
 * codes the stalled sockets saw when they read again), and the reading watchers' delays.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ascending, monoMs, percentile } from "./stats.js";
import { withServer, type BenchContext } from "./context.js";
import type { LoadTask } from "./load-child.js";
import { shares } from "./load-pool.js";
import { call, prefill } from "./prefill.js";
import { closeAll, openAndHandshake } from "./sockets.js";
import { beaconFrame, probeText } from "./wire.js";

export interface StalledFigures {
  stalled: number;
  healthy: number;
  seconds: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  droppedPushes: number;
  slowConsumers: number;
  /** Close codes the stalled sockets saw, with counts. */
  closeCodes: Record<string, number>;
  healthyP50: number;
  healthyP99: number;
  healthyMissed: number;
  pushBytesPerRound: number;
}

export async function stalledWatchers(ctx: BenchContext, stalled = 100, healthy = 10, seconds = 30): Promise<StalledFigures> {
  return withServer(ctx, "gateway", async (server) => {
    await prefill(server.url, 199, "big-", "x".repeat(1000));
    const writer = await openAndHandshake(server.url, { mode: "cli" });
    const stallShares = shares(stalled, ctx.pool.size - 1);
    const tasks: LoadTask[] = [{ type: "watch", url: server.url, count: healthy }, ...stallShares.map((count): LoadTask => ({ type: "stall", url: server.url, count }))];
    const rssBefore = (await server.stats()).rss;
    let rssPeak = rssBefore;
    let probes = 0;
    try {
      const round = await ctx.pool.round(tasks, {
        during: async () => {
          const end = monoMs() + seconds * 1000;
          while (monoMs() < end) {
            await call(writer, beaconFrame(++probes, { instanceId: `big-${probes % 199}`, text: probeText(probes) }), probes);
            rssPeak = Math.max(rssPeak, (await server.stats()).rss);
            await sleep(100);
          }
          await sleep(1000);
        },
      });
      const stats = await server.stats();
      const [watch, ...stalls] = round.results;
      const sorted = ascending(watch.samples);
      const closeCodes: Record<string, number> = {};
      for (const code of stalls.flatMap((r) => r.samples)) closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      return {
        stalled,
        healthy: watch.count,
        seconds,
        rssBefore,
        rssPeak,
        rssAfter: stats.rss,
        droppedPushes: stats.metrics.droppedPushes,
        slowConsumers: stats.metrics.slowConsumers,
        closeCodes,
        healthyP50: percentile(sorted, 50),
        healthyP99: percentile(sorted, 99),
        healthyMissed: watch.count * probes - sorted.length,
        pushBytesPerRound: stats.metrics.pushBytes / Math.max(1, stats.metrics.pushRounds),
      };
    } finally {
      await closeAll([writer]);
    }
  });
}
