/** Per-connection state. */
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import { TokenBucket, type RateLimit } from "./rate-limiter.js";

export type Role = "operator" | "node";

export interface Connection {
  /** The connection id (`hello-ok.server.connId`): the presence key when no instanceId is given (SPEC K1). */
  readonly id: string;
  readonly ws: WebSocket;
  /** Client address after trusted proxies; may be loopback. */
  readonly address: string | undefined;
  /** `system-event` rate limit (SPEC B2). */
  readonly bucket: TokenBucket;
  /** `connect` accepted (SPEC H1, H6). */
  connected: boolean;
  /** hello-ok was sent: events may follow. */
  receivesPushes: boolean;
  /** `stateVersion.presence` of the hello-ok snapshot. */
  snapshotVersion?: number;
  role: Role;
  scopes: readonly string[];
  clientId?: string;
  mode?: string;
  /** The presence key when the connection is tracked (not ephemeral, SPEC P3). */
  key?: string;
  /** Answered the latest ping (keep-alive). */
  alive: boolean;
  /** Set by a handler whose answer must be followed by closing the connection. */
  closeAfterReply?: { code: number; reason: string };
  /** Frames are handled one after another, in order; the close bookkeeping runs last. */
  queue: Promise<void>;
  handshakeTimer?: ReturnType<typeof setTimeout>;
}

export function createConnection(ws: WebSocket, address: string | undefined, rateLimit: RateLimit): Connection {
  return {
    id: randomUUID(),
    ws,
    address,
    bucket: new TokenBucket(rateLimit),
    connected: false,
    receivesPushes: false,
    role: "operator",
    scopes: [],
    alive: true,
    queue: Promise.resolve(),
  };
}

/** Sends a text frame if the socket is still open; returns whether it was handed to the socket. */
export function sendText(conn: Connection, text: string): boolean {
  if (conn.ws.readyState !== conn.ws.OPEN) return false;
  conn.ws.send(text);
  return true;
}
