/**
 * One listener: an HTTP server that upgrades to WebSocket, and the connections it accepts, all
 * speaking one wire binding. A gateway has one or more listeners over one core and one store, so
 * every client sees every row whichever binding it speaks (SPEC T2).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { WebSocketServer } from "ws";
import type { ServerBinding } from "./core/binding.js";
import { createConnection, type Connection } from "./core/connection.js";
import type { GatewayContext } from "./core/context.js";
import { GatewayError } from "./core/errors.js";
import { coalesceWrites, handleFrame, sendError } from "./core/inbound.js";
import { onPong } from "./core/keep-alive.js";
import { MAX_PONGS_PER_SECOND, pongFlood, takeFrame } from "./limits/read-pacing.js";
import { isPromise, type MaybePromise } from "./core/maybe-promise.js";
import { clientAddress, type TrustedProxies } from "./core/remote-address.js";
import type { ListenerHttp } from "./http/http-front.js";
import { logRejection, refuseConnection } from "./limits/refuse.js";
import { httpTimeouts, type UnfinishedRequests } from "./limits/unfinished-requests.js";
import type { ConnectionRate } from "./limits/connection-rate.js";

export interface Listener {
  readonly binding: ServerBinding;
  readonly host: string;
  readonly port: number;
  /** `ws://host:port` (IPv6 hosts in brackets). */
  readonly url: string;
  /** Stops accepting new connections (open ones are the gateway's to close). */
  stopAccepting(): void;
  /** Releases the server once its connections are closed; resolves when it is. */
  close(): Promise<void>;
}

export interface ListenerSpec {
  binding: ServerBinding;
  host: string;
  port: number;
  /** Plain HTTP (the Instances page) and the Origin check of upgrades (src/server/http); without: 426, no check. */
  http?: ListenerHttp;
}

/** Starts listening; rejects (and leaves nothing open) when the address cannot be bound. */
/** What the listeners of one gateway share besides its context. */
export interface ListenerShared {
  trusted: TrustedProxies;
  /** Sockets not upgraded yet, per address, across every listener. */
  unfinished: UnfinishedRequests;
  /** The gateway-wide rate of new connections, across every listener. */
  connectionRate: ConnectionRate;
  isClosing: () => boolean;
}

export async function startListener(gw: GatewayContext, spec: ListenerSpec, shared: ListenerShared): Promise<Listener> {
  const { binding, host } = spec;
  const { trusted, unfinished, connectionRate, isClosing } = shared;
  const { maxPayload, rateLimit, handshakeTimeoutMs } = gw.options;
  const http = createServer(
    httpTimeouts(handshakeTimeoutMs),
    spec.http?.handleRequest ??
      ((_request, response) => {
        response.writeHead(426, { "content-type": "text/plain; charset=utf-8", upgrade: "websocket" });
        response.end("gateway-presence: connect with a WebSocket\n");
      }),
  );
  // ws would close an oversized frame with 1009 and no answer; with headroom, the gateway answers
  // PAYLOAD_TOO_LARGE first (SPEC B3) and closes 1009 itself.
  const cutAt = maxPayload * 2 + 1024;
  // noServer: the listener hands each upgrade to ws itself, after the gateway-wide connection rate
  // (limits/connection-rate.ts) has taken its token, so a refused one costs ws nothing.
  const wss = new WebSocketServer({ noServer: true, verifyClient: spec.http?.verifyClient, maxPayload: cutAt, perMessageDeflate: false, clientTracking: false });
  const emitConnection = (ws: WebSocket, request: IncomingMessage) => wss.emit("connection", ws, request);
  http.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (connectionRate.admit(socket)) wss.handleUpgrade(request, socket, head, emitConnection);
  });

  // The socket listeners are made once per listener, not once per connection (issue 11: a
  // handshake allocates less); ws calls them with `this` = the socket, whose connection is tagged on it.
  function onMessage(this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    takeFrame(connectionOf(this), asBuffer(data), isBinary, handleNow);
  }
  function handleNow(conn: Connection, data: Buffer, isBinary: boolean): void {
    coalesceWrites(conn);
    inOrder(gw, conn, "frame handling", handleFrame, data, isBinary);
  }
  function onPongFrame(this: WebSocket): void {
    const conn = connectionOf(this);
    // Dropped for a flood: the rest of the read's pongs cost nothing more.
    if (this.readyState !== this.OPEN) return;
    if (pongFlood(conn)) {
      gw.metrics.rejections++;
      logRejection(gw, conn, "PONG_FLOOD", `more than ${MAX_PONGS_PER_SECOND} pongs in a second`);
      this.terminate();
      return;
    }
    onPong(gw, conn);
  }
  function onSocketError(this: WebSocket, error: Error & { code?: string }): void {
    const conn = connectionOf(this);
    if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
      // Past the headroom ws cuts the frame itself (close 1009, no answer): still a rejection.
      gw.metrics.rejections++;
      logRejection(gw, conn, "PAYLOAD_TOO_LARGE", `frame over ${cutAt} bytes, cut without an answer`);
      return;
    }
    if (error.code?.startsWith("WS_ERR_")) {
      // The client broke the WebSocket protocol (invalid UTF-8 in a text frame, a bad opcode, ...):
      // ws closes it (1007, 1002); bad input, not a gateway error.
      gw.metrics.rejections++;
      logRejection(gw, conn, "BAD_FRAME", error.message);
      return;
    }
    gw.log(`error conn=${conn.id} socket: ${error.message}`);
  }
  function onClose(this: WebSocket, code: number): void {
    const conn = connectionOf(this);
    clearTimeout(conn.handshakeTimer);
    clearTimeout(conn.slowCheck);
    gw.limits.release(conn);
    inOrder(gw, conn, "disconnect bookkeeping", closed, code, undefined);
  }

  // Sockets are counted until their HTTP request is done (slowloris: unfinished-requests.ts).
  http.on("connection", (socket: Socket) => unfinished.opened(socket));
  wss.on("connection", (ws: WebSocket, request: IncomingMessage) => {
    unfinished.finished(request.socket as Socket);
    if (isClosing()) return ws.close(1001, "gateway shutting down");
    const conn = createConnection(ws, binding, clientAddress(request, trusted), rateLimit);
    const refusal = gw.overload.refusal() ?? gw.limits.admit(conn, conn.address);
    if (refusal) return refuseConnection(gw, conn, refusal);
    gw.registry.add(conn);
    conn.handshakeTimer = setTimeout(handshakeTimeout, handshakeTimeoutMs, gw, conn);
    conn.socket = request.socket;
    (ws as TaggedSocket)[CONNECTION] = conn;
    ws.on("message", onMessage);
    ws.on("pong", onPongFrame);
    ws.on("error", onSocketError);
    ws.on("close", onClose);
    binding.opened?.(conn);
  });
  // A listen error rejects instead (told once).
  let listening = false;
  http.on("error", (error) => {
    if (listening) gw.log(`error websocket server: ${error.message}`);
  });

  let port: number;
  try {
    port = await listen(http, spec.port, host);
    listening = true;
  } catch (error) {
    wss.close();
    throw error;
  }
  const hostInUrl = host.includes(":") ? `[${host}]` : host;
  let httpClosed: Promise<void> | undefined;
  const stopAccepting = () => {
    httpClosed ??= new Promise<void>((resolve) => http.close(() => resolve()));
  };
  return {
    binding,
    host,
    port,
    url: `ws://${hostInUrl}:${port}`,
    stopAccepting,
    async close() {
      stopAccepting();
      wss.close();
      http.closeAllConnections();
      await httpClosed;
    },
  };
}

/** The connection a socket's listeners act for (set when the listener accepts it). */
const CONNECTION = Symbol("connection");
type TaggedSocket = WebSocket & { [CONNECTION]?: Connection };

function connectionOf(ws: WebSocket): Connection {
  return (ws as TaggedSocket)[CONNECTION]!;
}

function handshakeTimeout(gw: GatewayContext, conn: Connection): void {
  if (conn.connected || conn.ws.readyState !== conn.ws.OPEN) return;
  sendError(gw, conn, new GatewayError("NOT_CONNECTED", "handshake timeout"));
  gw.metrics.rejections++;
  logRejection(gw, conn, "HANDSHAKE_TIMEOUT", `no connect within ${gw.options.handshakeTimeoutMs} ms`);
  conn.ws.close(1008, "handshake timeout");
}

/** SPEC P6: the store marks the row disconnected when the last connection with its key (on any gateway) closes. */
function closed(gw: GatewayContext, conn: Connection, code: number): MaybePromise<void> {
  gw.registry.remove(conn);
  const logged = () => {
    if (conn.connected) gw.log(`disconnect conn=${conn.id} code=${code} key=${conn.key ?? "-(ephemeral)"}`);
  };
  if (conn.key === undefined) return logged();
  const { sync } = gw.store;
  if (sync) return (sync.closeConnection(conn.key), logged());
  return gw.store.closeConnection(conn.key).then(logged);
}

/**
 * Runs a connection's work (a frame, then the close bookkeeping) in arrival order: at once when
 * nothing of it is pending (no promise and no closure per frame on an idle connection), else after what is.
 */
function inOrder<A, B>(
  gw: GatewayContext,
  conn: Connection,
  what: string,
  work: (gw: GatewayContext, conn: Connection, a: A, b: B) => MaybePromise<void>,
  a: A,
  b: B,
): void {
  let result: MaybePromise<void>;
  if (conn.queue === undefined) {
    try {
      result = work(gw, conn, a, b);
    } catch (error) {
      return workFailed(gw, conn, what, error);
    }
    if (!isPromise(result)) return;
  } else result = conn.queue.then(() => work(gw, conn, a, b));
  const queued: Promise<void> = result
    .catch((error: unknown) => workFailed(gw, conn, what, error))
    .then(() => {
      if (conn.queue === queued) conn.queue = undefined;
    });
  conn.queue = queued;
}

function workFailed(gw: GatewayContext, conn: Connection, what: string, error: unknown): void {
  gw.log(`error ${what} failed on conn=${conn.id}: ${String(error)}`);
}

function asBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
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
