/** createGateway: the reference gateway, assembled. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { WebSocket } from "ws";
import { WebSocketServer } from "ws";
import { createMemoryPresenceStore } from "../presence/memory-store.js";
import type { PresenceStore, PresenceStoreOptions } from "../presence/types.js";
import { createConnection, type Connection } from "./connection.js";
import { createContext, type GatewayContext, type GatewayMetrics } from "./context.js";
import { activeFaults } from "./faults.js";
import { handleFrame } from "./frames.js";
import { createGatewayClock, type GatewayClock } from "./gateway-clock.js";
import { onPong, startKeepAlive } from "./keep-alive.js";
import { resolveGatewayOptions, type GatewayOptions } from "./options.js";
import { Pusher } from "./push.js";
import { clientAddress, TrustedProxies } from "./remote-address.js";
import { errorResponse, GatewayError } from "./rpc-errors.js";
import { createRpcServer, offeredMethods } from "./rpc-server.js";
import { selfFields } from "./self-row.js";

export interface Gateway {
  /** `ws://host:port`. */
  readonly url: string;
  readonly host: string;
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  readonly store: PresenceStore;
  /** The gateway's clock (real time plus `test.clock.advance` in test mode). */
  readonly clock: GatewayClock;
  /** The latest `stateVersion.presence` pushed (SPEC E1): one step per push. */
  stateVersion(): number;
  /** Counters: pushes sent and dropped, ticks, rate-limited calls, rejections. */
  metrics(): GatewayMetrics & { connections: number };
  /** Stops accepting, closes clients with 1001, clears every timer, closes the store. */
  close(): Promise<void>;
}

/** Time given to clients to answer the 1001 close before their sockets are cut. */
const CLOSE_GRACE_MS = 2_000;

export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const opts = resolveGatewayOptions(options);
  const trusted = new TrustedProxies(opts.trustedProxies);
  const clock = createGatewayClock();
  const store =
    typeof opts.store === "function"
      ? opts.store(storeOptions(opts.maxEntries))
      : (opts.store ?? createMemoryPresenceStore(storeOptions(opts.maxEntries)));
  function storeOptions(maxEntries: number): PresenceStoreOptions {
    const { faults } = opts;
    return {
      clock,
      ttlMs: faults.noExpiry ? Number.MAX_SAFE_INTEGER : opts.ttlMs,
      // The overCap and evictSelf faults need room for one row too many.
      maxEntries: faults.overCap || faults.evictSelf ? maxEntries + 1 : maxEntries,
      ephemeralModes: opts.ephemeralModes,
      onListenerError: (error) => opts.logger(`error presence listener failed: ${String(error)}`),
    };
  }
  await store.setSelf(selfFields());

  const gw = createContext({
    options: opts,
    store,
    clock,
    startedAt: performance.now(),
    methods: offeredMethods(opts.testClock),
    // Client-supplied ids land in log lines: control characters (a forged newline) are flattened.
    log: (line) => opts.logger(line.replace(/[\u0000-\u001f\u007f]+/g, " ")),
  });
  const faults = activeFaults(opts.faults);
  if (faults.length > 0) gw.log(`warning TEST-ONLY faults active (never use in production): ${faults.join(", ")}`);

  const rpc = createRpcServer(gw);
  const pusher = new Pusher(gw);
  const unsubscribe = store.onChange((change) => {
    if (change.kind === "expire" || change.kind === "evict") gw.reportedIps.forget(change.key);
    pusher.presenceChanged();
  });
  const stopKeepAlive = startKeepAlive(gw);
  const tickTimer = setInterval(() => pusher.tick(), opts.tickIntervalMs);

  const http = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain; charset=utf-8", upgrade: "websocket" });
    response.end("gateway-presence: connect with a WebSocket\n");
  });
  // ws would close an oversized frame with 1009 and no answer; with headroom, the gateway answers
  // PAYLOAD_TOO_LARGE first (SPEC B3) and closes 1009 itself.
  const wss = new WebSocketServer({ server: http, maxPayload: opts.maxPayload * 2 + 1024, perMessageDeflate: false, clientTracking: false });
  let closing = false;

  wss.on("connection", (ws: WebSocket, request: IncomingMessage) => {
    if (closing) return ws.close(1001, "gateway shutting down");
    const conn = createConnection(ws, clientAddress(request, trusted), opts.rateLimit);
    gw.registry.add(conn);
    conn.handshakeTimer = setTimeout(() => handshakeTimeout(gw, conn), opts.handshakeTimeoutMs);
    ws.on("message", (data, isBinary) => {
      conn.queue = conn.queue.then(() => handleFrame(gw, rpc, conn, asBuffer(data), isBinary)).catch((error: unknown) => {
        gw.log(`error frame handling failed on conn=${conn.id}: ${String(error)}`);
      });
    });
    ws.on("pong", () => onPong(gw, conn));
    ws.on("error", (error: Error & { code?: string }) => {
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        // Past the headroom ws cuts the frame itself (close 1009, no answer): still a rejection.
        gw.metrics.rejections++;
        gw.log(`reject conn=${conn.id} reason=PAYLOAD_TOO_LARGE frame over ${opts.maxPayload * 2 + 1024} bytes, cut without an answer`);
        return;
      }
      gw.log(`error conn=${conn.id} socket: ${error.message}`);
    });
    ws.on("close", (code) => {
      clearTimeout(conn.handshakeTimer);
      conn.queue = conn.queue.then(() => closed(gw, conn, code)).catch((error: unknown) => {
        gw.log(`error disconnect bookkeeping failed on conn=${conn.id}: ${String(error)}`);
      });
    });
  });
  // ws re-emits the http server's errors; a listen error rejects createGateway instead (told once).
  let listening = false;
  wss.on("error", (error) => {
    if (listening) gw.log(`error websocket server: ${error.message}`);
  });

  let port: number;
  try {
    port = await listen(http, opts.port, opts.host);
    listening = true;
  } catch (error) {
    clearInterval(tickTimer);
    stopKeepAlive();
    pusher.stop();
    unsubscribe();
    wss.close();
    await store.close();
    throw error;
  }
  const hostInUrl = opts.host.includes(":") ? `[${opts.host}]` : opts.host;

  let closePromise: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    closing = true;
    clearInterval(tickTimer);
    stopKeepAlive();
    pusher.stop();
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    const open = [...gw.registry.all];
    for (const conn of open) {
      clearTimeout(conn.handshakeTimer);
      conn.ws.close(1001, "gateway shutting down");
    }
    const allClosed = Promise.all(open.map((conn) => socketClosed(conn.ws)));
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, CLOSE_GRACE_MS)));
    await Promise.race([allClosed, grace]);
    clearTimeout(graceTimer);
    for (const conn of open) conn.ws.terminate();
    await allClosed;
    await Promise.all(open.map((conn) => conn.queue));
    wss.close();
    http.closeAllConnections();
    await httpClosed;
    unsubscribe();
    pusher.stop();
    await store.close();
  }

  return {
    url: `ws://${hostInUrl}:${port}`,
    host: opts.host,
    port,
    store,
    clock,
    stateVersion: () => gw.published.version,
    metrics: () => ({ ...gw.metrics, connections: gw.registry.all.size }),
    close: () => (closePromise ??= shutdown()),
  };
}

function handshakeTimeout(gw: GatewayContext, conn: Connection): void {
  if (conn.connected || conn.ws.readyState !== conn.ws.OPEN) return;
  const error = new GatewayError("NOT_CONNECTED", "handshake timeout");
  conn.ws.send(JSON.stringify(errorResponse(null, error, gw.options.faults)));
  gw.metrics.rejections++;
  gw.log(`reject conn=${conn.id} reason=HANDSHAKE_TIMEOUT no connect within ${gw.options.handshakeTimeoutMs} ms`);
  conn.ws.close(1008, "handshake timeout");
}

/** SPEC P6: the row is marked disconnected when the last connection with its key closes. */
async function closed(gw: GatewayContext, conn: Connection, code: number): Promise<void> {
  const lastForKey = gw.registry.remove(conn);
  if (lastForKey !== undefined) await gw.store.markDisconnected(lastForKey);
  if (conn.connected) gw.log(`disconnect conn=${conn.id} code=${code} key=${conn.key ?? "-(ephemeral)"}`);
}

function asBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function socketClosed(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => ws.once("close", () => resolve()));
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}
