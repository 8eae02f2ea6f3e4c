/**
 * `npm run bench:cluster`: the cost of sharing the list (issue 12 item 7). Side by side in one run,
 * alternating rounds: ONE gateway with the in-memory store against TWO gateways on one Redis (a real
 * redis-server on an ephemeral loopback port, no persistence). Prints
 *   - beacons/s: writers spread over the setup's gateways send `system-event` beacons (8 in flight
 *     each) while every gateway pushes the coalesced list to its readers;
 *   - push delay: a beacon sent to the first gateway until a watcher on the last one (the other
 *     gateway of the cluster; the same gateway in memory) receives the push that holds it, one at a
 *     time on a quiet system (QUIET_MS apart, more than the push interval);
 *   - Redis round trips per beacon, from INFO commandstats (EVALSHA/EVAL calls: the beacon's own
 *     write script, the list reads of the pushes on both gateways, heartbeats), with the list reads
 *     counted apart (ZREVRANGE runs only in the list script).
 * Each gateway runs in its own child process (this file with `--gateway`); the load runs here.
 * Bounded: every round stops after ROUND_MS or ROUND_BEACONS, the whole run after DEADLINE_MS.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { startRedis, type RedisServer } from "../test/support/redis-server.js";

const WRITERS = 64;
const WINDOW = 4;
const ROUND_MS = 1_500;
const ROUND_BEACONS = 40_000;
const ROUNDS = 3;
const DELAY_SAMPLES = 40;
/** Pause between push-delay samples. */
const QUIET_MS = 120;
const DEADLINE_MS = 150_000;
const started = Date.now();
const timeLeft = () => DEADLINE_MS - (Date.now() - started);

interface Gateway {
  url: string;
  child: ChildProcess;
}

/** Every gateway started, so that a failing run still stops them all. */
const children = new Set<Gateway>();

/** Child mode (`cluster.ts --gateway <json options>`): prints its URL, serves until SIGTERM or until the parent goes. */
async function serveChild(optionsJson: string): Promise<void> {
  const { createGateway } = await import("../src/server/index.js");
  const options = JSON.parse(optionsJson) as Record<string, unknown>;
  // All load comes from one address: the per-connection rate limit and the per-address limits are raised.
  const limits = { pendingHandshakesPerAddress: 1_024, handshakeRate: { burst: 1_024, perSecond: 1_024 } };
  const gw = await createGateway({ host: "127.0.0.1", port: 0, rateLimit: { burst: 1e9, perSecond: 1e9 }, limits, ...options });
  process.stdout.write(`URL ${gw.url}\n`);
  const stop = () => void gw.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.stdin.once("end", stop); // the bench process is gone
  process.stdin.resume();
}

async function startGateway(options: Record<string, unknown>): Promise<Gateway> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--gateway", JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("gateway did not start within 20 s")), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /URL (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  const gw = { url, child };
  children.add(gw);
  return gw;
}

async function stopGateway(gw: Gateway): Promise<void> {
  if (gw.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => gw.child.once("exit", () => resolve()));
  gw.child.kill("SIGTERM");
  const timer = setTimeout(() => gw.child.kill("SIGKILL"), 8_000);
  await exited;
  clearTimeout(timer);
}

// ---- a bare JSON-RPC client: pushes are recognised by their first bytes and not parsed ----

const PUSH_PREFIX = Buffer.from('{"jsonrpc":"2.0","method":');

/** Longest wait for one answer: a call that gets none (socket closed, gateway stuck) counts as failed. */
const CALL_TIMEOUT_MS = 10_000;

class Client {
  private nextId = 1;
  private readonly pending = new Map<number, (ok: boolean) => void>();
  /** Why the gateway closed this client (e.g. 1008 slow consumer), if it did. */
  closedWith: string | undefined;
  /** Called with every push frame (raw). */
  onPush: (data: Buffer) => void = () => {};
  /** Push frames received, and their bytes. */
  pushes = 0;
  pushBytes = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      if (data.subarray(0, PUSH_PREFIX.length).equals(PUSH_PREFIX)) {
        this.pushes++;
        this.pushBytes += data.length;
        return this.onPush(data);
      }
      const { id, error } = JSON.parse(data.toString()) as { id?: number; error?: unknown };
      if (typeof id === "number") this.pending.get(id)?.(error === undefined);
    });
    ws.on("close", (code, reason) => {
      this.closedWith = `${code} ${reason.toString()}`;
      for (const settle of this.pending.values()) settle(false);
    });
    ws.on("error", () => {});
  }

  static async connect(url: string, client: Record<string, unknown>): Promise<Client> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const c = new Client(ws);
    if (!(await c.call("connect", { minProtocol: 1, maxProtocol: 1, client: { id: "bench", version: "1.0.0", platform: process.platform, ...client } }))) {
      throw new Error(`connect to ${url} failed (${c.closedWith ?? "refused or no answer"})`);
    }
    return c;
  }

  /** Resolves true on a result, false on an error answer, a closed socket or no answer in time. */
  call(method: string, params: unknown): Promise<boolean> {
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
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return answered;
  }

  close(): void {
    this.ws.terminate();
  }
}

// ---- one setup: its gateways, writers spread over them, a watcher on the last one ----

interface Setup {
  name: string;
  gateways: Gateway[];
  writers: Client[];
  watcher: Client;
  rates: number[];
  /** Beacon answer times (ms) under load. */
  answers: number[];
  delays: number[];
  beacons: number;
  /** Beacons not answered with a result (error, closed writer, timeout). */
  failures: number;
  /** Pushes the writers received during the throughput rounds, and their bytes. */
  pushes: number;
  pushBytes: number;
}

async function setup(name: string, gatewayOptions: Record<string, unknown>[]): Promise<Setup> {
  const gateways = await Promise.all(gatewayOptions.map(startGateway));
  const writers = await Promise.all(
    Array.from({ length: WRITERS }, (_, i) => Client.connect(gateways[i % gateways.length]!.url, { mode: "backend", instanceId: `${name}-writer-${i}` })),
  );
  const watcher = await Client.connect(gateways.at(-1)!.url, { mode: "cli" });
  return { name, gateways, writers, watcher, rates: [], answers: [], delays: [], beacons: 0, failures: 0, pushes: 0, pushBytes: 0 };
}

/** Every writer sends beacons, WINDOW in flight, until the round's time or count is spent. */
async function throughputRound(s: Setup): Promise<void> {
  const until = performance.now() + Math.min(ROUND_MS, timeLeft());
  let sent = 0;
  let answered = 0;
  const pushesBefore = s.writers.reduce((n, w) => n + w.pushes, 0);
  const bytesBefore = s.writers.reduce((n, w) => n + w.pushBytes, 0);
  const start = performance.now();
  await Promise.all(
    s.writers.map(async (writer, w) => {
      const lane = async () => {
        while (performance.now() < until && sent < ROUND_BEACONS) {
          sent++;
          const t0 = performance.now();
          if (!(await writer.call("system-event", { text: `beacon ${w}/${sent}`, lastInputSeconds: sent % 600 }))) {
            s.failures++;
            return; // this lane stops (a closed writer stays closed)
          }
          if (answered % 10 === 0) s.answers.push(performance.now() - t0);
          answered++;
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
    }),
  );
  s.rates.push(answered / ((performance.now() - start) / 1000));
  s.pushes += s.writers.reduce((n, w) => n + w.pushes, 0) - pushesBefore;
  s.pushBytes += s.writers.reduce((n, w) => n + w.pushBytes, 0) - bytesBefore;
  s.beacons += answered;
}

/** One beacon at a time on the first gateway; the time until the watcher on the last one has it. */
async function delayRound(s: Setup, samples: number): Promise<void> {
  const writer = s.writers.find((w) => w.closedWith === undefined);
  for (let i = 0; i < samples && timeLeft() > 0 && writer && s.watcher.closedWith === undefined; i++) {
    const text = `probe-${s.name}-${s.delays.length}`;
    const marker = Buffer.from(`"text":"${text}"`);
    const seen = new Promise<number>((resolve) => {
      s.watcher.onPush = (data) => {
        if (data.includes(marker)) resolve(performance.now());
      };
    });
    const t0 = performance.now();
    if (!(await writer.call("system-event", { text }))) break;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const delivered = await Promise.race([seen, new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Number.NaN), 2_000)))]);
    clearTimeout(timer);
    s.delays.push(delivered - t0);
    // Quiet in between: longer than the gateway's push interval (50 ms), so each push goes out at once.
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  }
  s.watcher.onPush = () => {};
}

function closeClients(s: Setup): void {
  for (const c of [...s.writers, s.watcher]) c.close();
}

// ---- figures ----

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
function percentile(xs: number[], p: number): number {
  const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
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

async function main(): Promise<void> {
  let redis: RedisServer | undefined;
  const setups: Setup[] = [];
  try {
    redis = await startRedis();
    const admin = new Redis(redis.url);
    const cluster = (id: string) => ({ redis: { url: redis!.url, prefix: `bench-${process.pid}`, gatewayId: id } });
    const memory = await setup("memory", [{}]);
    const shared = await setup("redis", [cluster("gw-a"), cluster("gw-b")]);
    setups.push(memory, shared);

    // Throughput, alternating; Redis' counters cover the cluster's rounds only.
    let redisCalls = new Map<string, number>();
    for (let round = 0; round < ROUNDS && timeLeft() > 0; round++) {
      await throughputRound(memory);
      const before = await commandStats(admin);
      await throughputRound(shared);
      const after = await commandStats(admin);
      for (const [name, n] of after) redisCalls.set(name, (redisCalls.get(name) ?? 0) + n - (before.get(name) ?? 0));
    }
    redisCalls = new Map([...redisCalls].filter(([, n]) => n > 0));
    // Push delay, alternating, on a quiet system.
    for (let round = 0; round < 4 && timeLeft() > 0; round++) {
      await delayRound(memory, DELAY_SAMPLES / 4);
      await delayRound(shared, DELAY_SAMPLES / 4);
    }
    await admin.quit();

    const rate = (s: Setup) => median(s.rates);
    const trips = (redisCalls.get("evalsha") ?? 0) + (redisCalls.get("eval") ?? 0);
    const lists = redisCalls.get("zrevrange") ?? 0;
    console.log(
      `cluster bench: ${WRITERS} writers x ${WINDOW} in flight, spread over the setup's gateways; ${ROUNDS} alternating rounds of <= ${ROUND_MS} ms; ` +
        `push delay over ${DELAY_SAMPLES} sequential beacons; Node ${process.version}, redis-server on 127.0.0.1:${redis.port}`,
    );
    const row = (label: string, m: string, r: string, ratio: string) => console.log(`${label.padEnd(34)} ${m.padStart(14)} ${r.padStart(16)} ${ratio.padStart(8)}`);
    row("", "1 gw, memory", "2 gw, 1 Redis", "ratio");
    row("beacons/s (median round)", fmt(rate(memory)), fmt(rate(shared)), (rate(shared) / rate(memory)).toFixed(2));
    const perBeacon = (s: Setup, n: number) => (n / Math.max(1, s.beacons)).toFixed(2);
    row("pushes received per beacon", perBeacon(memory, memory.pushes), perBeacon(shared, shared.pushes), "");
    row("push bytes received per beacon", perBeacon(memory, memory.pushBytes), perBeacon(shared, shared.pushBytes), "");
    for (const p of [50, 99]) {
      const m = percentile(memory.answers, p);
      const r = percentile(shared.answers, p);
      row(`beacon answer under load p${p} (ms)`, m.toFixed(2), r.toFixed(2), (r / m).toFixed(2));
    }
    for (const p of [50, 99]) {
      const m = percentile(memory.delays, p);
      const r = percentile(shared.delays, p);
      row(`push delay p${p} (ms)`, m.toFixed(2), r.toFixed(2), (r / m).toFixed(2));
    }
    for (const s of setups) {
      const closed = [...s.writers, s.watcher].filter((c) => c.closedWith !== undefined);
      if (s.failures || closed.length) console.log(`${s.name}: ${s.failures} beacons failed; clients closed by the gateway: ${closed.map((c) => c.closedWith).join(", ") || "none"}`);
    }
    const lost = (s: Setup) => s.delays.filter((d) => Number.isNaN(d)).length;
    if (lost(memory) + lost(shared) > 0) console.log(`pushes not seen within 2 s: memory ${lost(memory)}, redis ${lost(shared)}`);
    const per = (n: number) => (n / Math.max(1, shared.beacons)).toFixed(2);
    console.log(
      `Redis round trips per beacon (2 gateways): ${per(trips)} (EVALSHA/EVAL ${fmt(trips)} for ${fmt(shared.beacons)} beacons: ` +
        `1 write script each, list reads for pushes ${per(lists)}, the rest heartbeats and keep-alives)`,
    );
    const usec = (redisCalls.get("usec:evalsha") ?? 0) + (redisCalls.get("usec:eval") ?? 0);
    console.log(`Redis time in the scripts per beacon: ${(usec / Math.max(1, shared.beacons)).toFixed(1)} µs (${(usec / 1e6).toFixed(2)} s of Redis CPU for the cluster rounds)`);
    const top = [...redisCalls].filter(([name]) => !name.startsWith("usec:")).sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`Redis commands per beacon incl. those the scripts run: ${top.map(([name, n]) => `${name} ${per(n)}`).join(", ")}`);
  } finally {
    setups.forEach(closeClients);
    await Promise.all([...children].map(stopGateway));
    await redis?.stop();
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

if (process.argv[2] === "--gateway") await serveChild(process.argv[3] ?? "{}");
else await main();
