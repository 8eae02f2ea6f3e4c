/**
 * Fan-out: the delay from a change to every watcher seeing it, and the cost of connecting many
 * watchers. Probes carry their send time (monotonic, system-wide) in the text of a beacon; watchers
 * in the load processes find it in the pushed frames and record the delay once per probe.
 * The echo server's counterpart is a plain `ws` broadcast of a frame padded to the gateway's push size.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ascending, monoMs, percentile } from "./stats.js";
import { withServer, type BenchContext } from "./context.js";
import { merge, shares } from "./load-pool.js";
import type { LoadTask } from "./load-child.js";
import type { ServerKind } from "./servers.js";
import { call, prefill } from "./prefill.js";
import { closeAll, openAndHandshake } from "./sockets.js";
import { beaconFrame, BROADCAST_PREFIX, probeText } from "./wire.js";

export interface FanoutFigures {
  watchers: number;
  probes: number;
  /** (watcher, probe) pairs that never saw the probe. */
  missed: number;
  p50: number;
  p99: number;
  /** Mean bytes per push received by a watcher. */
  pushBytes: number;
  errors: number;
  firstError?: string;
}

const PROBE_ROWS = 8;

export async function fanout(ctx: BenchContext, kind: ServerKind, watchers: number, options: { caps?: string[]; padTo?: number } = {}): Promise<FanoutFigures> {
  const probes = Math.max(5, Math.round(30 * ctx.scale));
  const intervalMs = watchers > 100 ? 200 : 100;
  return withServer(ctx, kind, async (server) => {
    // A 50-row list: 41 rows plus 8 rows the probes rewrite in turn, plus self.
    if (kind === "gateway") {
      await prefill(server.url, 41);
      await prefill(server.url, PROBE_ROWS, "probe-row-");
    }
    const writer = await openAndHandshake(server.url, { mode: "cli" });
    const tasks: LoadTask[] = shares(watchers, ctx.pool.size).map((count) => ({ type: "watch", url: server.url, count, caps: options.caps }));
    try {
      const round = await ctx.pool.round(tasks, {
        during: async () => {
          await sleep(300);
          for (let n = 0; n < probes; n++) {
            const text = probeText(n);
            if (kind === "gateway") await call(writer, beaconFrame(n + 1, { instanceId: `probe-row-${n % PROBE_ROWS}`, text }), n + 1);
            else writer.send(`${BROADCAST_PREFIX}${JSON.stringify(text)},"pad":"${"x".repeat(Math.max(0, (options.padTo ?? 0) - text.length - 40))}"}`);
            await sleep(intervalMs);
          }
          await sleep(1000);
        },
      });
      const m = merge(round);
      const sorted = ascending(m.samples);
      const pushes = round.results.reduce((n, r) => n + (r.pushes ?? 0), 0);
      const bytes = round.results.reduce((n, r) => n + (r.bytes ?? 0), 0);
      return {
        watchers: m.count,
        probes,
        missed: m.count * probes - sorted.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        pushBytes: pushes ? bytes / pushes : 0,
        errors: m.errors,
        firstError: m.firstError,
      };
    } finally {
      await closeAll([writer]);
    }
  });
}

export interface ConnectFigures {
  target: number;
  connected: number;
  seconds: number;
  /** Seconds taken by each successive tenth of the connections (linear cost: all about equal). */
  perTenth: number[];
  /** [connections, seconds since the first connect started] for the plot. */
  curve: Array<[number, number]>;
  rss: number;
  errors: number;
  firstError?: string;
}

/** Connects `count` read-scoped clients, each with its own instanceId (every connect changes the list). */
export async function connectMany(ctx: BenchContext, kind: ServerKind, count: number, limitMs: number): Promise<ConnectFigures> {
  return withServer(ctx, kind, async (server) => {
    let rss = 0;
    let first = 0;
    const tasks: LoadTask[] = shares(count, ctx.pool.size).map((n) => {
      const task: LoadTask = { type: "connect-many", url: server.url, first, count: n, concurrency: 16, durationMs: limitMs };
      first += n;
      return task;
    });
    const startMs = monoMs();
    const round = await ctx.pool.round(tasks, {
      afterRun: async () => {
        await sleep(1000);
        rss = (await server.stats()).rss;
      },
    });
    const m = merge(round);
    const times = ascending(m.samples.map((t) => (t - startMs) / 1000));
    const tenth = Math.max(1, Math.floor(count / 10));
    const perTenth: number[] = [];
    for (let k = 1; k * tenth <= times.length; k++) perTenth.push(times[k * tenth - 1] - (k > 1 ? times[(k - 1) * tenth - 1] : 0));
    const step = Math.max(1, Math.floor(count / 50));
    const curve: Array<[number, number]> = [];
    for (let i = step; i <= times.length; i += step) curve.push([i, times[i - 1]]);
    return {
      target: count,
      connected: m.count,
      seconds: times.length ? times[times.length - 1] : Number.NaN,
      perTenth,
      curve,
      rss,
      errors: m.errors,
      firstError: m.firstError,
    };
  });
}
