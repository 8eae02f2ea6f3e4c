/**
 * `npm run bench:cluster`: the cost of sharing the list (issue 12 item 7). Side by side in one run,
 * alternating rounds: ONE gateway with the in-memory store against TWO gateways on one Redis (a real
 * redis-server on an ephemeral loopback port, no persistence). Prints
 *   - beacons/s: writers spread over the setup's gateways send `system-event` beacons (WINDOW in
 *     flight each) while every gateway pushes the coalesced list to its readers;
 *   - push delay: a beacon sent to the first gateway until a watcher on the last one (the other
 *     gateway of the cluster; the same gateway in memory) receives the push that holds it, one at a
 *     time on a quiet system (QUIET_MS apart, more than the push interval);
 *   - Redis round trips per beacon, from INFO commandstats (EVALSHA/EVAL calls: the beacon's own
 *     write script, the list reads of the pushes on both gateways, heartbeats), with the list reads
 *     counted apart (ZREVRANGE runs only in the list script), and Redis' CPU per beacon.
 * Each gateway runs in its own process (bench/lib/server-child.ts, bundled); the load runs here.
 * Bounded: every call waits at most CALL_TIMEOUT_MS, every round stops after ROUND_MS or
 * ROUND_BEACONS, the whole run after DEADLINE_MS.
 */
import { Redis } from "ioredis";
import WebSocket from "ws";
import { REDIS_MISSING, startRedis, type RedisServer } from "../test/support/redis-server.js";
import { bundleChildren } from "./lib/bundle.js";
import { startServer, type BenchServer } from "./lib/servers.js";
import { ascending, fmt, median, percentile } from "./lib/stats.js";
import { classify, connectFrame, requestFrame, type ConnectOptions } from "./lib/wire.js";

const WRITERS = 64;
const WINDOW = 4;
const ROUND_MS = 1_500;
const ROUND_BEACONS = 40_000;
const ROUNDS = 3;
const DELAY_SAMPLES = 40;
/** Pause between push-delay samples. */
const QUIET_MS = 120;
/** Longest wait for one answer: a call that gets none (socket closed, gateway stuck) counts as failed. */
const CALL_TIMEOUT_MS = 10_000;
const DEADLINE_MS = 150_000;
const started = Date.now();
const timeLeft = () => DEADLINE_MS - (Date.now() - started);

/** All load comes from one address: the per-connection rate limit and the per-address limits are raised; no overload shedding (capacity is measured). */
const GATEWAY_OPTIONS = {
  rateLimit: { burst: 1e9, perSecond: 1e9 },
  limits: { pendingHandshakesPerAddress: 1_024, handshakeRate: { burst: 1_024, perSecond: 1_024 }, overload: { enabled: false } },
};

/** A JSON-RPC client that never parses a push (bench/lib/wire.ts classify()). */
class Client {
  private nextId = 1;
  private readonly pending = new Map<number, (ok: boolean) => void>();
  /** Called with every push frame (raw). */
  onPush: (data: Buffer) => void = () => {};
  pushes = 0;
  pushBytes = 0;
  /** Why the gateway closed this client (e.g. 1008 slow consumer), if it did. */
  closedWith: string | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const frame = classify(data);
      if (frame.kind === "push") {
        this.pushes++;
        this.pushBytes += data.length;
        this.onPush(data);
      } else if (frame.kind === "response") this.pending.get(frame.id)?.(!frame.error);
    });
    ws.on("close", (code, reason) => {
      this.closedWith = `${code} ${reason.toString()}`;
      for (const settle of this.pending.values()) settle(false);
    });
    ws.on("error", () => {});
  }

  static async connect(url: string, options: ConnectOptions): Promise<Client> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const c = new Client(ws);
    if (!(await c.send((id) => connectFrame(id, options)))) throw new Error(`connect to ${url} failed (${c.closedWith ?? "refused or no answer"})`);
    return c;
  }

  /** Resolves true on a result, false on an error answer, a closed socket or no answer in time. */
  call(method: string, params: unknown): Promise<boolean> {
    return this.send((id) => requestFrame(id, method, params));
  }

  private send(frame: (id: number) => string): Promise<boolean> {
    const id = this.nextId++;
    if (this.closedWith !== undefined) return Promise.resolve(false);
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => settle(false), CALL_TIMEOUT_MS);
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(ok);
      };
      this.pending.set(id, settle);
    });
    this.ws.send(frame(id));
    return answered;
  }

  close(): void {
    this.ws.terminate();
  }
}

// ---- one setup: its gateways, writers spread over them, a watcher on the last one ----

interface Setup {
  name: string;
  gateways: BenchServer[];
  writers: Client[];
  watcher: Client;
  rates: number[];
  /** Beacon answer times (ms) under load, every tenth. */
  answers: number[];
  delays: number[];
  beacons: number;
  /** Beacons not answered with a result (error, closed writer, timeout). */
  failures: number;
  /** Pushes the writers received during the throughput rounds, and their bytes. */
  pushes: number;
  pushBytes: number;
}

async function setup(name: string, gateways: BenchServer[]): Promise<Setup> {
  const writers = await Promise.all(
    Array.from({ length: WRITERS }, (_, i) => Client.connect(gateways[i % gateways.length]!.url, { mode: "backend", instanceId: `${name}-writer-${i}` })),
  );
  const watcher = await Client.connect(gateways.at(-1)!.url, { mode: "cli" });
  return { name, gateways, writers, watcher, rates: [], answers: [], delays: [], beacons: 0, failures: 0, pushes: 0, pushBytes: 0 };
}

const received = (s: Setup) => s.writers.reduce((sum, w) => [sum[0]! + w.pushes, sum[1]! + w.pushBytes], [0, 0]);

/** Every writer sends beacons, WINDOW in flight, until the round's time or count is spent. */
async function throughputRound(s: Setup): Promise<void> {
  const until = performance.now() + Math.min(ROUND_MS, timeLeft());
  const [pushesBefore, bytesBefore] = received(s);
  let sent = 0;
  let answered = 0;
  const start = performance.now();
  const lane = async (writer: Client, w: number) => {
    while (performance.now() < until && sent < ROUND_BEACONS) {
      sent++;
      const t0 = performance.now();
      // A failure stops the lane: a writer the gateway closed stays closed.
      if (!(await writer.call("system-event", { text: `beacon ${w}/${sent}`, lastInputSeconds: sent % 600 }))) return void s.failures++;
      if (answered++ % 10 === 0) s.answers.push(performance.now() - t0);
    }
  };
  await Promise.all(s.writers.flatMap((writer, w) => Array.from({ length: WINDOW }, () => lane(writer, w))));
  s.rates.push(answered / ((performance.now() - start) / 1000));
  const [pushes, bytes] = received(s);
  s.pushes += pushes! - pushesBefore!;
  s.pushBytes += bytes! - bytesBefore!;
  s.beacons += answered;
}

/** One beacon at a time on the first gateway; the time until the watcher on the last one has it. */
async function delayRound(s: Setup, samples: number): Promise<void> {
  const writer = s.writers.find((w) => w.closedWith === undefined);
  for (let i = 0; i < samples && timeLeft() > 0 && writer && s.watcher.closedWith === undefined; i++) {
    const marker = Buffer.from(`"text":"probe-${s.name}-${s.delays.length}"`);
    const seen = new Promise<number>((resolve) => {
      s.watcher.onPush = (data) => {
        if (data.includes(marker)) resolve(performance.now());
      };
    });
    const t0 = performance.now();
    if (!(await writer.call("system-event", { text: `probe-${s.name}-${s.delays.length}` }))) break;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const delivered = await Promise.race([seen, new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Number.NaN), 2_000)))]);
    clearTimeout(timer);
    s.delays.push(delivered - t0);
    // Quiet in between: longer than the gateway's push interval, so each push goes out at once.
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  }
  s.watcher.onPush = () => {};
}

/** Calls per command, and `usec:<command>` for the microseconds Redis spent in it. */
async function commandStats(admin: Redis): Promise<Map<string, number>> {
  const info = await admin.info("commandstats");
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    calls.set(match[1]!, Number(match[2]));
    calls.set(`usec:${match[1]!}`, Number(match[3]));
  }
  return calls;
}

function report(memory: Setup, shared: Setup, redisCalls: Map<string, number>, port: number): void {
  console.log(
    `cluster bench: ${WRITERS} writers x ${WINDOW} in flight, spread over the setup's gateways; ${ROUNDS} alternating rounds of <= ${ROUND_MS} ms; ` +
      `push delay over ${DELAY_SAMPLES} beacons ${QUIET_MS} ms apart; Node ${process.version}, redis-server on 127.0.0.1:${port}`,
  );
  const row = (label: string, m: string, r: string, ratio = "") => console.log(`${label.padEnd(34)} ${m.padStart(14)} ${r.padStart(16)} ${ratio.padStart(8)}`);
  const both = (label: string, of: (s: Setup) => number, digits: number, withRatio = true) =>
    row(label, fmt(of(memory), digits), fmt(of(shared), digits), withRatio ? (of(shared) / of(memory)).toFixed(2) : "");
  row("", "1 gw, memory", "2 gw, 1 Redis", "ratio");
  both("beacons/s (median round)", (s) => median(s.rates), 0);
  both("pushes received per beacon", (s) => s.pushes / Math.max(1, s.beacons), 2, false);
  both("push bytes received per beacon", (s) => s.pushBytes / Math.max(1, s.beacons), 0, false);
  for (const p of [50, 99]) both(`beacon answer under load p${p} (ms)`, (s) => percentile(ascending(s.answers), p), 2);
  for (const p of [50, 99]) both(`push delay p${p} (ms)`, (s) => percentile(ascending(s.delays.filter((d) => !Number.isNaN(d))), p), 2);
  for (const s of [memory, shared]) {
    const closed = [...s.writers, s.watcher].filter((c) => c.closedWith !== undefined);
    const lost = s.delays.filter((d) => Number.isNaN(d)).length;
    if (s.failures || closed.length || lost) {
      console.log(`${s.name}: ${s.failures} beacons failed, ${lost} pushes not seen within 2 s; closed by the gateway: ${closed.map((c) => c.closedWith).join(", ") || "none"}`);
    }
  }
  const per = (n: number) => (n / Math.max(1, shared.beacons)).toFixed(2);
  const trips = (redisCalls.get("evalsha") ?? 0) + (redisCalls.get("eval") ?? 0);
  console.log(
    `Redis round trips per beacon (2 gateways): ${per(trips)} (EVALSHA/EVAL ${fmt(trips)} for ${fmt(shared.beacons)} beacons: ` +
      `1 write script each, list reads for pushes ${per(redisCalls.get("zrevrange") ?? 0)}, the rest heartbeats and keep-alives)`,
  );
  const usec = (redisCalls.get("usec:evalsha") ?? 0) + (redisCalls.get("usec:eval") ?? 0);
  console.log(`Redis time in the scripts per beacon: ${(usec / Math.max(1, shared.beacons)).toFixed(1)} µs (${(usec / 1e6).toFixed(2)} s of Redis CPU for the cluster rounds)`);
  const top = [...redisCalls].filter(([name]) => !name.startsWith("usec:")).sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`Redis commands per beacon incl. those the scripts run: ${top.map(([name, n]) => `${name} ${per(n)}`).join(", ")}`);
}

async function main(): Promise<void> {
  if (REDIS_MISSING) {
    process.stderr.write(`bench:cluster: ${REDIS_MISSING} (or set REDIS_SERVER=PATH)\n`);
    process.exitCode = 1;
    return;
  }
  let redis: RedisServer | undefined;
  const servers: BenchServer[] = [];
  const setups: Setup[] = [];
  try {
    redis = await startRedis();
    const { server } = await bundleChildren();
    const start = async (options: Record<string, unknown>) => {
      const gw = await startServer(server, "gateway", { ...GATEWAY_OPTIONS, ...options });
      servers.push(gw);
      return gw;
    };
    const cluster = (gatewayId: string) => ({ redis: { url: redis!.url, prefix: `bench-${process.pid}`, gatewayId } });
    const memory = await setup("memory", [await start({})]);
    const shared = await setup("redis", [await start(cluster("gw-a")), await start(cluster("gw-b"))]);
    setups.push(memory, shared);

    // Throughput, alternating; Redis' counters cover the cluster's rounds only.
    const admin = new Redis(redis.url);
    const redisCalls = new Map<string, number>();
    for (let round = 0; round < ROUNDS && timeLeft() > 0; round++) {
      await throughputRound(memory);
      const before = await commandStats(admin);
      await throughputRound(shared);
      for (const [name, n] of await commandStats(admin)) {
        if (n > (before.get(name) ?? 0)) redisCalls.set(name, (redisCalls.get(name) ?? 0) + n - (before.get(name) ?? 0));
      }
    }
    await admin.quit();
    // Push delay, alternating, on a quiet system.
    for (let round = 0; round < 4 && timeLeft() > 0; round++) {
      await delayRound(memory, DELAY_SAMPLES / 4);
      await delayRound(shared, DELAY_SAMPLES / 4);
    }
    report(memory, shared, redisCalls, redis.port);
  } finally {
    for (const s of setups) for (const c of [...s.writers, s.watcher]) c.close();
    await Promise.all(servers.map((gw) => gw.stop()));
    await redis?.stop();
  }
}

await main();
