/** What every benchmark scenario is given: the bundled scripts, the load processes, the limits. */
import { bundleChildren } from "./bundle.js";
import { LoadPool } from "./load-pool.js";
import { startServer, type BenchServer, type ServerKind } from "./servers.js";

export interface BenchContext {
  serverScript: string;
  pool: LoadPool;
  /** Options for createGateway in every gateway run (limits raised for load). */
  gatewayOptions: Record<string, unknown>;
  /** Idle RSS of every server started, by kind. */
  idleRss: Record<ServerKind, number[]>;
  /** Scale factor for --quick runs (1 = the figures). */
  scale: number;
  /**
   * Unmeasured passes of the same load before each measured throughput pass (load-pool.ts
   * RoundHooks.warmup); 0 measures the first requests of a fresh process.
   */
  warmup: number;
}

/**
 * Starts a fresh server for one run, records its idle RSS, and always stops it. `padTo`: an echo
 * that answers every request with a frame of that many bytes (byte-matched to the gateway's answer).
 */
export async function withServer<T>(ctx: BenchContext, kind: ServerKind, body: (server: BenchServer) => Promise<T>, padTo?: number): Promise<T> {
  const server = await startServer(ctx.serverScript, kind, kind === "gateway" ? ctx.gatewayOptions : padTo ? { padTo } : {});
  ctx.idleRss[kind].push(server.idleRss);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

export const KINDS: ServerKind[] = ["gateway", "echo"];

/**
 * The gateway's limits raised for load that all comes from 127.0.0.1: the beacon rate limit (SPEC B2)
 * and the per-address connection and handshake limits (docs/security.md); overload shedding off (a
 * throughput bench saturates the gateway on purpose: what it measures is capacity, not shedding).
 * Everything else is default, the gateway-wide ceilings included (10,000 watchers fit under them).
 */
export const BENCH_GATEWAY_OPTIONS = {
  rateLimit: { burst: 1e9, perSecond: 1e9 },
  limits: { connectionsPerAddress: 1_000_000, pendingHandshakesPerAddress: 1_000_000, handshakeRate: { burst: 1e9, perSecond: 1e9 }, overload: { enabled: false } },
};

/** Warm-up passes before each measured throughput pass (`--warmup N`). */
export const DEFAULT_WARMUP = 3;

/**
 * Alternating rounds of the beacon scenarios (`--rounds N`). A measured pass of 20,000 beacons lasts
 * about 0.35 s; on the 2-core machines the rounds of one run gave CPU-per-beacon ratios from 0.9 to
 * 1.8 around a median near 1.15, so three rounds' median crossed the 1.2 ceiling in about one run in
 * four (docs/performance.md).
 */
export const DEFAULT_ROUNDS = 7;

/**
 * Rounds of the `system-presence` calls and the handshakes (`--short-rounds N`). Their measured
 * passes last about 0.1 s, and on the 2-core machines one round's ratio ranged over 0.6 to 1.3
 * (docs/performance.md): three rounds' median moved by up to 0.25 between runs a minute apart.
 */
export const DEFAULT_SHORT_ROUNDS = 9;

/** Bundles the children and starts `procs` load processes; stop the pool when done. */
export async function startBench(procs: number, options: { scale?: number; warmup?: number; gatewayOptions?: Record<string, unknown> } = {}): Promise<BenchContext> {
  const scripts = await bundleChildren();
  return {
    serverScript: scripts.server,
    pool: await LoadPool.start(scripts.load, procs),
    gatewayOptions: options.gatewayOptions ?? BENCH_GATEWAY_OPTIONS,
    idleRss: { gateway: [], echo: [] },
    scale: options.scale ?? 1,
    warmup: options.warmup ?? DEFAULT_WARMUP,
  };
}
