/**
 * createPresenceClient: one logical connection to a gateway that handshakes, keeps a live presence
 * mirror, and reconnects with backoff until closed or told something fatal.
 */
import WebSocketImpl from "isomorphic-ws";
import { createPresenceMethods, type RequestFn } from "../generated/client.js";
import type { HelloOk } from "../protocol/hello.js";
import type { PresenceEntry } from "../protocol/presence.js";
import type { ClientBinding } from "../transport/binding.js";
import type { InboundFrame } from "../transport/frames.js";
import { backoffDelay } from "./backoff.js";
import { startBeacons, type BeaconHandle, type BeaconOptions } from "./beacons.js";
import { resolveBinding } from "./bindings.js";
import { Connection, type CloseInfo, type WebSocketConstructor } from "./connection.js";
import { Emitter } from "./emitter.js";
import { GatewayError, isFatalConnectError, isWrongBindingError, TransportError, wrongBindingError } from "./errors.js";
import { checkHello, connectParams } from "./handshake.js";
import { PresenceMirror } from "./mirror.js";
import { isDelta, keyedSnapshot, withDeltaCap } from "./delta.js";
import { PRESENCE_DELTA_CAP } from "../protocol/delta.js";
import { randomInstanceId, resolveOptions, type PresenceClientOptions, type ResolvedOptions } from "./options.js";
import { RequestManager } from "./requests.js";
import type { ClientEvents, ConnectionState, ConnectOptions, PresenceClient, StateChange } from "./types.js";
import { Watchdog } from "./watchdog.js";

const MAX_HELD_EVENTS = 64;

export function createPresenceClient(options: PresenceClientOptions): PresenceClient {
  return new PresenceClientImpl(options);
}

class PresenceClientImpl extends Emitter<ClientEvents> implements PresenceClient {
  readonly instanceId: string;
  readonly binding: ClientBinding;
  readonly presence: PresenceMirror;
  readonly #options: ResolvedOptions;
  readonly #requests: RequestManager;
  readonly #methods = createPresenceMethods((method, params, options) => this.request(method, params, options));
  readonly #beacons = new Set<BeaconHandle>();
  readonly #watchdog: Watchdog;
  #state: ConnectionState = "idle";
  #hello: HelloOk | undefined;
  #conn: Connection | null = null;
  /** Set by close() or a fatal answer: no more connecting. */
  #closedForGood = false;
  #everOpened = false;
  #retryInitial = false;
  /** Failed attempts in a row; a connection counts as a success only once it stayed up minUptimeMs. */
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #uptimeTimer: ReturnType<typeof setTimeout> | undefined;
  #lastSeq: number | undefined;
  /** Events that arrived with or right after hello-ok, before the handshake settled. */
  #heldEvents: InboundFrame[] = [];
  /** Another binding's frame that came before this attempt's connect was sent. */
  #wrongBinding: TransportError | undefined;
  #waiter: { promise: Promise<HelloOk>; resolve(hello: HelloOk): void; reject(error: Error): void } | null = null;

  constructor(options: PresenceClientOptions) {
    super();
    this.#options = resolveOptions(options);
    this.binding = resolveBinding(options.binding);
    this.instanceId = options.instanceId ?? options.client.instanceId ?? randomInstanceId();
    this.#requests = new RequestManager(this.#options.requestTimeoutMs);
    this.presence = new PresenceMirror({
      fetch: () => this.#methods.systemPresence({}) as Promise<PresenceEntry[]>,
      requestReset: () => this.#methods.presenceResync({}),
      resyncDelayMs: options.resyncDelayMs,
    });
    this.#watchdog = new Watchdog((silentMs) => this.#dropDeadConnection(silentMs));
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get hello(): HelloOk | undefined {
    return this.#hello;
  }

  readonly request: RequestFn = (method, params, options) =>
    this.#requests.request(method, params, options) as ReturnType<RequestFn>;
  readonly systemEvent = this.#methods.systemEvent;
  readonly systemPresence = this.#methods.systemPresence;
  readonly presenceResync = this.#methods.presenceResync;
  readonly testClockAdvance = this.#methods.testClockAdvance;

  connect(options: ConnectOptions = {}): Promise<HelloOk> {
    if (this.#closedForGood) return Promise.reject(new TransportError("closed", "connect: the client is closed"));
    if (this.#state === "open" && this.#hello) return Promise.resolve(this.#hello);
    if (this.#waiter) return this.#waiter.promise;
    this.#retryInitial = options.retry ?? false;
    let resolve!: (hello: HelloOk) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<HelloOk>((res, rej) => ((resolve = res), (reject = rej)));
    this.#waiter = { promise, resolve, reject };
    // While (re)connecting, an attempt is already under way or scheduled: wait for it.
    if (this.#state === "idle" || this.#state === "closed") void this.#dial();
    return promise;
  }

  startBeacons(options?: BeaconOptions): BeaconHandle {
    if (this.#closedForGood) throw new TransportError("closed", "startBeacons: the client is closed");
    const handle = startBeacons(this, options);
    this.#beacons.add(handle);
    return {
      send: handle.send,
      stop: () => {
        handle.stop();
        this.#beacons.delete(handle);
      },
    };
  }

  async close(): Promise<void> {
    const conn = this.#conn;
    this.#stop(new TransportError("closed", "client closed"), "client closed", false);
    await conn?.close(1000, "client closed");
  }

  async #dial(): Promise<void> {
    this.#setState({ state: "connecting", attempt: this.#failures });
    const { url, connectTimeoutMs } = this.#options;
    let conn: Connection | undefined;
    try {
      const Impl = (this.#options.WebSocket ?? WebSocketImpl) as unknown as WebSocketConstructor;
      const caps = withDeltaCap(this.#options.caps, this.#options.presenceDelta !== false);
      const base = connectParams({ ...this.#options, caps, instanceId: this.instanceId, extra: this.#options.connectExtra }, this.binding);
      const headers = this.binding.upgradeHeaders?.(url, base);
      this.#heldEvents = [];
      this.#wrongBinding = undefined;
      conn = await Connection.open(url, Impl, this.binding, this.#handlersFor(() => conn), connectTimeoutMs, headers);
      if (this.#closedForGood) return void conn.close(1000, "client closed");
      this.#conn = conn;
      const params = this.binding.prepareConnect ? await this.binding.prepareConnect(base, conn) : base;
      if (this.#wrongBinding) throw this.#wrongBinding;
      const answer = await this.#requests.request("connect", params, { timeoutMs: connectTimeoutMs }, conn.send);
      const hello = checkHello(answer);
      if (this.#closedForGood || this.#conn !== conn) return;
      this.#opened(conn, hello);
    } catch (error) {
      if (conn && this.#conn === conn) this.#conn = null;
      void conn?.close(1000, "handshake failed");
      this.#requests.detach("handshake failed");
      if (!this.#closedForGood) this.#dialFailed(error as Error);
    }
  }

  #opened(conn: Connection, hello: HelloOk): void {
    const reconnected = this.#everOpened;
    this.#everOpened = true;
    this.#startUptime();
    this.#hello = hello;
    this.#lastSeq = undefined;
    conn.endHandshake();
    const granted = hello.features.caps?.includes(PRESENCE_DELTA_CAP) && this.#options.presenceDelta !== false;
    const keyed = granted ? keyedSnapshot(hello.snapshot.presence, hello.snapshot.presenceKeys) : undefined;
    this.presence.reset(hello.snapshot.presence, hello.snapshot.stateVersion.presence, keyed);
    const held = this.#heldEvents;
    this.#heldEvents = [];
    this.#requests.attach(conn.send);
    this.#watchdog.start(this.#options.tickTimeoutMs, hello);
    this.#setState({ state: "open", reconnected });
    this.#waiter?.resolve(hello);
    this.#waiter = null;
    for (const frame of held) this.#frame(frame);
    if (reconnected) {
      this.emit("reconnect", hello);
      Promise.resolve()
        .then(() => this.#options.onReconnect?.(hello))
        .catch((error: Error) => this.emit("error", error));
    }
  }

  #dialFailed(error: Error): void {
    const fatal = isFatalConnectError(error) || isWrongBindingError(error) || !(error instanceof TransportError || error instanceof GatewayError);
    const reconnect = this.#options.reconnect;
    const mayRetry = !fatal && reconnect !== false && (this.#everOpened || this.#retryInitial);
    if (mayRetry && this.#failures < reconnect.maxAttempts) return this.#scheduleRetry(error.message, error);
    if (fatal) return this.#stop(error, `fatal: ${error.message}`, true);
    const gaveUp = mayRetry ? `gave up after ${this.#failures} attempts: ${error.message}` : error.message;
    // Not fatal and not retried: closed, but connect() may be called again.
    this.#stop(error, gaveUp, false, true);
  }

  /**
   * The backoff restarts only after the connection has stayed up for minUptimeMs: a gateway that
   * completes the handshake and then drops the socket must not get a reconnect every few hundred ms.
   */
  #startUptime(): void {
    clearTimeout(this.#uptimeTimer);
    const reconnect = this.#options.reconnect;
    if (reconnect === false || reconnect.minUptimeMs === 0) {
      this.#failures = 0;
      return;
    }
    this.#uptimeTimer = setTimeout(() => (this.#failures = 0), reconnect.minUptimeMs);
  }

  #scheduleRetry(reason: string, error?: Error): void {
    const reconnect = this.#options.reconnect;
    if (reconnect === false) return;
    // A RATE_LIMITED connect (an address locked out after failed tokens) says when to come back.
    const retryAfterMs = error instanceof GatewayError ? (error.retryAfterMs ?? 0) : 0;
    const waitAsked = Number.isFinite(retryAfterMs) ? Math.min(retryAfterMs, reconnect.maxDelayMs) : 0;
    const delayMs = Math.max(backoffDelay(this.#failures, reconnect), waitAsked);
    this.#failures++;
    this.#setState({ state: "reconnecting", reason, error, attempt: this.#failures, delayMs });
    this.#retryTimer = setTimeout(() => void this.#dial(), delayMs);
  }

  #socketClosed(conn: Connection, info: CloseInfo): void {
    if (conn !== this.#conn) return;
    this.#conn = null;
    clearTimeout(this.#uptimeTimer);
    const reason = `connection closed (${info.code}${info.reason ? ` ${info.reason}` : ""})`;
    this.#watchdog.stop();
    this.presence.detach();
    this.#requests.detach(reason);
    // During the handshake the pending connect request rejects and #dial handles it.
    if (this.#state !== "open") return;
    const reconnect = this.#options.reconnect;
    if (reconnect === false) return this.#stop(new TransportError("closed", reason), reason, false, true);
    // A connection that closed before minUptimeMs was a failed attempt (#failures was not reset).
    if (this.#failures >= reconnect.maxAttempts) {
      return this.#stop(new TransportError("closed", reason), `gave up after ${this.#failures} attempts: ${reason}`, false, true);
    }
    this.#scheduleRetry(reason);
  }

  #dropDeadConnection(silentMs: number): void {
    const conn = this.#conn;
    if (!conn) return;
    void conn.close(4000, "no frame from the gateway");
    this.#socketClosed(conn, { code: 4000, reason: `nothing received for ${silentMs} ms` });
  }

  /**
   * Ends all activity. `forGood` (close(), fatal answer): no connect() any more. `reopenable`:
   * a failed first connect, after which connect() may be tried again.
   */
  #stop(error: Error, reason: string, fatal: boolean, reopenable = false): void {
    if (this.#state === "closed" && this.#closedForGood) return;
    this.#closedForGood = !reopenable;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#uptimeTimer);
    this.#watchdog.stop();
    this.presence.detach();
    if (!reopenable) for (const beacon of this.#beacons) beacon.stop();
    if (!reopenable) this.#beacons.clear();
    const conn = this.#conn;
    this.#conn = null;
    void conn?.close(1000, reason.slice(0, 120));
    this.#requests.shutdown(reason, !reopenable);
    this.#waiter?.reject(error);
    this.#waiter = null;
    this.#failures = 0;
    const failed = fatal || reopenable;
    this.#setState({ state: "closed", reason, ...(failed ? { error } : {}) });
  }

  #handlersFor(current: () => Connection | undefined) {
    return {
      onFrame: (frame: InboundFrame) => this.#frame(frame),
      onBadFrame: (error: Error) => {
        // Another binding's frame in the handshake (it may come before connect is sent): connect fails
        // now, naming the binding, not at its timeout.
        const wrong = this.#state === "open" ? undefined : wrongBindingError(error);
        if (wrong && !this.#requests.failSentTo("connect", wrong)) this.#wrongBinding ??= wrong;
        this.emit("error", error);
      },
      onClose: (info: CloseInfo) => {
        const conn = current();
        if (conn) this.#socketClosed(conn, info);
      },
    };
  }

  #frame(frame: InboundFrame): void {
    this.#watchdog.heard();
    if (frame.kind !== "event") {
      if (this.#requests.settle(frame)) return;
      if (frame.kind === "error") {
        const error = new GatewayError(frame.error);
        // An error without id during the handshake (e.g. "handshake timeout") answers the connect.
        if (!(frame.id === null && this.#state !== "open" && this.#requests.failSentTo("connect", error))) {
          this.emit("error", error);
        }
      }
      return;
    }
    if (this.#state !== "open") {
      // A push can arrive in the same read as hello-ok, before the handshake's promise has settled:
      // keep it for #opened, which applies it after the snapshot.
      if (this.#heldEvents.length < MAX_HELD_EVENTS) this.#heldEvents.push(frame);
      return;
    }
    // In delta mode each delta names the version it applies to: seq and frame versions are not needed.
    const deltaMode = this.presence.deltaMode;
    if (frame.seq !== undefined) {
      const last = this.#lastSeq;
      if (!deltaMode && last !== undefined && frame.seq > last + 1) this.presence.noteGap({ kind: "seq", from: last, to: frame.seq });
      this.#lastSeq = frame.seq;
    }
    const payload = frame.payload as ClientEvents["presence"];
    if (!deltaMode && frame.event !== "presence" && frame.stateVersion !== undefined) this.presence.noteVersion(frame.stateVersion);
    if (frame.event === "presence.delta") {
      if (!isDelta(frame.payload)) {
        this.emit("error", new TransportError("protocol", "presence.delta event without stateVersion, changed and removed: ignored"));
        return;
      }
      const before = this.presence.version;
      this.presence.applyDelta(frame.payload);
      this.emit("presence.delta", frame.payload);
      if (this.presence.version !== before) this.emit("presence", { presence: [...this.presence.entries], stateVersion: { presence: this.presence.version } });
    } else if (frame.event === "presence") {
      if (deltaMode) return; // a gateway that granted deltas sends no whole lists
      if (!Array.isArray(payload?.presence)) {
        this.emit("error", new TransportError("protocol", "presence event without a presence list: ignored"));
        return;
      }
      this.presence.applyPush(payload, frame.stateVersion);
      this.emit("presence", payload);
    } else if (frame.event === "tick") {
      this.emit("tick", frame.payload as ClientEvents["tick"]);
    } else {
      this.emit("event", { event: frame.event, payload: frame.payload });
    }
  }

  #setState(change: StateChange): void {
    this.#state = change.state;
    this.emit("state", change);
  }
}
