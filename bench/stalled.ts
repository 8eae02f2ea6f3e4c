/**
 * `npm run bench:stalled`: 100 watchers that stop reading and 10 that keep reading, against the
 * gateway with its default limits (see lib/stalled.ts); prints the figures docs/security.md quotes.
 * Options: --json FILE. Bounded: about 40 s, the whole run stops after 3 minutes.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { startBench } from "./lib/context.js";
import { fmt, mb } from "./lib/stats.js";
import { stalledWatchers } from "./lib/stalled.js";

const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const guard = setTimeout(() => {
  console.error("bench:stalled: stopped after 3 minutes");
  process.exit(2);
}, 180_000);
guard.unref();

const ctx = await startBench(3);
try {
  console.log(`bench:stalled ${new Date().toISOString()}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const f = await stalledWatchers(ctx);
  console.log(
    `${f.stalled} stalled + ${f.healthy} reading watchers, ${fmt(f.pushBytesPerRound / 1048576, 1)} MB per push round (all readers), a change every 100 ms for ${f.seconds} s\n` +
      `gateway RSS: before ${mb(f.rssBefore)}, peak ${mb(f.rssPeak)}, after ${mb(f.rssAfter)}\n` +
      `pushes dropped: ${f.droppedPushes}; slow consumers closed: ${f.slowConsumers}; close codes seen by the stalled sockets: ${JSON.stringify(f.closeCodes)}\n` +
      `reading watchers: p50 ${fmt(f.healthyP50, 1)} ms, p99 ${fmt(f.healthyP99, 1)} ms from change to push, ${f.healthyMissed} changes never seen (coalesced)`,
  );
  if (jsonAt >= 0) writeFileSync(args[jsonAt + 1], `${JSON.stringify({ date: new Date().toISOString(), ...f }, null, 2)}\n`);
} finally {
  await ctx.pool.stop();
}
