/** createGateway's options, their defaults and checks (listeners: listener-options.ts). */
import { createRedisPresenceStore, type RedisPresenceStoreOptions } from "../presence/redis/index.js";
import type { PresenceStore, PresenceStoreOptions } from "../presence/types.js";
import { checkTimerMs } from "../protocol/durations.js";
import type { BindingName } from "../transport/binding.js";
import { DEFAULT_RATE_LIMIT, type RateLimit } from "./core/rate-limiter.js";
import { isLoopbackAddress } from "./core/remote-address.js";
import type { GatewayFaults } from "./faults.js";
import { normalizeOrigin } from "./http/origin-check.js";
import { DEFAULT_WEB_ROOT } from "./http/page-assets.js";
import { DEFAULT_LISTENER, resolveListeners, type ListenerOptions, type ResolvedListener } from "./listener-options.js";
import { resolveLimits, type GatewayLimits, type GatewayLimitsOptions } from "./limits/options.js";

export { BINDING_NAMES, type ListenerOptions, type ResolvedListener } from "./listener-options.js";

export type StoreFactory = (options: PresenceStoreOptions) => PresenceStore;

/** Where the cluster's shared list lives (docs/cluster.md); the rest comes from the gateway's options. */
export type RedisGatewayOptions = Omit<RedisPresenceStoreOptions, keyof PresenceStoreOptions>;

export interface GatewayOptions {
  /** Address to listen on (the single listener's; see `listeners`). Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 18789. */
  port?: number;
  /** Wire binding of the single listener (SPEC T2). Default `jsonrpc`. */
  binding?: BindingName;
  /**
   * Several listeners over one store, e.g. jsonrpc on one port and openclaw on another; replaces
   * `port` and `binding` (`host` is the default host of a listener without one). Every client sees
   * every row, whichever binding it speaks.
   */
  listeners?: ListenerOptions[];
  /** Shared secret clients send as `auth.token` (SPEC H5). */
  token?: string;
  /** Allow a non-loopback host without a token (SPEC H5). Default false. */
  insecureNoAuth?: boolean;
  /**
   * Row lifetime (SPEC S1), in ms. Default 300000. Compared with timestamps, never a timer's delay:
   * any integer >= 1, also beyond 2147483647 (24.8 days) for rows that practically never expire (the
   * keep-alive and sweep periods derived from it stay short).
   */
  ttlMs?: number;
  /** Most rows, self included (SPEC S2). Default 200. */
  maxEntries?: number;
  /** Client modes never recorded (SPEC P3). Default `["cli"]`. */
  ephemeralModes?: string[];
  /** `tick` event period (SPEC E3), in ms: 1 to 2147483647 (a timer's longest wait; more throws RangeError). Default 15000. */
  tickIntervalMs?: number;
  /** Time allowed for `connect` (SPEC H1), in ms: 1 to 2147483647 (a timer's longest wait; more throws RangeError). Default 10000. */
  handshakeTimeoutMs?: number;
  /** Largest accepted frame in bytes (SPEC B3). Default 524288 (512 KiB). */
  maxPayload?: number;
  /** Send-buffer size past which a client misses pushes (SPEC E2). Default 1048576 (1 MiB). */
  maxBufferedBytes?: number;
  /**
   * Reader closed (1008 "slow consumer") after its send buffer stayed over maxBufferedBytes this
   * long, in ms (issue 14: stalled watchers): 1 to 2147483647 (a timer's; more throws RangeError). Default 10000.
   */
  slowConsumerTimeoutMs?: number;
  /**
   * Ceiling on presence push bytes per second, all readers together (issue 11): rounds are spaced so
   * that over any T seconds at most this x (1 + T) bytes plus one round go out; under load a round
   * coalesces every change since the last. Default 67108864 (64 MiB/s).
   */
  pushBytesPerSecond?: number;
  /**
   * Under load, push rounds are at least this far apart, in ms (a change after a quieter spell is
   * pushed at the end of its event-loop turn); every change in between is coalesced. 0 to
   * 2147483647 (a timer's longest wait; more throws RangeError). Default 50.
   */
  pushIntervalMs?: number;
  /** `system-event` token bucket per connection (SPEC B2). Default burst 50, 20 per second. */
  rateLimit?: Partial<RateLimit>;
  /** WebSocket ping period, in ms (a peer that misses a pong is dropped): 1 to 2147483647, else RangeError. Default min(30000, ttlMs / 4). */
  keepAliveIntervalMs?: number;
  /** Test mode: offers `test.clock.advance` (SPEC S3). Default false. */
  testClock?: boolean;
  /** Peers (addresses or CIDR subnets) whose `X-Forwarded-For` is believed (SPEC P5). Default none. */
  trustedProxies?: string[];
  /**
   * Browser origins (`https://presence.example.com`) whose pages may open a WebSocket, besides the
   * gateway's own origin; any other `Origin` is refused with 403 before the handshake. Default none.
   */
  allowOrigins?: string[];
  /** Folder of the built Instances page served on `/`. Default: the package's `dist/web/`; `false`: no page (HTTP answers 426). */
  webRoot?: string | false;
  /**
   * Per-address limits (open connections, unfinished handshakes, new connections per second, failed
   * `connect`s), gateway-wide ones (the same counts, `connectionRate`: new connections per second),
   * overload shedding. Defaults in `DEFAULT_LIMITS`; see docs/security.md. A bad value: RangeError.
   */
  limits?: GatewayLimitsOptions;
  /**
   * A store to use instead of the in-memory one, or a factory given the gateway's clock, TTL, cap and
   * ephemeral modes (needed for test mode's clock). The gateway closes it on close().
   */
  store?: PresenceStore | StoreFactory;
  /**
   * Share one presence list with every gateway on this Redis and prefix (a cluster, docs/cluster.md):
   * `{ url | client, prefix?, gatewayId?, deadAfterMs?, commandTimeoutMs? }`. Not together with `store`.
   */
  redis?: RedisGatewayOptions;
  /** Receives one line per connect, disconnect and rejection. Default: no logging. */
  logger?: (line: string) => void;
  /** TEST ONLY, never in production: deliberate contract violations (see faults.ts). */
  faults?: GatewayFaults;
}

export interface ResolvedGatewayOptions {
  /** At least one. */
  listeners: ResolvedListener[];
  /** The first listener's host and port. */
  host: string;
  port: number;
  token: string | undefined;
  ttlMs: number;
  maxEntries: number;
  ephemeralModes: string[];
  tickIntervalMs: number;
  handshakeTimeoutMs: number;
  maxPayload: number;
  maxBufferedBytes: number;
  slowConsumerTimeoutMs: number;
  pushBytesPerSecond: number;
  pushIntervalMs: number;
  rateLimit: RateLimit;
  keepAliveIntervalMs: number;
  testClock: boolean;
  trustedProxies: string[];
  allowOrigins: string[];
  webRoot: string | false;
  limits: GatewayLimits;
  store: PresenceStore | StoreFactory | undefined;
  logger: (line: string) => void;
  faults: GatewayFaults;
}

export const GATEWAY_DEFAULTS = {
  host: DEFAULT_LISTENER.host,
  port: DEFAULT_LISTENER.port,
  ttlMs: 300_000,
  maxEntries: 200,
  ephemeralModes: ["cli"],
  tickIntervalMs: 15_000,
  handshakeTimeoutMs: 10_000,
  maxPayload: 512 * 1024,
  maxBufferedBytes: 1024 * 1024,
  slowConsumerTimeoutMs: 10_000,
  pushBytesPerSecond: 64 * 1024 * 1024,
  pushIntervalMs: 50,
} as const;

/**
 * createGateway refused a listener on a non-loopback `host` without a token (SPEC H5). The message
 * names the options (`token`, `insecureNoAuth`); a command line says its own flags instead.
 */
export class InsecureListenerError extends Error {
  constructor(readonly host: string) {
    super(`gateway: refusing to listen on non-loopback host ${host} without a token (SPEC H5); give one with the token option, or set insecureNoAuth: true to accept anyone`);
    this.name = "InsecureListenerError";
  }
}

export function resolveGatewayOptions(options: GatewayOptions = {}): ResolvedGatewayOptions {
  const token = options.token;
  if (token !== undefined && (typeof token !== "string" || token.length === 0)) {
    throw new TypeError("gateway: token must be a non-empty string when given");
  }
  const listeners = resolveListeners(options);
  for (const { host } of listeners) {
    if (token === undefined && !isLoopbackAddress(host) && options.insecureNoAuth !== true) {
      throw new InsecureListenerError(host);
    }
  }
  const ttlMs = positiveInt("ttlMs", options.ttlMs, GATEWAY_DEFAULTS.ttlMs);
  const rateLimit = { ...DEFAULT_RATE_LIMIT, ...options.rateLimit };
  positiveNumber("rateLimit.burst", rateLimit.burst);
  positiveNumber("rateLimit.perSecond", rateLimit.perSecond);
  const ephemeralModes = options.ephemeralModes ?? [...GATEWAY_DEFAULTS.ephemeralModes];
  if (!Array.isArray(ephemeralModes) || ephemeralModes.some((m) => typeof m !== "string" || !m.trim())) {
    throw new TypeError("gateway: ephemeralModes must be an array of non-empty strings");
  }
  if (options.redis !== undefined && options.store !== undefined) throw new TypeError("gateway: give either store or redis, not both");
  const trustedProxies = options.trustedProxies ?? [];
  if (!Array.isArray(trustedProxies)) throw new TypeError("gateway: trustedProxies must be an array of addresses");
  if (options.allowOrigins !== undefined && !Array.isArray(options.allowOrigins)) {
    throw new TypeError("gateway: allowOrigins must be an array of origins");
  }
  const allowOrigins = (options.allowOrigins ?? []).map((origin) => {
    try {
      return normalizeOrigin(origin);
    } catch (error) {
      throw new TypeError(`gateway: allowOrigins: ${(error as Error).message}`);
    }
  });
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  if (webRoot !== false && (typeof webRoot !== "string" || webRoot === "")) throw new TypeError("gateway: webRoot must be a folder path or false");
  return {
    listeners,
    host: listeners[0]!.host,
    port: listeners[0]!.port,
    token,
    ttlMs,
    maxEntries: positiveInt("maxEntries", options.maxEntries, GATEWAY_DEFAULTS.maxEntries),
    ephemeralModes,
    tickIntervalMs: timerMs("tickIntervalMs", positiveInt("tickIntervalMs", options.tickIntervalMs, GATEWAY_DEFAULTS.tickIntervalMs)),
    handshakeTimeoutMs: timerMs("handshakeTimeoutMs", positiveInt("handshakeTimeoutMs", options.handshakeTimeoutMs, GATEWAY_DEFAULTS.handshakeTimeoutMs)),
    maxPayload: positiveInt("maxPayload", options.maxPayload, GATEWAY_DEFAULTS.maxPayload),
    maxBufferedBytes: nonNegativeInt("maxBufferedBytes", options.maxBufferedBytes, GATEWAY_DEFAULTS.maxBufferedBytes),
    slowConsumerTimeoutMs: timerMs("slowConsumerTimeoutMs", positiveInt("slowConsumerTimeoutMs", options.slowConsumerTimeoutMs, GATEWAY_DEFAULTS.slowConsumerTimeoutMs)),
    pushBytesPerSecond: positiveInt("pushBytesPerSecond", options.pushBytesPerSecond, GATEWAY_DEFAULTS.pushBytesPerSecond),
    pushIntervalMs: timerMs("pushIntervalMs", nonNegativeInt("pushIntervalMs", options.pushIntervalMs, GATEWAY_DEFAULTS.pushIntervalMs)),
    rateLimit,
    keepAliveIntervalMs: timerMs(
      "keepAliveIntervalMs",
      positiveInt("keepAliveIntervalMs", options.keepAliveIntervalMs, Math.max(10, Math.min(30_000, Math.floor(ttlMs / 4)))),
    ),
    testClock: options.testClock === true,
    trustedProxies,
    allowOrigins,
    webRoot,
    limits: resolveLimits(options.limits),
    store: options.redis === undefined ? options.store : redisStore(options.redis),
    logger: options.logger ?? (() => {}),
    faults: options.faults ?? {},
  };
}

function redisStore(redis: RedisGatewayOptions): StoreFactory {
  if (redis === null || typeof redis !== "object") throw new TypeError("gateway: redis must be an object with url or client");
  return (storeOptions) => createRedisPresenceStore({ ...redis, ...storeOptions });
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`gateway: ${name} must be an integer >= 1, got ${String(value)}`);
  return v;
}

/** A timer's delay: at most MAX_TIMER_MS (src/protocol/durations.ts), said with the option's name. */
function timerMs(name: string, value: number): number {
  return checkTimerMs(`gateway: ${name}`, value);
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`gateway: ${name} must be an integer >= 0, got ${String(value)}`);
  return v;
}

function positiveNumber(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`gateway: ${name} must be a finite number > 0, got ${String(value)}`);
  }
}
