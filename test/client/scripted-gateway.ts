/**
 * A scripted JSON-RPC WebSocket server on an ephemeral loopback port, for client tests that need
 * to control exactly what the gateway says (a gap, a silent method, a fatal answer). Tests against
 * the reference gateway use createGateway instead.
 */
import type { IncomingMessage, Server } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import type { HelloOk, PresenceEntry } from "../../src/index.js";
import { scaled } from "../support/timing.js";

export interface ScriptedRequest {
  id: string | number;
  method: string;
  params: any;
  socket: WebSocket;
}

/** Returns the result, an `{ error }` to answer with, or `"silent"` to never answer. */
export type Handler = (req: ScriptedRequest) => unknown | { error: { code: number; message: string; data?: unknown } } | "silent";

export interface ScriptedGateway {
  url: string;
  port: number;
  requests: ScriptedRequest[];
  sockets: Set<WebSocket>;
  connects: number;
  list: PresenceEntry[];
  version: number;
  handlers: Record<string, Handler>;
  /** Called for each new socket before anything is read (e.g. to send a challenge first). */
  onConnection?: (socket: WebSocket, request: IncomingMessage) => void;
  push(list: PresenceEntry[], version: number): void;
  notify(method: string, params: unknown): void;
  close(): Promise<void>;
}

export function helloFor(list: PresenceEntry[], version: number, overrides: Partial<HelloOk> = {}): HelloOk {
  return {
    type: "hello-ok",
    protocol: 1,
    server: { version: "scripted", connId: `c${Math.random().toString(16).slice(2, 8)}` },
    features: { methods: ["connect", "system-presence", "system-event"], events: ["presence"] },
    snapshot: { presence: list, stateVersion: { presence: version }, uptimeMs: 1 },
    policy: { maxPayload: 524288, maxBufferedBytes: 1048576, tickIntervalMs: 30000 },
    ...overrides,
  };
}

/**
 * `port`: where to listen on 127.0.0.1 (0: any free port); or `{ server }`: take the upgrades of an
 * HTTP server already listening on loopback (one that also serves pages), which the caller closes.
 */
export async function startScriptedGateway(port: number | { server: Server } = 0): Promise<ScriptedGateway> {
  const wss = typeof port === "number" ? new WebSocketServer({ host: "127.0.0.1", port }) : new WebSocketServer({ server: port.server });
  if (typeof port === "number") await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const address = wss.address() as { port: number };
  const gw: ScriptedGateway = {
    url: `ws://127.0.0.1:${address.port}`,
    port: address.port,
    requests: [],
    sockets: new Set(),
    connects: 0,
    list: [{ host: "gw", mode: "gateway", reason: "self", ts: Date.now() }],
    version: 1,
    handlers: {
      connect: () => {
        gw.connects++;
        return helloFor(gw.list, gw.version);
      },
      "system-presence": () => gw.list,
      "system-event": () => ({ ok: true }),
    },
    push(list, version) {
      gw.list = list;
      gw.version = version;
      gw.notify("presence", { presence: list, stateVersion: { presence: version } });
    },
    notify(method, params) {
      const text = JSON.stringify({ jsonrpc: "2.0", method, params });
      for (const s of gw.sockets) s.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of gw.sockets) s.terminate();
        wss.close(() => resolve());
      }),
  };
  wss.on("connection", (socket, request) => {
    gw.sockets.add(socket);
    socket.on("close", () => gw.sockets.delete(socket));
    gw.onConnection?.(socket, request);
    socket.on("message", (data) => {
      const msg = JSON.parse(String(data));
      const req: ScriptedRequest = { id: msg.id, method: msg.method, params: msg.params, socket };
      gw.requests.push(req);
      const handler = gw.handlers[msg.method];
      const answer = handler ? handler(req) : { error: { code: -32601, message: "Method not found" } };
      if (answer === "silent") return;
      const isError = answer !== null && typeof answer === "object" && "error" in (answer as object);
      socket.send(JSON.stringify(isError ? { jsonrpc: "2.0", id: msg.id, ...(answer as object) } : { jsonrpc: "2.0", id: msg.id, result: answer }));
    });
  });
  return gw;
}

/**
 * Resolves when `check` returns true, polling; rejects after `timeoutMs` with `what` (default 5 s on
 * a quiet machine, grown with its load: see `scaled`).
 */
export async function waitFor(check: () => boolean, what: string, timeoutMs = scaled(5_000)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
