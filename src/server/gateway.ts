/** createGateway: the reference gateway, assembled: one core and store, one listener per binding. */
import { createMemoryPresenceStore } from "../presence/memory-store.js";
import type { PresenceStore, PresenceStoreOptions, PresenceStoreStatus } from "../presence/types.js";
import type { BindingName } from "../transport/binding.js";
import { SERVER_BINDINGS } from "./bindings/index.js";
import type { ServerBinding } from "./core/binding.js";
import type { Connection } from "./core/connection.js";
import { createContext, type GatewayMetrics } from "./core/context.js";
import { createGatewayClock, type GatewayClock } from "./core/gateway-clock.js";
import { startKeepAlive } from "./core/keep-alive.js";
import { createMethodTable, offeredMethods } from "./core/methods.js";
import { Pusher } from "./core/fanout/push.js";
import { TrustedProxies } from "./core/remote-address.js";
import { selfFields } from "./core/self-row.js";
import { activeFaults } from "./faults.js";
import { createGatewayHttp } from "./http/gateway-http.js";
import { startListener, type Listener } from "./listener.js";
import { UnfinishedRequests } from "./limits/unfinished-requests.js";
import { ConnectionRate } from "./limits/connection-rate.js";
import { resolveGatewayOptions, type GatewayOptions } from "./options.js";

export interface GatewayListener {
  readonly binding: BindingName;
  /** `ws://host:port`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

export interface Gateway {
  /** `ws://host:port` of the first listener. */
  readonly url: string;
  readonly host: string;
  /** The port actually listened on (useful with port 0), of the first listener. */
  readonly port: number;
  /** Every listener, in the order given, each with its binding. */
  readonly listeners: readonly GatewayListener[];
  readonly store: PresenceStore;
  /** The gateway's clock (real time plus `test.clock.advance` in test mode). */
  readonly clock: GatewayClock;
  /** The latest `stateVersion.presence` pushed (SPEC E1): one step per push. */
  stateVersion(): number;
  /**
   * Counters: pushes sent and dropped, push rounds and bytes, snapshots and frames encoded, ticks,
   * rate-limited calls, rejections (limit and overload refusals among them, and of the limit refusals
   * the upgrades refused over the gateway's new-connection rate); whether the gateway is
   * overloaded now and its event-loop delay in the last window (ms, limits/overload.ts; 0 when
   * shedding is off); and the store's health
   * (`store.healthy` is false while a cluster's Redis is out of reach and the gateway serves locally).
   */
  metrics(): GatewayMetrics & { connections: number; overloaded: boolean; eventLoopDelayMs: number; eventLoopUtilization: number; store: PresenceStoreStatus };
  /** Stops accepting, closes clients with 1001, clears every timer, closes the store. */
  close(): Promise<void>;
}

/** What a log line must not carry from a client: C0 and C1 controls, DEL, line and paragraph separators, bidi controls. */
const LOG_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

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
      log: (line) => opts.logger(line),
    };
  }
  // In a cluster every gateway has a self row (SPEC P1); its instanceId tells them apart.
  const { shared, gatewayId } = store.status();
  await store.setSelf({ ...selfFields(), ...(shared && gatewayId ? { instanceId: gatewayId } : {}) });

  const gw = createContext({
    options: opts,
    store,
    clock,
    startedAt: performance.now(),
    methods: offeredMethods(opts.testClock),
    // Client-supplied ids land in log lines: control characters (a forged newline), the other line
    // breaks (NEL, U+2028/2029), C1 controls (a terminal's CSI) and bidi overrides (text that reads
    // otherwise than it is) are flattened. Without a logger, nothing to clean.
    log: options.logger === undefined ? () => {} : (line) => opts.logger(line.replace(LOG_UNSAFE, " ")),
  });
  const faults = activeFaults(opts.faults);
  if (faults.length > 0) gw.log(`warning TEST-ONLY faults active (never use in production): ${faults.join(", ")}`);

  const methods = createMethodTable(gw);
  const bindings = new Map<BindingName, ServerBinding>();
  const bindingFor = (name: BindingName): ServerBinding => {
    let binding = bindings.get(name);
    if (binding === undefined) {
      bindings.set(name, (binding = SERVER_BINDINGS[name](gw, methods)));
    }
    return binding;
  };

  const pusher = new Pusher(gw);
  // Every change, local or (on a cluster) made by another gateway, goes through the same coalesced
  // push: presenceChanged() invalidates the snapshot cache and schedules one round (issue 11).
  const unsubscribe = store.onChange(() => pusher.presenceChanged());
  // A keep-alive refresh on another gateway of a cluster (P7) changes no row but their ts: the cached
  // listing goes (this gateway's own refreshes do the same in keep-alive.ts), and nothing is pushed.
  const unsubscribeRefresh = store.onRefresh?.(() => gw.snapshots.invalidate()) ?? (() => {});
  gw.presenceChanged = () => pusher.presenceChanged();
  const stopKeepAlive = startKeepAlive(gw);
  gw.overload.start();
  const tickTimer = setInterval(() => pusher.tick(), opts.tickIntervalMs);
  let closing = false;

  const listeners: Listener[] = [];
  const listening = { trusted, unfinished: new UnfinishedRequests(gw, trusted), connectionRate: new ConnectionRate(gw), isClosing: () => closing };
  try {
    // Every listener serves the Instances page and checks the Origin of upgrades (src/server/http).
    const pageHttp = await createGatewayHttp(gw, () => listeners.map((l) => ({ binding: l.binding.name, port: l.port })));
    for (const spec of opts.listeners) {
      const http = pageHttp.forListener(spec.binding);
      listeners.push(await startListener(gw, { ...spec, binding: bindingFor(spec.binding), http }, listening));
    }
  } catch (error) {
    clearInterval(tickTimer);
    stopKeepAlive();
    gw.overload.stop();
    listening.connectionRate.close();
    pusher.stop();
    unsubscribe();
    unsubscribeRefresh();
    await Promise.all(listeners.map((l) => l.close()));
    await store.close();
    throw error;
  }

  let closePromise: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    closing = true;
    clearInterval(tickTimer);
    stopKeepAlive();
    gw.overload.stop();
    pusher.stop();
    for (const listener of listeners) listener.stopAccepting();
    listening.connectionRate.close();
    gw.limits.logs.close(); // counts of rejection lines left out, still pending
    const open = [...gw.registry.all];
    for (const conn of open) {
      clearTimeout(conn.handshakeTimer);
      conn.ws.close(1001, "gateway shutting down");
    }
    const allClosed = Promise.all(open.map(socketClosed));
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, CLOSE_GRACE_MS)));
    await Promise.race([allClosed, grace]);
    clearTimeout(graceTimer);
    for (const conn of open) conn.ws.terminate();
    await allClosed;
    await Promise.all(open.map((conn) => conn.queue));
    await Promise.all(listeners.map((l) => l.close()));
    unsubscribe();
    unsubscribeRefresh();
    pusher.stop();
    await store.close();
  }

  const first = listeners[0]!;
  return {
    url: first.url,
    host: first.host,
    port: first.port,
    listeners: listeners.map((l) => ({ binding: l.binding.name, url: l.url, host: l.host, port: l.port })),
    store,
    clock,
    stateVersion: () => gw.published.version,
    metrics: () => ({ ...gw.metrics, connections: gw.registry.all.size, overloaded: gw.overload.overloaded, eventLoopDelayMs: gw.overload.delayMs, eventLoopUtilization: gw.overload.utilization, store: store.status() }),
    close: () => (closePromise ??= shutdown()),
  };
}

function socketClosed(conn: Connection): Promise<void> {
  const { ws } = conn;
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => ws.once("close", () => resolve()));
}
