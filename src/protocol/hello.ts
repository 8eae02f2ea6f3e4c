import type { PresenceKey } from "./delta.js";
import type { PresenceEntry, StateVersion } from "./presence.js";

/** Result of `connect` (SPEC H4). */
export interface HelloOk {
  type: "hello-ok";
  /**
   * The negotiated protocol version (1 for the `jsonrpc` binding).
   * @TJS-type integer
   * @minimum 1
   */
  protocol: number;
  server: HelloServer;
  features: HelloFeatures;
  snapshot: HelloSnapshot;
  policy: HelloPolicy;
}

export interface HelloServer {
  /** @minLength 1 */
  version: string;
  /**
   * The connection's id: the presence key of a client without instanceId (SPEC K1).
   * @minLength 1
   */
  connId: string;
}

export interface HelloFeatures {
  methods: string[];
  events: string[];
  /**
   * Capabilities in effect on this connection: those asked for in `connect.caps` that the gateway
   * supports (`presence.delta`, docs/delta.md D1). Absent when none.
   * @maxItems 32
   */
  caps?: string[];
}

export interface HelloSnapshot {
  /**
   * Already includes the connecting client's own row.
   * @maxItems 200
   */
  presence: PresenceEntry[];
  /**
   * With the `presence.delta` cap (docs/delta.md D2): the key of each row of `presence`, in the same order.
   * @maxItems 200
   */
  presenceKeys?: PresenceKey[];
  stateVersion: StateVersion;
  /**
   * @TJS-type integer
   * @minimum 0
   */
  uptimeMs: number;
}

export interface HelloPolicy {
  /**
   * Largest frame the gateway accepts, in bytes.
   * @TJS-type integer
   * @minimum 1
   */
  maxPayload: number;
  /**
   * Send-buffer size past which a slow client misses pushes (SPEC E2).
   * @TJS-type integer
   * @minimum 0
   */
  maxBufferedBytes: number;
  /**
   * @TJS-type integer
   * @minimum 1
   */
  tickIntervalMs: number;
  /**
   * The gateway's presence TTL in ms (SPEC S1, configurable per S3): rows not refreshed for this long
   * are removed. Not in the contract: the reference gateway says it so clients and `conform
   * --real-time` need not guess; OpenClaw does not send it.
   * @TJS-type integer
   * @minimum 1
   */
  presenceTtlMs?: number;
  /**
   * The gateway's row cap (SPEC S2, configurable per S3). Not in the contract, as presenceTtlMs.
   * @TJS-type integer
   * @minimum 1
   */
  presenceMaxEntries?: number;
}
