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
