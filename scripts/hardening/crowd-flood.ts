/**
 * Many addresses flood connects while live clients keep asking: `npm run floods:crowd` runs the
 * same flood against a gateway (in its own process) with only the per-address limits, as before the
 * gateway-wide limits existed (ceilings out of reach, shedding off), and with the default limits
 * (gateway-wide ceilings, overload shedding), and prints the live clients' round trips and what
 * was refused. docs/security.md keeps a run.
 *
 * The flood: `addresses` loopback source addresses (127.0.0.10, ...), each starting `rate` (200)
 * connect attempts per second (open, `connect` as a `cli` client, close), at most 32 in flight per
 * address (its pending-handshake budget): each address goes past its per-address rate budget (64 per
 * second after a burst of 256) and is partly refused there; together they offer more handshakes than
 * the gateway can do. Idle clients fill the list to `rows` (default 200, the cap) before the flood,
 * so every hello-ok carries a full list. The offered rate is fixed (not "as fast as answers come
 * back"), so every run gets the same flood. The live clients
 * (live-clients.ts, their own process) connect before the flood and call system-presence one after
 * another. Bounded: `seconds` per run, every attempt times out after 5 s.
 */
import { fork } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import type { GatewayLimitsOptions } from "../../src/server/limits/options.js";
import { numberOptions, runIfMain, verdict } from "./cli.js";
import { startGatewayProcess, type GatewayMemory } from "./gateway-process.js";
import type { Refused } from "./live-clients.js";
import { connectParams } from "./raw-client.js";

export interface CrowdFigures {
  label: string;
  /**
   * The idle residents and live clients that connect before the flood, and how many of each the
   * gateway refused (counted by reason as the flood's outcomes are; a refused one is left out).
   */
  setup: { residents: number; live: number; refusedResidents: number; refusedLive: number; refused: Record<string, number> };
  /** The live clients' system-presence round trips, ms. */
  live: { calls: number; failures: number; p50: number; p99: number; max: number };
  /** Connect attempts the flood started and how each ended (hello-ok, or the refusal's reason). */
  attempts: number;
  outcomes: Record<string, number>;
  /** The gateway's event-loop delay per window (metrics().eventLoopDelayMs, read every 250 ms), ms, and the share of readings overloaded. */
  delay: { p50: number; max: number; overloadedShare: number; utilization: number[] };
  after: GatewayMemory;
}

/** Before the gateway-wide limits: the per-address ones only. */
export const PER_ADDRESS_ONLY: GatewayLimitsOptions = {
  maxConnections: 1e9,
  maxPendingHandshakes: 1e9,
  maxUnfinishedRequests: 1e9,
  overload: { enabled: false },
  connectionRate: { enabled: false },
};

const LIVE = fileURLToPath(new URL("./live-clients.ts", import.meta.url));
const IN_FLIGHT_PER_ADDRESS = 32;

/** The reason a flood attempt ended with, from the error it got. */
function outcomeOf(error: { message?: string; data?: Record<string, unknown> } | undefined): string {
  const text = `${String(error?.data?.code)} ${error?.message ?? ""}`;
  const known: Array<[RegExp, string]> = [
    [/Unexpected server response: 503 too many new connections to the gateway/, "CONNECTION_RATE (HTTP 503)"],
    [/Unexpected server response: 503/, "OVERLOADED (HTTP 503)"],
    [/Unexpected server response: 429/, "HTTP 429"],
    [/too many new connections from/, "HANDSHAKE_RATE"],
    [/unfinished handshakes from/, "HANDSHAKE_LIMIT"],
    [/too many connections from/, "CONNECTION_LIMIT"],
    [/the gateway is full/, "GATEWAY_CONNECTION_LIMIT"],
    [/unfinished handshakes on the gateway/, "GATEWAY_HANDSHAKE_LIMIT"],
    [/gateway overloaded/, "OVERLOADED (frame)"],
  ];
  return known.find(([re]) => re.test(text))?.[1] ?? `other: ${text.slice(0, 60)}`;
}

/**
 * One connect attempt on a raw TCP socket: the upgrade request and a masked `connect` frame in one
 * write, then the first answer. Raw, so that the flooding process spends little CPU per attempt and
 * the gateway does the whole handshake (HTTP, WebSocket, connect, hello-ok): on a shared 2-core
 * machine a flood through a WebSocket library saturated its own process before the gateway.
 */
function attempt(port: number, localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1", localAddress });
    let received = "";
    const finish = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish("no answer in 5 s"), 5_000);
    socket.on("error", (error) => finish(`socket error: ${error.message}`));
    socket.on("connect", () => socket.write(ATTEMPT_BYTES));
    socket.on("data", (data) => {
      received += data.toString("latin1");
      // The status and the body's reason (an overload and the connection rate are both 503).
      const body = received.indexOf("\r\n\r\n") + 4;
      if (/^HTTP\/1\.1 (503|429)/.test(received) && body > 3 && received.includes("\n", body)) {
        return finish(outcomeOf({ message: `Unexpected server response: ${received.slice(9, 12)} ${received.slice(body)}` }));
      }
      if (received.includes("hello-ok")) return finish("hello-ok");
      const error = /"error":\{[^]*?"message":"([^"]*)"[^]*?"code":"([A-Z_]+)"/.exec(received);
      if (error) finish(outcomeOf({ message: error[1], data: { code: error[2] } }));
    });
    socket.on("close", () => finish(received.startsWith("HTTP/1.1 101") ? "closed without an answer" : `closed: ${received.slice(0, 40)}`));
  });
}

/** The upgrade request and the masked (key 0) text frame of a `cli` connect, as one buffer. */
const ATTEMPT_BYTES = (() => {
  const head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const payload = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "connect", params: connectParams({ mode: "cli", id: "crowd" }) }));
  if (payload.length > 125 + 65535) throw new Error("connect frame too long");
  const frameHead = payload.length <= 125 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([Buffer.from(head, "latin1"), frameHead, Buffer.alloc(4), payload]);
})();

export async function crowdFlood(o: { label: string; limits: GatewayLimitsOptions; addresses: number; rate: number; live: number; rows: number; seconds: number }): Promise<CrowdFigures> {
  const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0, limits: o.limits });
  const live = fork(LIVE, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  // A child that dies (a bug) fails the run instead of leaving it waiting for a message forever.
  const exited = new Promise<never>((_, reject) => live.once("exit", (code, signal) => reject(new Error(`the live clients' process exited (${signal ?? code}) before it answered`))));
  exited.catch(() => {});
  const next = <T>(type: string) => Promise.race([new Promise<T>((resolve) => live.on("message", (m: { type: string }) => m.type === type && resolve(m as T))), exited]);
  try {
    const port = Number(new URL(gw.url).port);
    const ready = next<{ refused: Array<{ who: "resident" | "live" } & Refused> }>("ready");
    const residents = Math.max(0, o.rows - 1 - o.live);
    live.send({ type: "start", url: gw.url, count: o.live, residents, addresses: ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"] });
    const setup: CrowdFigures["setup"] = { residents, live: o.live, refusedResidents: 0, refusedLive: 0, refused: {} };
    for (const { who, ...error } of (await ready).refused) {
      if (who === "resident") setup.refusedResidents++;
      else setup.refusedLive++;
      const outcome = outcomeOf(error);
      setup.refused[outcome] = (setup.refused[outcome] ?? 0) + 1;
    }
    const outcomes: Record<string, number> = {};
    let attempts = 0;
    const running: Array<Promise<void>> = [];
    const deadline = performance.now() + o.seconds * 1000;
    const timers = Array.from({ length: o.addresses }, (_, a) => {
      const address = `127.0.0.${10 + a}`;
      let inFlight = 0;
      return setInterval(() => {
        if (inFlight >= IN_FLIGHT_PER_ADDRESS || performance.now() > deadline) return;
        inFlight++;
        attempts++;
        running.push(
          attempt(port, address).then((outcome) => {
            inFlight--;
            outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          }),
        );
      }, 1000 / o.rate);
    });
    const delays: number[] = [];
    const utilization: number[] = [];
    let overloaded = 0;
    while (performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      const m = await gw.metrics();
      delays.push(m.eventLoopDelayMs);
      utilization.push(m.eventLoopUtilization);
      if (m.overloaded) overloaded++;
    }
    for (const timer of timers) clearInterval(timer);
    const done = next<{ ms: number[]; failures: number }>("done");
    live.send({ type: "stop" });
    const { ms, failures } = await done;
    await Promise.all(running);
    const sorted = ms.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    delays.sort((a, b) => a - b);
    const delay = { p50: delays[Math.floor(delays.length / 2)] ?? 0, max: delays.at(-1) ?? 0, overloadedShare: overloaded / Math.max(1, delays.length), utilization };
    return { label: o.label, setup, live: { calls: sorted.length, failures, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN }, attempts, outcomes, delay, after: await gw.memory() };
  } finally {
    if (live.exitCode === null) live.kill();
    await gw.close();
  }
}

function print(f: CrowdFigures): void {
  const m = f.after.metrics;
  console.log(`${f.label}:`);
  const setupRefused = f.setup.refusedResidents + f.setup.refusedLive;
  if (setupRefused > 0) {
    const reasons = Object.entries(f.setup.refused).map(([k, n]) => `${k} ${n}`).join(", ");
    console.log(`  before the flood: ${f.setup.refusedResidents} of ${f.setup.residents} idle and ${f.setup.refusedLive} of ${f.setup.live} live clients refused (${reasons})`);
  }
  console.log(`  live clients: ${f.live.calls} system-presence calls, p50 ${f.live.p50.toFixed(1)} ms, p99 ${f.live.p99.toFixed(1)} ms, max ${f.live.max.toFixed(0)} ms, ${f.live.failures} failed`);
  const outcomes = Object.entries(f.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(`  flood: ${f.attempts} connect attempts: ${outcomes}`);
  const u = [...f.delay.utilization].sort((a, b) => a - b);
  const share = (x: number) => `${(x * 100).toFixed(0)} %`;
  if (u.every((x) => x === 0)) console.log("  gateway event loop: not measured (shedding off)");
  else {
    const busy = `utilization median ${u[Math.floor(u.length / 2)]!.toFixed(2)}, min ${u[0]!.toFixed(2)}`;
    console.log(`  gateway event loop per window: delay median ${f.delay.p50.toFixed(1)} ms, max ${f.delay.max.toFixed(1)} ms; ${busy}; overloaded in ${share(f.delay.overloadedShare)} of readings`);
  }
  console.log(`  gateway: ${m.limitRefusals} limit refusals, ${m.overloadRefusals} overload refusals, RSS ${(f.after.rss / 1048576).toFixed(1)} MB`);
}

async function main(): Promise<void> {
  const o = numberOptions("floods:crowd", {
    seconds: { fallback: 10, describe: "length of each run, s" },
    addresses: { fallback: 40, describe: "flooding source addresses (127.0.0.10, ...)" },
    rate: { fallback: 200, describe: "connect attempts started per address per second (at most 32 in flight)" },
    live: { fallback: 5, describe: "live clients calling system-presence" },
    rows: { fallback: 200, describe: "rows in the list (idle clients fill it; every hello-ok carries it)" },
    utilization: { fallback: 0.9, describe: "limits.overload.maxEventLoopUtilization of the last of four runs (no flood; per-address limits only; the defaults; the defaults with this)" },
  });
  const runs = { addresses: o.addresses, rate: o.rate, live: o.live, rows: o.rows, seconds: o.seconds };
  console.log(`${o.addresses} addresses x ${o.rate} connects/s (at most ${IN_FLIGHT_PER_ADDRESS} in flight each) for ${o.seconds} s; ${o.live} live clients; a list of ${o.rows} rows`);
  const quiet = await crowdFlood({ ...runs, label: "no flood (default limits)", limits: {}, addresses: 0 });
  print(quiet);
  const before = await crowdFlood({ ...runs, label: "per-address limits only (before)", limits: PER_ADDRESS_ONLY });
  print(before);
  const after = await crowdFlood({ ...runs, label: "default limits (gateway-wide ceilings, overload shedding)", limits: {} });
  print(after);
  const busy = await crowdFlood({ ...runs, label: `default limits, shedding also at event-loop utilization over ${o.utilization}`, limits: { overload: { maxEventLoopUtilization: o.utilization } } });
  print(busy);
  const failures: string[] = [];
  for (const f of [quiet, before, after, busy]) if (f.live.failures > 0 || f.live.calls === 0) failures.push(`${f.label}: ${f.live.failures} live calls failed of ${f.live.calls + f.live.failures}`);
  verdict(failures, "every live client's call was answered in every run");
}

runIfMain(import.meta.url, main);
