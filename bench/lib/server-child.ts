/**
 * A benchmark server process: `gateway` (the reference gateway) or `echo` (a plain `ws` server that
 * echoes every frame and broadcasts frames starting with BROADCAST_PREFIX, as ws's README does).
 * Forked with IPC by servers.ts: sends {op:"url"} once listening, answers {op:"stats"} with its RSS,
 * CPU time and (gateway) counters, and exits on {op:"stop"}.
 */
import type { WebSocket } from "ws";
import { BROADCAST_PREFIX } from "./wire.js";

interface Serving {
  url: string;
  metrics(): unknown;
  close(): Promise<void>;
}

async function serveGateway(options: Record<string, unknown>): Promise<Serving> {
  // A dynamic import: the echo process never loads the gateway's code.
  const { createGateway } = await import("../../src/server/index.js");
  const gw = await createGateway({ host: "127.0.0.1", port: 0, ...options });
  return { url: gw.url, metrics: () => gw.metrics(), close: () => gw.close() };
}

async function serveEcho(options: { padTo?: number }): Promise<Serving> {
  const { WebSocketServer } = await import("ws");
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  const prefix = Buffer.from(BROADCAST_PREFIX);
  const answer = options.padTo ? padded(options.padTo) : (data: Buffer) => data;
  wss.on("connection", (ws: WebSocket) => {
    ws.on("message", (data: Buffer, isBinary) => {
      if (data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) {
        for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(data, { binary: isBinary });
      } else ws.send(answer(data), { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    metrics: () => ({ connections: wss.clients.size }),
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** `{...request,"pad":"xxx"}` of `size` bytes (the request as it is when it is that long already). */
function padded(size: number): (data: Buffer) => Buffer {
  const head = Buffer.from(',"pad":"');
  const fill = Buffer.alloc(size, "x");
  const tail = Buffer.from('"}');
  return (data) => {
    const room = size - (data.length - 1) - head.length - tail.length;
    if (room < 0 || data[data.length - 1] !== 0x7d) return data;
    return Buffer.concat([data.subarray(0, data.length - 1), head, fill.subarray(0, room), tail], size);
  };
}

const [kind, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? "{}") as Record<string, unknown>;
const serving = kind === "gateway" ? await serveGateway(options) : await serveEcho(options as { padTo?: number });
process.send!({ op: "url", url: serving.url });
process.on("message", (message: { op: string }) => {
  if (message.op === "stats") {
    const cpu = process.cpuUsage();
    process.send!({ op: "stats", rss: process.memoryUsage.rss(), cpuMs: (cpu.user + cpu.system) / 1000, metrics: serving.metrics() });
  } else if (message.op === "stop") {
    void serving.close().finally(() => process.exit(0));
  }
});
