/**
 * Answers nobody reads (docs/security.md): `sockets` clients that connect, stop reading their
 * socket and send one-byte frames (raw-frames.ts; each answered with a PARSE_ERROR) for `seconds`,
 * against a gateway child with the default limits (maxBufferedBytes 1 MiB, slowConsumerTimeoutMs
 * 10 s). The gateway's memory (heap after two full GCs, Buffers, RSS) is sampled about every second
 * from the flood's start until the gateway has closed every such socket (at most `seconds` +
 * slowConsumerTimeoutMs + 15 s): its peak, and when reads were first held and the sockets closed.
 * The gateway goes on answering what it read after the flood ends, so the peak can come after it.
 */
import type WebSocket from "ws";
import { mb, startGatewayProcess, type GatewayMemory } from "../gateway-process.js";
import { connectedSocket, floodOneByteFrames, tcpOf } from "./raw-frames.js";

export interface UnreadSample {
  /** Seconds from the flood's start. */
  t: number;
  heapUsed: number;
  /** Buffers and other memory outside the V8 heap (`external`, which includes arrayBuffers). */
  external: number;
  rss: number;
  readsHeld: number;
  slowConsumers: number;
  /** Other rejections: here, sockets cut at once for a send buffer over max(16 MiB, 8 × maxBufferedBytes). */
  cut: number;
  connections: number;
}

export interface UnreadFigures {
  sockets: number;
  seconds: number;
  framesWritten: number;
  before: GatewayMemory;
  samples: UnreadSample[];
  /** How long each logged slow consumer had been over maxBufferedBytes when closed (its log line; at most 10 a minute per address). */
  overMsLogged: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sampleOf(m: GatewayMemory, t: number): UnreadSample {
  const { readsHeld, slowConsumers, rejections, connections } = m.metrics;
  return { t, heapUsed: m.heapUsed, external: m.external, rss: m.rss, readsHeld, slowConsumers, cut: rejections - slowConsumers, connections };
}

export async function unreadAnswers(o: { sockets?: number; seconds?: number } = {}): Promise<UnreadFigures> {
  const sockets = o.sockets ?? 20;
  const seconds = o.seconds ?? 6;
  const slowConsumerTimeoutMs = 10_000; // the default; the gateway is started without one
  const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0 });
  const clients: WebSocket[] = [];
  try {
    const before = await gw.memory();
    for (let i = 0; i < sockets; i++) {
      const ws = await connectedSocket(gw.url, "127.0.0.2", `unread-${i}`);
      // ws reads through its net.Socket: paused, nothing more is read and the kernel's buffers fill.
      tcpOf(ws).pause();
      clients.push(ws);
    }
    const t0 = Date.now();
    const flood = Promise.all(clients.map((ws) => floodOneByteFrames(ws, t0 + seconds * 1000)));
    const samples: UnreadSample[] = [];
    const slowLines = new Set<string>();
    const deadline = t0 + seconds * 1000 + slowConsumerTimeoutMs + 15_000;
    for (let next = t0 + 1000; Date.now() < deadline; next += 1000) {
      await sleep(Math.max(0, next - Date.now()));
      const m = await gw.memory();
      for (const line of m.lastLines) if (line.includes("reason=SLOW_CONSUMER")) slowLines.add(line);
      const s = sampleOf(m, (Date.now() - t0) / 1000);
      samples.push(s);
      if (s.connections === 0) break;
    }
    const written = await flood;
    const overMsLogged = [...slowLines].map((line) => Number(/for (\d+) ms/.exec(line)?.[1])).filter(Number.isFinite);
    return { sockets, seconds, framesWritten: written.reduce((a, b) => a + b, 0), before, samples, overMsLogged };
  } finally {
    for (const ws of clients) ws.terminate();
    await gw.close();
  }
}

const peak = (samples: UnreadSample[], key: "heapUsed" | "external" | "rss") => samples.reduce((p, s) => (s[key] > p[key] ? s : p), samples[0]!);
const at = (s: UnreadSample | undefined) => (s ? `${s.t.toFixed(0)} s` : "never");

export function printUnread(f: UnreadFigures): void {
  const { before, samples } = f;
  const last = samples.at(-1)!;
  const heap = peak(samples, "heapUsed");
  const ext = peak(samples, "external");
  const rss = peak(samples, "rss");
  const perSocket = (heap.heapUsed - before.heapUsed) / f.sockets;
  console.log("answers nobody reads (gateway child, default limits: maxBufferedBytes 1 MiB, slowConsumerTimeoutMs 10 s):");
  console.log(`  ${f.sockets} sockets that never read, sending one-byte frames for ${f.seconds} s (${(f.framesWritten / 1e6).toFixed(1)} million written), gateway sampled every ~1 s for ${last.t.toFixed(0)} s:`);
  console.log(`  heap after GC ${mb(before.heapUsed)} before, peak ${mb(heap.heapUsed)} at ${at(heap)} (+${mb(perSocket)} per socket); Buffers (external) ${mb(before.external)} -> peak ${mb(ext.external)} at ${at(ext)}`);
  console.log(`  RSS ${mb(before.rss)} before, peak ${mb(rss.rss)} at ${at(rss)}`);
  console.log(`  heap after GC by second: ${samples.map((s) => `${s.t.toFixed(0)}s ${(s.heapUsed / 2 ** 20).toFixed(0)}`).join(", ")} (MB)`);
  console.log(`  reads first held at ${at(samples.find((s) => s.readsHeld > 0))} (${last.readsHeld} times in all); first slow-consumer close at ${at(samples.find((s) => s.slowConsumers > 0))}`);
  const over = f.overMsLogged;
  if (over.length > 0) console.log(`  the gateway's log: ${over.length} of them closed after ${Math.min(...over)} to ${Math.max(...over)} ms over maxBufferedBytes`);
  console.log(`  in the end: ${last.slowConsumers} closed as slow consumers, ${last.cut} cut over 16 MiB, ${last.connections} still open; heap after GC ${mb(last.heapUsed)}, RSS ${mb(last.rss)}`);
}

export function unreadFailures(f: UnreadFigures): string[] {
  const last = f.samples.at(-1)!;
  const out: string[] = [];
  if (last.readsHeld === 0) out.push("unread: the gateway never held a socket's reads");
  if (last.slowConsumers !== f.sockets || last.cut > 0) out.push(`unread: ${last.slowConsumers} of ${f.sockets} closed as slow consumers, ${last.cut} cut over 16 MiB`);
  return out;
}
