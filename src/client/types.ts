/** The public shape of a presence client. */
import type { CallOptions, PresenceMethods, RequestFn } from "../generated/client.js";
import type { EventMap } from "../generated/events.js";
import type { HelloOk } from "../protocol/hello.js";
import type { ClientBinding } from "../transport/binding.js";
import type { BeaconHandle, BeaconOptions } from "./beacons.js";
import type { GatewayClock } from "./clock/gateway-clock.js";
import type { Listener } from "./emitter.js";
import type { PresenceMirror } from "./mirror.js";

/** `idle` until connect() is called; `closed` after close(), a fatal answer, or giving up. */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export interface StateChange {
  state: ConnectionState;
  /** Why: the close code and reason, the failure, "client closed", ... */
  reason?: string;
  /** On `closed` after a failure, and on `reconnecting`: the error behind it. */
  error?: Error;
  /** Consecutive failed attempts so far (connecting, reconnecting); `reconnect.maxAttempts` caps it. */
  attempt?: number;
  /** On `reconnecting`: the wait before the next attempt. */
  delayMs?: number;
  /** On `open`: true when this is a re-handshake. */
  reconnected?: boolean;
}

export interface ClientEvents {
  state: StateChange;
  /** The whole list after every push: a `presence` event, or (delta mode) the mirror after a `presence.delta`. */
  presence: EventMap["presence"];
  /** Each `presence.delta` as received (delta mode, docs/delta.md). */
  "presence.delta": EventMap["presence.delta"];
  tick: EventMap["tick"];
  /** Every other event the gateway pushes (OpenClaw sends many). */
  event: { event: string; payload: unknown };
  /** After each successful re-handshake (like the onReconnect option). */
  reconnect: HelloOk;
  /**
   * Trouble that failed no call of the app's: an undecodable frame, an error answer without id, a
   * hook that threw, a beacon that failed when startBeacons was given no `onError`.
   */
  error: Error;
}

export interface ConnectOptions {
  /**
   * Keep retrying (with the reconnect backoff) when the first attempt fails for a reason that is not
   * fatal, e.g. the gateway is not up yet. Default false: connect() rejects on the first failure.
   */
  retry?: boolean;
}

export interface PresenceClient extends Omit<PresenceMethods, "connect"> {
  /** The presence key this client sends on every (re)connect and beacon. */
  readonly instanceId: string;
  readonly state: ConnectionState;
  /** The latest hello-ok, once connected. */
  readonly hello: HelloOk | undefined;
  /** The live presence list. */
  readonly presence: PresenceMirror;
  /**
   * The gateway's clock, estimated from its snapshot, lists and ticks: rows' `ts` are on it, so show
   * ages with `gatewayClock.ageMs(row)` and statuses with `gatewayClock.status(row)`, not `Date.now()`.
   */
  readonly gatewayClock: GatewayClock;
  readonly binding: ClientBinding;
  /** Opens the connection and handshakes; resolves to hello-ok. Calling it while open returns the current hello. */
  connect(options?: ConnectOptions): Promise<HelloOk>;
  /** Any method by name (typed); requests made while (re)connecting wait for the connection. */
  request: RequestFn;
  /** Starts `launch` / `connect` / `periodic` beacons; they stop with the client. */
  startBeacons(options?: BeaconOptions): BeaconHandle;
  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void;
  once<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void;
  off<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): void;
  /**
   * While `reconnecting`: dial now instead of at the end of the backoff (e.g. when a browser comes back
   * `online`, or a person clicks "retry"); true when an attempt starts. False in any other state, and
   * when the gateway asked for a longer wait (RATE_LIMITED, HTTP 429/503 Retry-After): the retry then
   * comes when it asked, if that is sooner than scheduled.
   */
  retryNow(): boolean;
  /** Stops reconnecting and beacons, rejects pending calls, closes the socket; resolves once it is closed. */
  close(): Promise<void>;
}

export type { CallOptions };
