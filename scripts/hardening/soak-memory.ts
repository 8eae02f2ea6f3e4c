/**
 * The soak's memory readings of the gateway process: a sample during the run (before and after a
 * full GC), the samples of the idle gateway after it, and the verdict on the heap's trend.
 *
 * Each sample says where the memory is, for an operator whose RSS grows while the heap does not:
 * RSS and the anonymous part of it (the V8 heap, malloc's arenas, buffers), the V8 heap in use and
 * committed, `external` and `arrayBuffers` (memory outside the heap held by JS objects), and the
 * output queued on the gateway's sockets. What a GC frees is garbage, not held memory: a run sample
 * reads the heap and ArrayBuffers before its GC too (docs/security.md, "RSS of the one-minute run").
 */
import { MB, mb, type GatewayMemory, type GatewayProcess } from "./gateway-process.js";

/** The gateway process's memory at one moment (bytes; heapUsed after a full GC in the run's samples). */
export interface SoakSample {
  atS: number;
  rss: number;
  /** Resident anonymous memory (smaps_rollup), bytes; 0 off Linux. */
  anonymous: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Before the sample's GC: the V8 heap in use and ArrayBuffers (live and not yet collected), bytes. */
  heapBeforeGc?: number;
  arrayBuffersBeforeGc?: number;
  /** Output queued on the gateway's sockets (not yet taken by the kernel), bytes, and by how many sockets. */
  queued: number;
  queuedSockets: number;
  connections: number;
}

/** A reading of the gateway's memory, atS counted from `started`. */
function sampleOf(m: GatewayMemory, started: number): SoakSample {
  return {
    atS: Math.round((Date.now() - started) / 1000), rss: m.rss, anonymous: m.anonymous ?? 0, heapUsed: m.heapUsed, heapTotal: m.heapTotal,
    external: m.external, arrayBuffers: m.arrayBuffers,
    queued: m.socketQueues.bytes, queuedSockets: m.socketQueues.sockets, connections: m.metrics.connections,
  };
}

/** One sample in words: which of RSS, the V8 heap and the memory outside it moved. */
export function memoryLine(s: SoakSample): string {
  const was = (before: number | undefined) => (before === undefined ? "" : `${mb(before)} before GC, `);
  return (
    `RSS ${mb(s.rss)} (anonymous ${mb(s.anonymous)}), heap used ${was(s.heapBeforeGc)}${mb(s.heapUsed)} of ${mb(s.heapTotal)}, ` +
    `external ${mb(s.external)} (arrayBuffers ${was(s.arrayBuffersBeforeGc)}${mb(s.arrayBuffers)}; queued on ${s.queuedSockets} sockets ${mb(s.queued)})`
  );
}

/** A run sample: the memory as it is (heap and ArrayBuffers), then after a full GC (the rest). */
export async function runSample(gw: GatewayProcess, started: number): Promise<SoakSample> {
  const before = await gw.memory({ gc: false });
  return { ...sampleOf(await gw.memory(), started), heapBeforeGc: before.heapUsed, arrayBuffersBeforeGc: before.arrayBuffers };
}

/**
 * The idle gateway (its clients gone) for `seconds`: up to 21 samples without forcing a GC (does its
 * RSS come back down by itself?), then one after a full GC.
 */
export async function idleSamples(gw: GatewayProcess, seconds: number, log?: (line: string) => void): Promise<SoakSample[]> {
  const samples: SoakSample[] = [];
  const started = Date.now();
  const every = Math.max(1_000, (seconds * 1000) / 20);
  for (let next = started; next <= started + seconds * 1000; next += every) {
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    const sample = sampleOf(await gw.memory({ gc: false }), started);
    samples.push(sample);
    log?.(`settle ${sample.atS} s: ${sample.connections} connections, ${memoryLine(sample)} (no forced GC)`);
  }
  const after = sampleOf(await gw.memory(), started);
  samples.push(after);
  log?.(`settle ${after.atS} s after a full GC: ${memoryLine(after)}`);
  return samples;
}

/** How the heap after GC moved over the steady part of a run. */
export interface HeapTrend {
  /** Samples judged (those in the steady window), and where the window starts, s. */
  samples: number;
  fromS: number;
  /** Median of the first and of the last third of those samples, bytes. */
  firstThird: number;
  lastThird: number;
  /** Least-squares slope over the window, MB per minute. */
  slopeMbPerMin: number;
  /** Why the trend could not be judged (too few samples), if so. */
  unjudged?: string;
}

/** Fewest samples per third for a verdict (their medians are compared). */
const MIN_PER_THIRD = 2;

/** The heap trend over samples taken from `fromS` on (see HeapTrend). */
export function heapTrend(all: ReadonlyArray<{ atS: number; heapUsed: number }>, fromS: number): HeapTrend {
  const points = all.filter((p) => p.atS >= fromS);
  const n = points.length;
  const third = Math.floor(n / 3);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const trend: HeapTrend = {
    samples: n,
    fromS,
    firstThird: median(points.slice(0, third).map((p) => p.heapUsed)),
    lastThird: median(points.slice(n - third).map((p) => p.heapUsed)),
    slopeMbPerMin: 0,
  };
  if (n >= 2) {
    const mx = points.reduce((s, p) => s + p.atS, 0) / n;
    const my = points.reduce((s, p) => s + p.heapUsed, 0) / n;
    const num = points.reduce((s, p) => s + (p.atS - mx) * (p.heapUsed - my), 0);
    const den = points.reduce((s, p) => s + (p.atS - mx) ** 2, 0);
    trend.slopeMbPerMin = den === 0 ? 0 : ((num / den) * 60) / MB;
  }
  if (third < MIN_PER_THIRD) trend.unjudged = `${n} samples from ${fromS} s on; at least ${3 * MIN_PER_THIRD} are needed (a longer run, or a shorter sampleMs)`;
  return trend;
}

/** Is the heap climbing? The last third's median against the first's: more than 5 MB and 20 % up. */
export function heapClimbs(trend: HeapTrend): string | undefined {
  if (trend.unjudged !== undefined) return `heap trend not judged: ${trend.unjudged}`;
  const { firstThird, lastThird } = trend;
  if (lastThird - firstThird <= Math.max(5 * MB, 0.2 * firstThird)) return undefined;
  return `heap after GC climbs: median ${mb(firstThird)} in the first third of the steady part, ${mb(lastThird)} in the last (${trend.slopeMbPerMin.toFixed(2)} MB/min)`;
}
