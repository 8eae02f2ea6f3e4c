/**
 * `npm run fuzz [-- --frames 100000 --connections 64 --batch 5000 --seed N]`: frames built from the
 * schemas and mutated (fuzz-frames.ts) sent over many connections to a live gateway (its own process)
 * on both bindings it speaks, jsonrpc and openclaw. After every batch: the gateway still answers on
 * each binding, the list is within the cap, every row validates, no refused beacon or connect left a
 * row, memory (RSS, heap after GC) stays bounded, and the gateway logged no `error`. A 2,000-frame run
 * is part of `npm test` (test/server/hardening/fuzz.test.ts). Prints a summary; exit 1 when an invariant broke.
 */
import WebSocket from "ws";
import type { PresenceEntry } from "../../src/protocol/index.js";
import { validate } from "../../src/validation/index.js";
import { FrameFactory, type FuzzBinding, type FuzzFrame } from "./fuzz-frames.js";
import { FuzzSocket, type SocketTally } from "./fuzz-socket.js";
import { numberOptions, runIfMain, verdict } from "./cli.js";
import { mb, startGatewayProcess, type GatewayMemory } from "./gateway-process.js";
import { connectParams, RawClient } from "./raw-client.js";

export interface FuzzOptions {
  frames: number;
  /** Sockets sending at once (half per binding); each reopens after a close, so many more are used. */
  connections: number;
  /** Frames between two rounds of checks. */
  batch: number;
  seed: number;
  maxEntries?: number;
  /** Progress lines (one per batch). */
  log?: (line: string) => void;
}

export interface BatchCheck {
  frames: number;
  listLength: number;
  invalidRows: number;
  traces: string[];
  probeMs: Record<FuzzBinding, number>;
  rss: number;
  heapUsed: number;
}

export interface FuzzReport extends SocketTally {
  options: FuzzOptions;
  framesSent: number;
  byKind: Record<string, number>;
  /** Answers by outcome: `result`, or the error's SPEC §10 name. */
  answers: Record<string, number>;
  connectionsOpened: number;
  /** Sockets refused at open by a per-address limit (waited and reopened). */
  refusedAtOpen: number;
  closeCodes: Record<string, number>;
  internalErrors: string[];
  invalidAnswers: string[];
  unresponsive: number;
  refusedWrites: number;
  batches: BatchCheck[];
  gatewayErrors: string[];
  seconds: number;
  /** Every invariant that broke, in words; empty when the run is clean. */
  failures: string[];
}

const ADDRESSES = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 1}`);

/** A reader on `url` that lists the presence (one per binding, for the checks between batches). */
async function probe(url: string, binding: FuzzBinding): Promise<{ rows: PresenceEntry[]; ms: number }> {
  const started = performance.now();
  if (binding === "jsonrpc") {
    const client = await RawClient.open(url, { localAddress: "127.0.0.250" });
    try {
      const hello = await client.call("connect", connectParams({ mode: "cli", id: "fuzz-probe" }));
      if (!hello.result) throw new Error(`probe connect refused: ${JSON.stringify(hello.error)}`);
      const listed = await client.call("system-presence");
      if (!Array.isArray(listed.result)) throw new Error(`probe system-presence failed: ${JSON.stringify(listed.error)}`);
      return { rows: listed.result as PresenceEntry[], ms: performance.now() - started };
    } finally {
      client.terminate();
    }
  }
  const ws = new WebSocket(url, { localAddress: "127.0.0.251" });
  try {
    const answers = new Map<string, any>();
    ws.on("message", (d) => {
      const m = JSON.parse(String(d));
      if (m.type === "res") answers.set(m.id, m);
    });
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    const ask = async (id: string, method: string, params: unknown) => {
      ws.send(JSON.stringify({ type: "req", id, method, params }));
      const deadline = Date.now() + 10_000;
      while (!answers.has(id)) {
        if (Date.now() > deadline) throw new Error(`openclaw probe: no answer to ${method}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return answers.get(id);
    };
    const hello = await ask("p1", "connect", { minProtocol: 3, maxProtocol: 4, client: { id: "cli", version: "1", platform: "fuzz", mode: "cli" } });
    if (!hello.ok) throw new Error(`openclaw probe connect refused: ${JSON.stringify(hello.error)}`);
    const listed = await ask("p2", "system-presence", {});
    if (!listed.ok) throw new Error(`openclaw probe system-presence failed: ${JSON.stringify(listed.error)}`);
    return { rows: listed.payload as PresenceEntry[], ms: performance.now() - started };
  } finally {
    ws.terminate();
  }
}

/** Sends `frames` over sockets of one binding, reopening (and connecting, most times) after a close. */
async function worker(url: string, binding: FuzzBinding, factory: FrameFactory, frames: FuzzFrame[], slot: number, report: FuzzReport, refused: Set<string>): Promise<void> {
  let socket: FuzzSocket | undefined;
  let i = 0;
  let opens = 0;
  while (i < frames.length) {
    if (!socket?.open) {
      socket = await FuzzSocket.open(url, binding, ADDRESSES[(slot + opens++) % ADDRESSES.length]!, report, refused);
      await new Promise((r) => setTimeout(r, 2));
      if (socket.refusedAtOpen) {
        report.refusedAtOpen++;
        await socket.closed;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      // Most connections handshake first, so the frames reach the methods; some stay unconnected.
      if ((slot + opens) % 10 !== 0) await socket.settle(factory.connect(opens % 7 === 0 ? "cli" : "backend"), 10_000);
    }
    const burst = frames.slice(i, i + 1 + ((slot * 7 + i) % 20));
    for (const frame of burst) socket.send(frame);
    i += burst.length;
    if (!(await socket.settle(factory.sentinel(), 15_000))) {
      report.unresponsive++;
      socket.ws.terminate();
    }
  }
  socket?.ws.terminate();
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const maxEntries = options.maxEntries ?? 200;
  const report: FuzzReport = {
    options,
    framesSent: 0,
    byKind: {},
    answers: {},
    connectionsOpened: 0,
    refusedAtOpen: 0,
    closeCodes: {},
    internalErrors: [],
    invalidAnswers: [],
    unresponsive: 0,
    refusedWrites: 0,
    batches: [],
    gatewayErrors: [],
    seconds: 0,
    failures: [],
  };
  const started = performance.now();
  const tag = `fz${options.seed}`;
  // The beacon rate limit is lifted so fuzzed beacons reach validation and the store (floods test it).
  const gw = await startGatewayProcess({
    host: "127.0.0.1",
    listeners: [
      { binding: "jsonrpc", port: 0 },
      { binding: "openclaw", port: 0 },
    ],
    maxEntries,
    rateLimit: { burst: 1e9, perSecond: 1e9 },
    webRoot: false,
  });
  const urls = Object.fromEntries(gw.listeners.map((l) => [l.binding, l.url])) as Record<FuzzBinding, string>;
  const factories = { jsonrpc: new FrameFactory("jsonrpc", tag, 512 * 1024), openclaw: new FrameFactory("openclaw", `${tag}o`, 512 * 1024) };
  const refused = new Set<string>();
  try {
    let first: GatewayMemory | undefined;
    for (let sent = 0, b = 0; sent < options.frames; b++) {
      const size = Math.min(options.batch, options.frames - sent);
      const perBinding = { jsonrpc: Math.ceil(size / 2), openclaw: Math.floor(size / 2) };
      const slots = Math.max(1, Math.floor(options.connections / 2));
      const work: Promise<void>[] = [];
      for (const binding of ["jsonrpc", "openclaw"] as const) {
        const frames = factories[binding].frames(perBinding[binding], options.seed * 1000 + b * 2 + (binding === "openclaw" ? 1 : 0));
        for (let s = 0; s < slots; s++) {
          const share = frames.filter((_, i) => i % slots === s);
          if (share.length > 0) work.push(worker(urls[binding], binding, factories[binding], share, s + (binding === "openclaw" ? slots : 0), report, refused));
        }
      }
      await Promise.all(work);
      sent += size;
      const jsonrpc = await probe(urls.jsonrpc, "jsonrpc");
      const openclaw = await probe(urls.openclaw, "openclaw");
      const memory = await gw.memory();
      first ??= memory;
      const check: BatchCheck = {
        frames: sent,
        listLength: jsonrpc.rows.length,
        invalidRows: jsonrpc.rows.filter((row) => !validate("PresenceEntry", row).ok).length,
        traces: jsonrpc.rows.map((row) => row.instanceId).filter((id): id is string => id !== undefined && refused.has(id)),
        probeMs: { jsonrpc: Math.round(jsonrpc.ms), openclaw: Math.round(openclaw.ms) },
        rss: memory.rss,
        heapUsed: memory.heapUsed,
      };
      report.batches.push(check);
      report.gatewayErrors = memory.errorLines;
      options.log?.(
        `batch ${b + 1}: ${sent} frames, list ${check.listLength} rows (${check.invalidRows} invalid, ${check.traces.length} traces), probes ${check.probeMs.jsonrpc}/${check.probeMs.openclaw} ms, RSS ${mb(check.rss)}, heap after GC ${mb(check.heapUsed)}`,
      );
    }
    report.refusedWrites = refused.size;
    report.seconds = (performance.now() - started) / 1000;
    report.failures = failuresOf(report, maxEntries, first!);
    return report;
  } finally {
    await gw.close();
  }
}

/** Every broken invariant, in words. */
export function failuresOf(report: FuzzReport, maxEntries: number, first: GatewayMemory): string[] {
  const out: string[] = [];
  if (report.internalErrors.length > 0) out.push(`${report.internalErrors.length} INTERNAL_ERROR answers, e.g. ${report.internalErrors[0]}`);
  if (report.invalidAnswers.length > 0) out.push(`${report.invalidAnswers.length} answers not in the contract's shape, e.g. ${report.invalidAnswers[0]}`);
  if (report.unresponsive > 0) out.push(`${report.unresponsive} times a socket got no answer within 15 s`);
  if (report.gatewayErrors.length > 0) out.push(`the gateway logged errors: ${report.gatewayErrors.slice(0, 3).join(" | ")}`);
  for (const [i, b] of report.batches.entries()) {
    if (b.listLength > maxEntries) out.push(`batch ${i + 1}: list of ${b.listLength} rows > ${maxEntries}`);
    if (b.invalidRows > 0) out.push(`batch ${i + 1}: ${b.invalidRows} rows fail PresenceEntry`);
    if (b.traces.length > 0) out.push(`batch ${i + 1}: refused frames left rows ${b.traces.slice(0, 5).join(", ")}`);
  }
  const last = report.batches.at(-1)!;
  // Bounded: the heap after GC does not grow with the frames sent (a few MB of caches at most).
  if (last.heapUsed - first.heapUsed > 16 * 1024 * 1024) out.push(`heap after GC grew from ${mb(first.heapUsed)} to ${mb(last.heapUsed)}`);
  const peak = Math.max(...report.batches.map((b) => b.rss));
  if (peak > first.rss + 256 * 1024 * 1024) out.push(`RSS grew from ${mb(first.rss)} to ${mb(peak)}`);
  return out;
}


async function main(): Promise<void> {
  const args = numberOptions("fuzz", {
    frames: { fallback: 100_000, describe: "frames to send, over both bindings" },
    connections: { fallback: 64, describe: "sockets open at once" },
    batch: { fallback: 5_000, describe: "frames between two checks of the gateway" },
    seed: { fallback: Date.now() % 1_000_000, describe: "fast-check seed (a failure prints it)", shown: "a new one per run" },
  });
  const options: FuzzOptions = { ...args, log: (line) => console.log(line) };
  console.log(`fuzz: ${options.frames} frames, ${options.connections} sockets at once, checks every ${options.batch} frames, seed ${options.seed}`);
  const r = await runFuzz(options);
  console.log(`\n${r.framesSent} frames in ${r.seconds.toFixed(1)} s over ${r.connectionsOpened} connections (${r.refusedAtOpen} refused at open by the per-address limits)`);
  console.log(`frames by kind: ${Object.entries(r.byKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  console.log(`answers: ${Object.entries(r.answers).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  console.log(`close codes: ${Object.entries(r.closeCodes).map(([k, n]) => `${k}×${n}`).join(", ")}`);
  console.log(`refused beacons/connects tracked: ${r.refusedWrites}; rows they left: ${r.batches.reduce((n, b) => n + b.traces.length, 0)}`);
  const first = r.batches[0]!;
  const last = r.batches.at(-1)!;
  console.log(`gateway RSS ${mb(first.rss)} after batch 1, peak ${mb(Math.max(...r.batches.map((b) => b.rss)))}, last ${mb(last.rss)}; heap after GC ${mb(first.heapUsed)} -> ${mb(last.heapUsed)}`);
  verdict(r.failures, "0 crashes, 0 internal errors, 0 invalid rows or answers, no trace of a refused frame");
}

runIfMain(import.meta.url, main);
