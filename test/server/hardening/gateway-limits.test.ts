// Gateway-wide ceilings against many addresses at once: each address stays within its own
// per-address budget, together they meet the gateway's (limits.maxConnections, maxPendingHandshakes,
// maxUnfinishedRequests). Real gateway, real sockets from several loopback source addresses. Before
// these limits existed every socket here was admitted. (Overload shedding: overload.test.ts.)
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { Gateway } from "../../../src/server/index.js";
import { BINDINGS, closedAfterEach, connectParamsOf, urlOf, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();

/** A socket from `address` that completes its upgrade and sends nothing (a pending handshake). */
const silent = async (gw: Gateway, binding: (typeof BINDINGS)[number], address: string) => keep(await Wire.open(gw, binding, { localAddress: address }));

/** The refusal a socket got at open: its one frame's text and its close. */
async function refusedAtOpen(wire: Wire): Promise<{ text: string; code: number; reason: string }> {
  const { code, reason } = await wire.closed;
  expect(wire.texts).toHaveLength(1);
  return { text: wire.texts[0]!, code, reason };
}

/** Waits (bounded) until the gateway holds `n` connections. */
async function untilConnections(gw: Gateway, n: number): Promise<void> {
  for (let i = 0; i < 200 && gw.metrics().connections !== n; i++) await new Promise((r) => setTimeout(r, 25));
  expect(gw.metrics().connections).toBe(n);
}

/** The live client's row as system-presence lists it (and how many rows there are). */
async function liveRow(live: Wire, instanceId: string): Promise<{ rows: number; row: Record<string, unknown> | undefined }> {
  const answer = JSON.parse(await live.answerTo(live.request("system-presence"))) as { result?: unknown; payload?: unknown };
  const list = (answer.result ?? answer.payload) as Array<Record<string, unknown>>;
  return { rows: list.length, row: list.find((r) => r.instanceId === instanceId) };
}

const refusedFrame = (binding: string, text: string, message: RegExp) => {
  const frame = JSON.parse(text) as { error?: { code: unknown; data?: { code?: string; retryAfterMs?: number } }; code?: string };
  if (binding === "jsonrpc") expect(frame).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32004, data: { code: "RATE_LIMITED", retryAfterMs: 1000 } } });
  else expect(text).toMatch(/"code":"RATE_LIMITED"/);
  expect(text).toMatch(/"retryAfterMs":1000/);
  expect(text).toMatch(message);
};

describe.each(BINDINGS)("%s listener: gateway-wide ceilings", (binding) => {
  it("maxConnections: sockets from many addresses fill it, the next is refused RATE_LIMITED + 1013; the live client keeps its answers and its row", async () => {
    const lines: string[] = [];
    const gw = await start({ limits: { maxConnections: 8 }, logger: (l) => lines.push(l) });
    const live = keep(await Wire.connected(gw, binding, "live-1"));
    const before = await liveRow(live, "live-1");
    expect(before.row).toBeDefined();
    // 7 more from 7 addresses (1 each, far under every per-address limit), over both listeners.
    const held = await Promise.all(Array.from({ length: 7 }, (_, i) => silent(gw, BINDINGS[i % 2]!, `127.0.0.${10 + i}`)));
    const extra = keep(await Wire.open(gw, binding, { localAddress: "127.0.0.30" }));
    // What it sends is never read: a connect and a beacon that would take and rewrite the live row.
    extra.ws.send(extra.request("connect", connectParamsOf(binding, "live-1")));
    extra.ws.send(extra.request("system-event", { instanceId: "live-1", text: "taken over", reason: "periodic" }));
    const refused = await refusedAtOpen(extra);
    refusedFrame(binding, refused.text, /the gateway is full \(at most 8 open connections\); retry in 1000 ms/);
    expect(refused).toMatchObject({ code: 1013, reason: "gateway connection limit" });
    expect(lines.filter((l) => /^reject conn=\S+ reason=GATEWAY_CONNECTION_LIMIT the gateway is full/.test(l))).toHaveLength(1);
    expect(gw.metrics()).toMatchObject({ limitRefusals: 1, connections: 8 });

    expect(await liveRow(live, "live-1")).toEqual(before);
    // A slot frees when a socket closes.
    held[0]!.terminate();
    await untilConnections(gw, 7);
    const next = keep(await Wire.connected(gw, binding, "next"));
    expect((await liveRow(next, "live-1")).row).toEqual(before.row);
  });

  it("maxPendingHandshakes: unconnected sockets from many addresses fill it, the next is refused; connected clients do not count and are served", async () => {
    const lines: string[] = [];
    const gw = await start({ limits: { maxPendingHandshakes: 4 }, logger: (l) => lines.push(l) });
    const live = keep(await Wire.connected(gw, binding, "live-1"));
    const before = await liveRow(live, "live-1");
    const held = await Promise.all(Array.from({ length: 4 }, (_, i) => silent(gw, binding, `127.0.0.${20 + i}`)));
    const extra = keep(await Wire.open(gw, binding, { localAddress: "127.0.0.24" }));
    const refused = await refusedAtOpen(extra);
    refusedFrame(binding, refused.text, /too many unfinished handshakes on the gateway \(at most 4\)/);
    expect(refused).toMatchObject({ code: 1013, reason: "gateway handshake limit" });
    expect(lines.filter((l) => /reason=GATEWAY_HANDSHAKE_LIMIT/.test(l))).toHaveLength(1);
    expect(await liveRow(live, "live-1")).toEqual(before);

    // One of them completes connect: it no longer counts, and one more may start.
    const connect = await held[0]!.answerTo(held[0]!.request("connect", connectParamsOf(binding, "was-pending")));
    expect(connect).toContain("hello-ok");
    keep(await Wire.open(gw, binding, { localAddress: "127.0.0.25" }));
    expect(gw.metrics().limitRefusals).toBe(1);
    const after = await liveRow(live, "live-1");
    expect(after.row).toEqual(before.row);
    expect(after.rows).toBe(before.rows + 1);
  });
});

describe("maxUnfinishedRequests", () => {
  it("unfinished HTTP requests from many addresses, over both listeners, fill it: the next socket gets 429 and the gateway's limit", async () => {
    const lines: string[] = [];
    const gw = await start({ handshakeTimeoutMs: 20_000, limits: { maxUnfinishedRequests: 6 }, logger: (l) => lines.push(l) });
    const sockets: Socket[] = [];
    const open = async (port: number, localAddress: string) => {
      const socket = connect({ port, host: "127.0.0.1", localAddress });
      sockets.push(socket);
      let received = "";
      socket.on("data", (d) => (received += String(d)));
      socket.on("error", () => {});
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
      return { closed, received: () => received };
    };
    try {
      const ports = BINDINGS.map((b) => Number(new URL(urlOf(gw, b)).port));
      for (let i = 0; i < 6; i++) await open(ports[i % 2]!, `127.0.0.${40 + Math.floor(i / 2)}`);
      const extra = await open(ports[0]!, "127.0.0.50");
      await extra.closed;
      expect(extra.received()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n[^]*Retry-After: 1\r\n[^]*too many unfinished HTTP requests on the gateway \(at most 6\)/);
      expect(lines.filter((l) => /reason=GATEWAY_HANDSHAKE_LIMIT too many unfinished HTTP requests on the gateway/.test(l))).toHaveLength(1);
      expect(gw.metrics().limitRefusals).toBe(1);
      // The held ones are still open, and a finished one frees its slot.
      sockets[0]!.destroy();
      let opened = "";
      for (let i = 0; i < 100 && opened !== "open"; i++) {
        opened = await wsOpens(urlOf(gw, "jsonrpc"), "127.0.0.51");
        if (opened !== "open") await new Promise((r) => setTimeout(r, 25));
      }
      expect(opened).toBe("open");
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});

async function wsOpens(url: string, localAddress: string): Promise<string> {
  const { default: WebSocket } = await import("ws");
  const ws = new WebSocket(url, { localAddress });
  return new Promise((resolve) => {
    ws.once("open", () => (ws.terminate(), resolve("open")));
    ws.once("error", (error) => resolve(error.message));
  });
}
