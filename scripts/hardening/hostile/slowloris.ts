/**
 * Slowloris (docs/security.md): TCP sockets whose HTTP request never finishes, against a gateway
 * child with its default limits. One address opens more unfinished upgrade requests than
 * `unfinishedRequestsPerAddress` (64): how many are held and how many answered 429 at once; another
 * address's sockets that send nothing at all; WebSockets from the flooding address and from a third
 * one meanwhile; then when and with what status the held ones are closed (408 after
 * `handshakeTimeoutMs`, 10 s). Bounded: it waits at most twice that plus 5 s.
 */
import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import { startGatewayProcess } from "../gateway-process.js";

export interface TcpSocket {
  socket: Socket;
  /** Everything the gateway wrote to it. */
  received: () => string;
  /** Resolves with the ms from connecting to the close. */
  closed: Promise<number>;
  isClosed: () => boolean;
}

/** A TCP socket to `url`'s port from `localAddress` that sends `text` (may be empty) and nothing more. */
export async function tcpSocket(url: string, localAddress: string, text: string): Promise<TcpSocket> {
  const started = performance.now();
  const socket = connect({ port: Number(new URL(url).port), host: "127.0.0.1", localAddress });
  let received = "";
  let done = false;
  socket.on("data", (data) => (received += String(data)));
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) => socket.once("close", () => ((done = true), resolve(performance.now() - started))));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  if (text) socket.write(text);
  return { socket, received: () => received, closed, isClosed: () => done };
}

/** Upgrade headers without the blank line that would end them. */
export const UNFINISHED_UPGRADE = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";

/** Opens a WebSocket from `localAddress`: "open", or the error's message (e.g. "Unexpected server response: 429"). */
export async function wsOpens(url: string, localAddress: string): Promise<string> {
  const ws = new WebSocket(url, { localAddress, handshakeTimeout: 5_000 });
  return new Promise((resolve) => {
    ws.once("open", () => (ws.terminate(), resolve("open")));
    ws.once("error", (error) => resolve(error.message));
  });
}

const statusOf = (s: TcpSocket) => /^HTTP\/1\.1 (\d{3})/.exec(s.received())?.[1] ?? "none";

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export interface SlowlorisFigures {
  handshakeTimeoutMs: number;
  /** Unfinished upgrade requests from 127.0.0.2: still open after 500 ms, and the statuses of those closed by then. */
  flood: { sent: number; heldAfter500ms: number; answeredAtOnce: Record<string, number> };
  /** Sockets from 127.0.0.3 that send nothing. */
  silent: { sent: number; heldAfter500ms: number };
  /** WebSockets opened while the flood is held. */
  wsFromFlooder: string;
  wsFromOther: string;
  /** The held sockets (both addresses): statuses they were closed with, and when (ms from connecting). */
  held: { statuses: Record<string, number>; closedMs: { min: number; max: number }; stillOpen: number };
  limitRefusals: number;
  logLines: number;
}

export async function slowloris(o: { flood?: number; silent?: number } = {}): Promise<SlowlorisFigures> {
  const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0 });
  const handshakeTimeoutMs = 10_000; // the default; the gateway is started without one
  const sockets: TcpSocket[] = [];
  try {
    const open = async (n: number, address: string, text: string) => {
      const out: TcpSocket[] = [];
      for (let i = 0; i < n; i++) out.push(await tcpSocket(gw.url, address, text));
      sockets.push(...out);
      return out;
    };
    const flood = await open(o.flood ?? 100, "127.0.0.2", UNFINISHED_UPGRADE);
    const silent = await open(o.silent ?? 20, "127.0.0.3", "");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const floodClosed = flood.filter((s) => s.isClosed());
    const figures = {
      flood: { sent: flood.length, heldAfter500ms: flood.length - floodClosed.length, answeredAtOnce: countBy(floodClosed.map(statusOf)) },
      silent: { sent: silent.length, heldAfter500ms: silent.filter((s) => !s.isClosed()).length },
      wsFromFlooder: await wsOpens(gw.url, "127.0.0.2"),
      wsFromOther: await wsOpens(gw.url, "127.0.0.4"),
    };
    const held = [...flood, ...silent].filter((s) => !floodClosed.includes(s));
    const deadline = new Promise((resolve) => setTimeout(resolve, 2 * handshakeTimeoutMs + 5_000));
    await Promise.race([Promise.all(held.map((s) => s.closed)), deadline]);
    const closed = held.filter((s) => s.isClosed());
    const times = await Promise.all(closed.map((s) => s.closed));
    const memory = await gw.memory();
    return {
      handshakeTimeoutMs,
      ...figures,
      held: {
        statuses: countBy(closed.map(statusOf)),
        closedMs: { min: Math.min(...times), max: Math.max(...times) },
        stillOpen: held.length - closed.length,
      },
      limitRefusals: memory.metrics.limitRefusals,
      logLines: memory.logLines,
    };
  } finally {
    for (const s of sockets) s.socket.destroy();
    await gw.close();
  }
}

const codes = (r: Record<string, number>) => Object.entries(r).map(([status, n]) => `${n} x ${status}`).join(", ") || "none";

export function printSlowloris(f: SlowlorisFigures): void {
  console.log("slowloris: requests that never finish (gateway child, default limits: handshakeTimeoutMs 10 s, unfinishedRequestsPerAddress 64):");
  console.log(`  ${f.flood.sent} unfinished upgrade requests from 127.0.0.2: ${f.flood.heldAfter500ms} held, the others answered at once: ${codes(f.flood.answeredAtOnce)}`);
  console.log(`  ${f.silent.sent} sockets from 127.0.0.3 that send nothing: ${f.silent.heldAfter500ms} held`);
  console.log(`  meanwhile a WebSocket from 127.0.0.2: ${f.wsFromFlooder}; from 127.0.0.4: ${f.wsFromOther}`);
  console.log(`  the held ones closed: ${codes(f.held.statuses)}, ${(f.held.closedMs.min / 1000).toFixed(1)} to ${(f.held.closedMs.max / 1000).toFixed(1)} s after connecting; ${f.held.stillOpen} still open`);
  console.log(`  gateway: ${f.limitRefusals} limit refusals, ${f.logLines} log lines`);
}

export function slowlorisFailures(f: SlowlorisFigures): string[] {
  const out: string[] = [];
  if (f.flood.heldAfter500ms !== 64 || f.flood.answeredAtOnce["429"] !== f.flood.sent - 64) out.push(`slowloris: ${f.flood.heldAfter500ms} held from one address (want 64), ${codes(f.flood.answeredAtOnce)} at once`);
  if (f.silent.heldAfter500ms !== f.silent.sent) out.push(`slowloris: ${f.silent.heldAfter500ms} of ${f.silent.sent} silent sockets held`);
  if (!/429/.test(f.wsFromFlooder) || f.wsFromOther !== "open") out.push(`slowloris: WebSocket from the flooder ${f.wsFromFlooder}, from another address ${f.wsFromOther}`);
  if (f.held.stillOpen > 0 || Object.keys(f.held.statuses).some((s) => s !== "408")) out.push(`slowloris: held ones closed ${codes(f.held.statuses)}, ${f.held.stillOpen} still open`);
  if (f.held.closedMs.min < f.handshakeTimeoutMs) out.push(`slowloris: one closed after ${f.held.closedMs.min.toFixed(0)} ms, before handshakeTimeoutMs`);
  return out;
}
