import type { ConnectParams } from "../protocol/connect.js";
import type { ErrorName } from "../protocol/errors.js";
import type { InboundFrame, RequestId } from "./frames.js";

export type BindingName = "jsonrpc" | "openclaw";

/** What a binding may use while it prepares the handshake. */
export interface HandshakeContext {
  /** Resolves with the payload of the next event of that name (e.g. OpenClaw's `connect.challenge`). */
  waitForEvent(event: string, timeoutMs: number): Promise<unknown>;
  /**
   * The payload of the latest event of that name already received on this connection, consumed or
   * not (optional): a second `connect` on one connection reuses its challenge instead of waiting.
   */
  latestEvent?(event: string): unknown;
  /**
   * Told about each change the binding makes so the gateway accepts the connect (a client id mapped
   * onto the gateway's enum, default scopes sent explicitly, a device signature), with the reason
   * (optional; the conformance harness lists these per actor).
   */
  adapted?(change: string, reason: string): void;
}

/**
 * A socket's event handler, given the part of the event the SDK reads. Checked bivariantly in its
 * event, as the DOM's own `on*` handlers are (it is declared as a method): `ws` types its handlers with
 * its own event classes and a browser with the DOM's, and both kinds of socket fit, while a handler the
 * SDK sets reads only what both kinds of event carry.
 */
export type SocketHandler<E> = { handle(event: E): void }["handle"];

/** What the SDK reads of a message event: the frame (a string for a text frame; ws and browsers alike). */
export interface SocketMessageEvent {
  readonly data: unknown;
}

/** What the SDK reads of a close event: the close code (1006 when the socket closed without a close frame) and reason. */
export interface SocketCloseEvent {
  readonly code: number;
  readonly reason: string;
}

/**
 * What the SDK reads of an error event. ws's (and Node's own WebSocket's) is an ErrorEvent with the
 * failure's `message` and the `error` behind it (a Node system error has a `code`, e.g. `ECONNREFUSED`);
 * a browser's is a bare Event that says nothing.
 */
export interface SocketErrorEvent {
  readonly type: string;
  readonly message?: string;
  readonly error?: unknown;
}

/** The part of a WebSocket a binding check uses (the WHATWG API; `ws` fits too). */
export interface CheckSocket {
  onopen: SocketHandler<{ readonly type: string }> | null;
  onmessage: SocketHandler<SocketMessageEvent> | null;
  onclose: SocketHandler<SocketCloseEvent> | null;
  onerror: SocketHandler<SocketErrorEvent> | null;
  send(data: string): void;
  close(code?: number): void;
}

/**
 * The part of the WHATWG WebSocket API the client uses; `ws`'s WebSocket and browsers' both fit
 * (test/transport/socket-types.test.ts checks both at compile time).
 */
export interface WebSocketLike extends CheckSocket {
  readonly readyState: number;
  close(code?: number, reason?: string): void;
}

/** Proof, found beside the handshake, that the gateway speaks another wire binding. */
export interface OtherBindingProof {
  binding: BindingName;
  /** What showed it (`nothing came within 500 ms, and ...`). */
  evidence: string;
  /** A whole sentence for an error: what was missing, the evidence, and what to do. */
  message: string;
  /** The text that proved it, as it came. */
  answer: string;
}

/** What a binding check is given: where to ask, with what, and whom to tell. */
export interface BindingCheckContext {
  url: string;
  /** How long a second connection may take to open, and then to answer (ms). */
  timeoutMs: number;
  WebSocket: new (url: string) => CheckSocket;
  /** Whether the checked connection has heard anything yet (a frame, a close): then there is nothing to check. */
  heard(): boolean;
  /** Called at most once, and never after `stop()`. */
  onOtherBinding(proof: OtherBindingProof): void;
  /** Told what happens on a second connection (conform's wire log): `open <url>`, what went, what came, `close <code>`. */
  onWire?(dir: "meta" | "send" | "recv", text: string): void;
}

export interface BindingCheck {
  /** Ends the check (the handshake is over): nothing is asked after this, and a second connection is closed. */
  stop(): Promise<void>;
}

/** Encodes requests and decodes inbound text frames for one wire binding (SPEC T2). */
export interface ClientBinding {
  readonly name: BindingName;
  /** Protocol versions this binding speaks (SPEC H3). */
  readonly protocol: { min: number; max: number };
  encodeRequest(id: RequestId, method: string, params: unknown): string;
  /** One text frame can hold several messages (a JSON-RPC batch answer). Throws FrameDecodeError. */
  decode(text: string): InboundFrame[];
  /**
   * Turns the caller's connect params into what goes on the wire (e.g. waits for a challenge nonce,
   * signs a device identity, sets the protocol range). The jsonrpc binding sends them unchanged.
   */
  prepareConnect?(params: ConnectParams, context: HandshakeContext): Promise<Record<string, unknown>>;
  /**
   * Started beside a connection that has just opened, and stopped once `prepareConnect` is over
   * (optional): tells a gateway of another binding apart before `prepareConnect`'s own wait ends. The
   * openclaw binding, which waits for `connect.challenge`, asks a quiet gateway in JSON-RPC
   * (binding-check.ts). On proof, the caller fails the handshake with `proof.message`.
   */
  startBindingCheck?(context: BindingCheckContext): BindingCheck;
  /**
   * Extra HTTP headers for the WebSocket upgrade of a connection that will send these connect
   * params (OpenClaw wants an `Origin` from webchat clients). Node only: browsers set Origin
   * themselves and cannot set headers, so a browser client ignores this.
   */
  upgradeHeaders?(url: string, params: ConnectParams): Record<string, string> | undefined;
  /**
   * SPEC §10 names this binding has no code of its own for, and the name a gateway of the binding
   * answers instead (SPEC B1: "or the binding's equivalent"); OpenClaw answers a frame that is not JSON
   * with INVALID_REQUEST, having no PARSE_ERROR.
   */
  readonly errorEquivalents?: Readonly<Partial<Record<ErrorName, ErrorName>>>;
}
