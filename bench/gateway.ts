/**
 * `npm run bench:gateway`: system-event beacon throughput and round-trip latency of the reference
 * gateway, against a plain `ws` echo server under the same load (first figures, not a timed test).
 *
 * Each server runs in its own child process on 127.0.0.1:0; the clients run here. Load: 50 clients,
 * each sending 2,000 beacons with at most 16 in flight. The gateway's rate limit is raised for the
 * run. Every bench client may read presence (write implies read), so the gateway also pushes the
 * list to all 50 clients (coalesced) while they send: that fan-out is part of its figure.
 * Bounded: the whole run aborts after 120 s.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import WebSocket, { WebSocketServer } from "ws";

const CLIENTS = 50;
const BEACONS_PER_CLIENT = 2_000;
const WINDOW = 16;
const ABORT_AFTER_MS = 120_000;

interface RunResult {
  name: string;
  sent: number;
  answered: number;
  seconds: number;
  latenciesMs: Float64Array;
  aborted: boolean;
  errors: number;
}

// ---- child mode: `gateway.ts --serve gateway|echo` prints its URL and serves until killed ----

async function serveChild(kind: string): Promise<void> {
  if (kind === "gateway") {
    const { createGateway } = await import("../src/server/index.js");
    const gw = await createGateway({ host: "127.0.0.1", port: 0, rateLimit: { burst: 1e9, perSecond: 1e9 } });
    process.stdout.write(`URL ${gw.url}\n`);
    process.on("SIGTERM", () => {
      const m = gw.metrics();
      process.stdout.write(`METRICS ${JSON.stringify(m)}\n`);
      void gw.close();
    });
    return;
  }
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  process.stdout.write(`URL ws://127.0.0.1:${(wss.address() as { port: number }).port}\n`);
  process.on("SIGTERM", () => wss.close());
  // ws 8 keeps client sockets open after wss.close(); end them so the process can exit.
  process.on("SIGTERM", () => wss.clients.forEach((ws) => ws.terminate()));
}

interface Child {
  process: ChildProcess;
  url: string;
  output: () => string;
}

async function startChild(kind: "gateway" | "echo"): Promise<Child> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ["--import", "tsx", self, "--serve", kind], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start`)), 20_000);
    const check = () => {
      const match = /URL (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", check);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return { process: child, url, output: () => out };
}

async function stopChild(child: Child): Promise<string> {
  const exited = new Promise<void>((resolve) => child.process.once("exit", () => resolve()));
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  return child.output();
}

// ---- load ----

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function handshake(ws: WebSocket, i: number): Promise<void> {
  const params = {
    minProtocol: 1,
    maxProtocol: 1,
    client: { id: "bench", version: "1.0.0", platform: process.platform, mode: "backend", instanceId: `bench-${i}` },
  };
  ws.send(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "connect", params }));
  await new Promise<void>((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as { id?: number; error?: unknown };
      if (frame.id !== 0) return;
      ws.off("message", onMessage);
      if (frame.error) reject(new Error(`connect failed: ${JSON.stringify(frame.error)}`));
      else resolve();
    };
    ws.on("message", onMessage);
  });
}

const PUSH_PREFIX = Buffer.from('{"jsonrpc":"2.0","method":');

function isPush(data: Buffer): boolean {
  return data.length >= PUSH_PREFIX.length && data.subarray(0, PUSH_PREFIX.length).equals(PUSH_PREFIX);
}

/** One client: BEACONS_PER_CLIENT beacons, WINDOW in flight; records each round trip. */
function drive(ws: WebSocket, client: number, latencies: Float64Array, deadline: number): Promise<{ sent: number; answered: number; errors: number }> {
  return new Promise((resolve) => {
    const sentAt = new Map<number, number>();
    let sent = 0;
    let answered = 0;
    let errors = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      ws.off("message", onMessage);
      resolve({ sent, answered, errors });
    };
    const guard = setTimeout(finish, Math.max(0, deadline - Date.now()));
    const sendOne = () => {
      const id = ++sent;
      sentAt.set(id, performance.now());
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, method: "system-event", params: { text: `beacon ${client}/${id}`, lastInputSeconds: id % 600 } }));
    };
    const onMessage = (data: WebSocket.RawData) => {
      // Pushes (presence, tick) are skipped unparsed: the clients should not be the bottleneck.
      if (isPush(data as Buffer)) return;
      const frame = JSON.parse(data.toString()) as { id?: number; error?: unknown };
      if (typeof frame.id !== "number") return;
      const started = sentAt.get(frame.id);
      if (started === undefined) return;
      sentAt.delete(frame.id);
      if (frame.error) errors++;
      latencies[client * BEACONS_PER_CLIENT + answered] = performance.now() - started;
      answered++;
      if (sent < BEACONS_PER_CLIENT) sendOne();
      else if (answered === BEACONS_PER_CLIENT) finish();
    };
    ws.on("message", onMessage);
    for (let i = 0; i < WINDOW && sent < BEACONS_PER_CLIENT; i++) sendOne();
  });
}

async function run(name: string, url: string, needsConnect: boolean, deadline: number): Promise<RunResult> {
  const sockets = await Promise.all(Array.from({ length: CLIENTS }, () => open(url)));
  if (needsConnect) await Promise.all(sockets.map((ws, i) => handshake(ws, i)));
  const latencies = new Float64Array(CLIENTS * BEACONS_PER_CLIENT).fill(Number.NaN);
  const started = performance.now();
  const results = await Promise.all(sockets.map((ws, i) => drive(ws, i, latencies, deadline)));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : (ws.once("close", () => resolve()), ws.close())))));
  const answered = results.reduce((n, r) => n + r.answered, 0);
  return {
    name,
    sent: results.reduce((n, r) => n + r.sent, 0),
    answered,
    seconds,
    latenciesMs: latencies.filter((v) => !Number.isNaN(v)).sort(),
    aborted: answered < CLIENTS * BEACONS_PER_CLIENT,
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(r: RunResult): { rate: number; p50: number; p99: number } {
  const rate = r.answered / r.seconds;
  const p50 = percentile(r.latenciesMs, 50);
  const p99 = percentile(r.latenciesMs, 99);
  console.log(
    `${r.name.padEnd(8)} ${String(r.answered).padStart(7)} beacons in ${r.seconds.toFixed(2)} s: ` +
      `${rate.toFixed(0).padStart(7)} beacons/s, p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms` +
      `${r.errors ? `, ${r.errors} errors` : ""}${r.aborted ? "  (ABORTED: time limit)" : ""}`,
  );
  return { rate, p50, p99 };
}

async function main(): Promise<void> {
  const deadline = Date.now() + ABORT_AFTER_MS;
  console.log(`bench:gateway: ${CLIENTS} clients x ${BEACONS_PER_CLIENT} system-event beacons, window ${WINDOW}, node ${process.version}`);
  const gateway = await startChild("gateway");
  const g = await run("gateway", gateway.url, true, deadline);
  const metrics = /METRICS (\{.*\})/.exec(await stopChild(gateway))?.[1];
  const echo = await startChild("echo");
  const e = await run("echo", echo.url, false, deadline);
  await stopChild(echo);
  const gr = report(g);
  const er = report(e);
  if (metrics) console.log(`gateway metrics: ${metrics}`);
  console.log(
    `ratio gateway/echo: throughput ${(gr.rate / er.rate).toFixed(2)}, p50 latency ${(gr.p50 / er.p50).toFixed(2)}, p99 latency ${(gr.p99 / er.p99).toFixed(2)}`,
  );
  if (g.aborted || e.aborted) process.exitCode = 1;
}

const serveIndex = process.argv.indexOf("--serve");
if (serveIndex >= 0) await serveChild(process.argv[serveIndex + 1]);
else await main();
