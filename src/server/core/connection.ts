/** Per-connection state. */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { ServerBinding } from "./binding.js";
import type { DeltaBase } from "./fanout/delta.js";
import { TokenBucket, type RateLimit } from "./rate-limiter.js";

export type Role = "operator" | "node";

export interface Connection {
  /** The connection id (`hello-ok.server.connId`): the presence key when no instanceId is given (SPEC K1). */
  readonly id: string;
  readonly ws: WebSocket;
  /** The wire binding of the listener this connection came in on (SPEC T2). */
  readonly binding: ServerBinding;
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
  /** The protocol version `connect` negotiated (SPEC H3). */
  protocol?: number;
  /**
   * Granted the `presence.delta` cap (docs/delta.md): the snapshot this connection holds and its
   * version; pushes to it are deltas from there. Undefined: it gets whole lists.
   */
  deltaBase?: DeltaBase;
  /** Since when (performance.now()) its send buffer has been over maxBufferedBytes (slow-consumers.ts). */
  overBufferSince?: number;
  /** The pending check of whether it is still over (slow-consumers.ts), cleared on close. */
  slowCheck?: ReturnType<typeof setTimeout>;
  /** Pushes this connection was offered, sent or missed: the next push's `seq` is this plus one. */
  eventSeq: number;
  role: Role;
  scopes: readonly string[];
  clientId?: string;
  mode?: string;
  /** The presence key when the connection is tracked (not ephemeral, SPEC P3). */
  key?: string;
  /** Answered the latest ping (keep-alive). */
  alive: boolean;
  /** When (performance.now()) a pong last refreshed its row (keep-alive.ts onPong). */
  touchedAt?: number;
  /** Pongs received since `pongWindowAt` (performance.now()), for the pong-flood limit (limits/read-pacing.ts). */
  pongsInWindow: number;
  pongWindowAt: number;
  /** Set by a handler whose answer must be followed by closing the connection. */
  closeAfterReply?: { code: number; reason: string };
  /**
   * Frames are handled one after another, in order; the close bookkeeping runs last. The work still
   * pending (a frame waiting on a remote store), or undefined when there is none (listener.ts inOrder).
   */
  queue?: Promise<void>;
  handshakeTimer?: ReturnType<typeof setTimeout>;
  /** The TCP socket under `ws` (the upgrade request's), corked while the answers to one read are written. */
  socket?: Duplex;
  /** Corked until the current read's callback returns (inbound.ts coalesceWrites). */
  corked?: boolean;
  /** Frames of the current socket read handled so far (limits/read-pacing.ts). */
  framesThisRead: number;
  /**
   * Whether the frame being handled has a `\u` escape in its text (inbound.ts): without one its
   * strings cannot hold a lone surrogate (ws refuses text frames that are not UTF-8), so the
   * well-formed check (well-formed.ts) is skipped. Undefined (a call not from a frame): checked.
   */
  frameHasEscapes?: boolean;
  /** Frames waiting for a later event-loop turn, in order, the socket paused meanwhile (limits/read-pacing.ts). */
  backlog?: Array<{ data: Buffer; isBinary: boolean }>;
  /** Not read until its send buffer drains (limits/read-pacing.ts holdReading). */
  readHeld?: boolean;
}

export function createConnection(ws: WebSocket, binding: ServerBinding, address: string | undefined, rateLimit: RateLimit): Connection {
  return {
    id: randomUUID(),
    ws,
    binding,
    address,
    bucket: new TokenBucket(rateLimit),
    connected: false,
    receivesPushes: false,
    eventSeq: 0,
    framesThisRead: 0,
    pongsInWindow: 0,
    pongWindowAt: 0,
    role: "operator",
    scopes: [],
    alive: true,
  };
}
