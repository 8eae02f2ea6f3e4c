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
import type { ConnectParams } from "../protocol/connect.js";
import { startBeacons, type BeaconHandle, type BeaconOptions } from "./beacons.js";
import { resolveBinding } from "./bindings.js";
import { Connection, type CloseInfo, type WebSocketConstructor } from "./connection.js";
import { Emitter } from "./emitter.js";
import { closedForGood, GatewayError, isFatalConnectError, isWrongBindingError, notConnectedWhy, TransportError, wrongBindingError } from "./errors.js";
import { checkHello, connectParams, helloFeature, startBindingCheck } from "./handshake.js";
import { PresenceMirror } from "./mirror.js";
import { withDeltaCap } from "./delta.js";
import { MirrorFeed } from "./mirror-feed.js";
import { GatewayClock } from "./clock/gateway-clock.js";
import { randomInstanceId, resolveOptions, type PresenceClientOptions, type ResolvedOptions } from "./options.js";
import { gaveUpAfter, ReconnectLoop } from "./backoff.js";
import { RequestManager } from "./requests.js";
import type { ClientEvents, ConnectionState, ConnectOptions, PresenceClient, StateChange } from "./types.js";
import { Watchdog } from "./watchdog.js";

export function createPresenceClient(options: PresenceClientOptions): PresenceClient {
  return new PresenceClientImpl(options);
}

class PresenceClientImpl extends Emitter<ClientEvents> implements PresenceClient {
  readonly instanceId: string;
  readonly binding: ClientBinding;
  readonly presence: PresenceMirror;
  readonly gatewayClock = new GatewayClock();
  readonly #options: ResolvedOptions;
  readonly #requests: RequestManager;
  readonly #methods = createPresenceMethods((method, params, options) => this.request(method, params, options));
  readonly #beacons = new Set<BeaconHandle>();
  readonly #watchdog: Watchdog;
  #state: ConnectionState = "idle";
  #hello: HelloOk | undefined;
  #conn: Connection | null = null;
  /** Why close() or a fatal answer stopped the client: no more connecting. Undefined until then. */
  #closedForGood: string | undefined;
  #everOpened = false;
  #retryInitial = false;
  readonly #loop: ReconnectLoop;
  readonly #feed: MirrorFeed;
  /** What ended this attempt before its connect was sent: another binding's frame, or an id-less error (a full gateway refusing a socket). */
  #earlyFailure: Error | undefined;
  /** The last failed attempt's or closed connection's reason, until a connection opens (said by calls that time out unsent). */
  #lastFailure: string | undefined;
  #waiter: { promise: Promise<HelloOk>; resolve(hello: HelloOk): void; reject(error: Error): void } | null = null;

  constructor(options: PresenceClientOptions) {
    super();
    this.#options = resolveOptions(options);
    this.binding = resolveBinding(options.binding);
    this.instanceId = options.instanceId ?? options.client.instanceId ?? randomInstanceId();
    this.#requests = new RequestManager(this.#options.requestTimeoutMs, {
      notSentWhy: () => notConnectedWhy(this.#state, this.#lastFailure), role: options.role,
      listedMethods: () => (this.#state === "open" && this.#hello ? helloFeature(this.#hello, "methods") : undefined),
    });
    this.presence = new PresenceMirror({
      fetch: () => this.#methods.systemPresence({}) as Promise<PresenceEntry[]>,
      requestReset: () => this.#methods.presenceResync({}),
      resyncDelayMs: options.resyncDelayMs, refreshMs: options.presenceRefreshMs,
    });
    this.#watchdog = new Watchdog((silentMs) => this.#dropDeadConnection(silentMs));
    this.#loop = new ReconnectLoop(this.#options.reconnect);
    this.#feed = new MirrorFeed(this.presence, (event, payload) => this.emit(event, payload), this.#options.presenceDelta !== false, this.gatewayClock);
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
    if (this.#closedForGood) return Promise.reject(new TransportError("closed", closedForGood("connect", this.#closedForGood)));
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
    if (this.#closedForGood) throw new TransportError("closed", closedForGood("startBeacons", this.#closedForGood));
    // Without onError a failed beacon (more scope or a text wanted) is trouble that failed no call of the app's.
    const handle = startBeacons(this, { ...options, onError: options?.onError ?? ((error) => this.emit("error", error)) });
    this.#beacons.add(handle);
    return {
      send: handle.send,
      stop: () => {
        handle.stop();
        this.#beacons.delete(handle);
      },
    };
  }

  retryNow(): boolean {
    return this.#state === "reconnecting" && this.#loop.retryNow();
  }

  async close(): Promise<void> {
    const conn = this.#conn;
    this.#stop(new TransportError("closed", "client closed"), "client closed", false);
    await conn?.close(1000, "client closed");
  }

  async #dial(): Promise<void> {
    this.#setState({ state: "connecting", attempt: this.#loop.failures });
    const { url, connectTimeoutMs } = this.#options;
    let conn: Connection | undefined;
    try {
      const Impl: WebSocketConstructor = this.#options.WebSocket ?? WebSocketImpl;
      const caps = withDeltaCap(this.#options.caps, this.#options.presenceDelta !== false);
      const base = connectParams({ ...this.#options, caps, instanceId: this.instanceId, extra: this.#options.connectExtra }, this.binding);
      const headers = this.binding.upgradeHeaders?.(url, base);
      this.#feed.dialing();
      this.#earlyFailure = undefined;
      conn = await Connection.open(url, Impl, this.binding, this.#handlersFor(() => conn), connectTimeoutMs, headers);
      if (this.#closedForGood) return void conn.close(1000, "client closed");
      this.#conn = conn;
      // The refusal may come with the upgrade, before this continuation runs (and the close after it).
      if (this.#earlyFailure) throw this.#earlyFailure;
      const params = this.binding.prepareConnect ? await this.#prepareConnect(base, conn, Impl) : base;
      if (this.#earlyFailure) throw this.#earlyFailure;
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

  /** The binding's connect preparation, with its check for another binding beside it (handshake.ts). */
  async #prepareConnect(base: ConnectParams, conn: Connection, Impl: WebSocketConstructor): Promise<Record<string, unknown>> {
    const check = startBindingCheck(this.binding, this.#options, conn, Impl, (wrong) => (this.#earlyFailure ??= wrong));
    try {
      return await this.binding.prepareConnect!(base, conn);
    } finally {
      void check?.stop();
    }
  }

  #opened(conn: Connection, hello: HelloOk): void {
    const reconnected = this.#everOpened;
    this.#everOpened = true;
    this.#loop.opened();
    this.#hello = hello;
    conn.endHandshake(hello.policy?.maxPayload);
    const held = this.#feed.opened(hello);
    this.#requests.attach(conn.send);
    this.#watchdog.start(this.#options.tickTimeoutMs, hello);
    this.#setState({ state: "open", reconnected });
    this.#waiter?.resolve(hello);
    this.#waiter = null;
    for (const frame of held) if (!conn.consumedByHandshake(frame.payload)) this.#frame(frame);
    if (reconnected) {
      this.emit("reconnect", hello);
      Promise.resolve()
        .then(() => this.#options.onReconnect?.(hello))
        .catch((error: Error) => this.emit("error", error));
    }
  }

  #dialFailed(error: Error): void {
    this.#loop.failed();
    const fatal = isFatalConnectError(error) || isWrongBindingError(error) || !(error instanceof TransportError || error instanceof GatewayError);
    const mayRetry = !fatal && this.#loop.enabled && (this.#everOpened || this.#retryInitial);
    if (mayRetry && this.#loop.mayRetry) return this.#scheduleRetry(error.message, error);
    if (fatal) return this.#stop(error, `fatal: ${error.message}`, true);
    const gaveUp = mayRetry ? gaveUpAfter(this.#loop.failures, error.message) : error.message;
    // Not fatal and not retried: closed, but connect() may be called again.
    this.#stop(error, gaveUp, false, true);
  }

  #scheduleRetry(reason: string, error?: Error): void {
    const next = this.#loop.schedule(() => void this.#dial(), error);
    if (next) this.#setState({ state: "reconnecting", reason, error, ...next });
  }

  #socketClosed(conn: Connection, info: CloseInfo): void {
    if (conn !== this.#conn) return;
    this.#conn = null;
    this.#loop.closed();
    const reason = `connection closed (${info.code}${info.reason ? ` ${info.reason}` : ""})`;
    this.#watchdog.stop();
    this.presence.detach();
    this.#requests.detach(reason);
    // During the handshake the pending connect request rejects and #dial handles it.
    if (this.#state !== "open") return;
    if (!this.#loop.enabled) return this.#stop(new TransportError("closed", reason), reason, false, true);
    // A connection that closed before minUptimeMs was a failed attempt (#loop.closed() counted it).
    if (!this.#loop.mayRetry) {
      return this.#stop(new TransportError("closed", reason), gaveUpAfter(this.#loop.failures, reason), false, true);
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
    this.#closedForGood = reopenable ? undefined : reason;
    this.#loop.stop();
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
        if (wrong && !this.#requests.failSentTo("connect", wrong)) this.#earlyFailure ??= wrong;
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
        if (frame.id === null && this.#state !== "open") {
          // An error without id during the handshake (e.g. "handshake timeout") answers the connect;
          // before connect was sent (the gateway full: RATE_LIMITED as the socket opens), it ends the
          // attempt, which then says the gateway's error rather than "the socket is not open".
          if (this.#requests.failSentTo("connect", error)) return;
          this.#earlyFailure ??= error;
          this.#conn?.abortHandshake(error);
          return;
        }
        this.emit("error", error);
      }
      return;
    }
    if (this.#state !== "open") this.#feed.hold(frame);
    else this.#feed.route(frame);
  }

  #setState(change: StateChange): void {
    this.#state = change.state;
    if (change.state === "open") this.#lastFailure = undefined;
    else if (change.reason !== undefined && change.state !== "connecting") this.#lastFailure = change.reason;
    this.emit("state", change);
  }
}
