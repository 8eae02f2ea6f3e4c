/**
 * Request throughput, gateway vs echo: beacons (50 clients x 400, a window of in-flight requests),
 * `system-presence` calls on a 50-row list, and handshakes. The gateway's figures include pushing
 * the list to every reader while the load runs (every bench client may read presence).
 */
import { ascending, percentile } from "./stats.js";
import { withServer, type BenchContext } from "./context.js";
import { merge, shares } from "./load-pool.js";
import type { LoadTask } from "./load-child.js";
import type { ServerKind } from "./servers.js";
import { prefill } from "./prefill.js";

export interface RateFigures {
  count: number;
  errors: number;
  firstError?: string;
  perSecond: number;
  p50: number;
  p99: number;
  /** Server CPU time (user + system) per request, in microseconds. */
  cpuUs: number;
  /** Mean size of an answer in bytes (calls, handshakes). */
  answerBytes?: number;
  /** The echo answered with frames of this many bytes (byte-matched to the gateway's answers). */
  paddedTo?: number;
  /**
   * The first warm-up pass (the same load on the fresh process): rate and CPU per request of a
   * process whose code V8 has not compiled yet. Printed beside, not what the targets check.
   */
  cold?: { perSecond: number; cpuUs: number };
}

const RUN_LIMIT_MS = 60_000;

function figures(ctx: BenchContext, round: Awaited<ReturnType<BenchContext["pool"]["round"]>>, cpuMs: number): RateFigures {
  const m = merge(round);
  const sorted = ascending(m.samples);
  return {
    count: m.count,
    errors: m.errors,
    firstError: m.firstError,
    perSecond: m.count / m.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuUs: (cpuMs * 1000) / Math.max(1, m.count),
    answerBytes: round.results.reduce((n, r) => n + (r.bytes ?? 0) * r.count, 0) / Math.max(1, m.count),
  };
}

/**
 * Runs `tasks` on a fresh server: ctx.warmup warm-up passes, then the measured pass (load-pool.ts
 * RoundHooks.warmup), measuring the server's CPU time over the first (cold) and the measured pass. `padTo`: the echo answers with
 * frames of that size (a byte-matched echo).
 */
async function measured(ctx: BenchContext, kind: ServerKind, setup: (url: string) => Promise<void>, tasks: (url: string) => LoadTask[], padTo?: number): Promise<RateFigures> {
  return withServer(ctx, kind, async (server) => {
    if (kind === "gateway") await setup(server.url);
    const cpu: number[] = [];
    const read = async () => void cpu.push((await server.stats()).cpuMs);
    const hooks = { warmup: ctx.warmup, beforeWarmup: read, afterColdPass: read, beforeRun: read, afterRun: read };
    const round = await ctx.pool.round(tasks(server.url), hooks);
    const measuredPass = figures(ctx, round, cpu[cpu.length - 1] - cpu[cpu.length - 2]);
    if (round.warmup === undefined) return { ...measuredPass, ...(padTo ? { paddedTo: padTo } : {}) };
    const coldPass = figures(ctx, { ...round, results: round.warmup }, cpu[1] - cpu[0]);
    return {
      ...measuredPass,
      errors: measuredPass.errors + coldPass.errors - round.prepareErrors,
      firstError: measuredPass.firstError ?? coldPass.firstError,
      cold: { perSecond: coldPass.perSecond, cpuUs: coldPass.cpuUs },
      ...(padTo ? { paddedTo: padTo } : {}),
    };
  }, padTo);
}

export function beacons(ctx: BenchContext, kind: ServerKind, window: number): Promise<RateFigures> {
  const clients = 50;
  const perClient = Math.max(10, Math.round(400 * ctx.scale));
  return measured(ctx, kind, async () => {}, (url) => {
    let next = 0;
    return shares(clients, ctx.pool.size).map((n) => ({
      type: "beacons",
      url,
      clients: Array.from({ length: n }, () => next++),
      perClient,
      window,
      durationMs: RUN_LIMIT_MS,
    }));
  });
}

/** 2,000 `system-presence` calls, one client per load process, each sequential. */
export function calls(ctx: BenchContext, kind: ServerKind, padTo?: number): Promise<RateFigures> {
  const total = Math.max(100, Math.round(2000 * ctx.scale));
  return measured(
    ctx,
    kind,
    (url) => prefill(url, 49),
    (url) => shares(total, ctx.pool.size).map((perClient) => ({ type: "calls", url, clients: 1, perClient, durationMs: RUN_LIMIT_MS })),
    padTo,
  );
}

/** 200 handshakes, 20 at a time across the load processes, each its own instanceId; each socket closes after hello-ok. */
export function handshakes(ctx: BenchContext, kind: ServerKind, padTo?: number): Promise<RateFigures> {
  const total = Math.max(20, Math.round(200 * ctx.scale));
  const concurrency = shares(20, ctx.pool.size);
  return measured(ctx, kind, async () => {}, (url) => {
    let first = 0;
    return shares(total, ctx.pool.size).map((count, i) => {
      const task: LoadTask = { type: "handshakes", url, first, count, concurrency: Math.max(1, concurrency[i]), durationMs: RUN_LIMIT_MS };
      first += count;
      return task;
    });
  }, padTo);
}
