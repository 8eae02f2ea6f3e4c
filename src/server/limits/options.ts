/**
 * The gateway's connection limits (docs/security.md, "Limits and their defaults").
 *
 * Per address: how many sockets one client address may hold, how many of them may still be in their
 * handshake, how fast it may open new ones, and how failed `connect`s (a wrong token; a missing one
 * guesses nothing and is not counted) are slowed down and then locked out, as OpenClaw's
 * AUTH_RATE_LIMITED does. The address is the client's after trusted proxies (SPEC P5); loopback
 * counts like any other address (behind an SSH tunnel every client is 127.0.0.1: configure the limits
 * for that, see docs/security.md).
 *
 * Gateway-wide: the same counts over all addresses together (many hostile addresses at once), the
 * rate of new connections (connection-rate.ts: a token bucket checked at the HTTP upgrade), and
 * overload shedding (overload.ts): new connections refused while the event loop is saturated.
 */
import { checkTimerMs } from "../../protocol/durations.js";
import type { RateLimit } from "../core/rate-limiter.js";

export interface AuthFailureLimits {
  /** Failed connects from one address within `windowMs` that lock it out. Default 10. */
  maxFailures: number;
  /** The window failures are counted in, ms. Default 60000. Compared with timestamps (no timer): may exceed 24.8 days. */
  windowMs: number;
  /**
   * How long a locked-out address gets RATE_LIMITED for every connect, ms. Default 300000. Compared
   * with timestamps (no timer): may exceed 24.8 days, e.g. a lockout that lasts until the restart.
   */
  lockoutMs: number;
  /** Delay before the answer to the first failure, ms; doubles with each further one. Default 250. At most 2147483647 (a timer's longest wait). */
  delayMs: number;
  /** Largest delay, ms. Default 5000. At most 2147483647 (a timer's longest wait; more throws RangeError). */
  maxDelayMs: number;
}

export interface GatewayLimits {
  /** Open WebSocket connections from one address (handshaken or not). Default 512. */
  connectionsPerAddress: number;
  /** Connections from one address that have not completed `connect` yet. Default 32 (OpenClaw's pre-auth budget). */
  pendingHandshakesPerAddress: number;
  /**
   * TCP sockets from one address whose HTTP request (a WebSocket upgrade, a page request) has not
   * finished, slowloris included (unfinished-requests.ts). Default 64: above the pending handshakes,
   * so a burst of connects meets those first and is told so in its binding's frame.
   */
  unfinishedRequestsPerAddress: number;
  /** New connections from one address: a token bucket. Default burst 256, 64 per second. */
  handshakeRate: RateLimit;
  /** Failed `connect` authentication per address. */
  authFailures: AuthFailureLimits;
  /** Addresses tracked at once; idle ones are forgotten first. Default 10000. */
  maxTrackedAddresses: number;
  /**
   * Open WebSocket connections of the whole gateway, every address and listener together. Default
   * 16384 (keep it below the process's descriptor limit, `ulimit -n`). Over it: CONNECTION_LIMIT.
   */
  maxConnections: number;
  /** Connections of the whole gateway that have not completed `connect` yet. Default 2048. Over it: HANDSHAKE_LIMIT. */
  maxPendingHandshakes: number;
  /** TCP sockets of the whole gateway whose HTTP request has not finished. Default 4096. Over it: HTTP 429. */
  maxUnfinishedRequests: number;
  /** Overload shedding: new work refused while the event loop is saturated. */
  overload: OverloadLimits;
  /** New connections of the whole gateway, every address and listener together: a token bucket (connection-rate.ts). */
  connectionRate: ConnectionRateLimit;
}

/**
 * The gateway-wide rate of new connections: a token bucket (`burst` tokens, refilled at `perSecond`)
 * that every WebSocket upgrade request takes one token from, checked before `ws` reads its headers.
 * An upgrade that finds the bucket empty is answered HTTP 503 with `Retry-After` (whole seconds until
 * the next token, at least 1) and closed (`reason=CONNECTION_RATE`). Page requests (`/healthz`, the
 * Instances page) take no token. Defaults: 2000 per second, burst 10000 (docs/security.md says how
 * they were chosen).
 */
export interface ConnectionRateLimit {
  /** Limit the rate at all. Default true; false: every upgrade goes on to `ws` unchecked. */
  enabled: boolean;
  /** Refill rate, new connections per second (a number > 0, not necessarily whole). Default 2000. */
  perSecond: number;
  /** Bucket size: upgrades accepted back to back after a quiet spell (a number >= 1). Default 10000. */
  burst: number;
  /**
   * Refusals are logged at most once per this long, ms (1 to 2147483647, a timer's longest wait);
   * the refusals of an interval that were not logged are written in one line at its end. Default 10000.
   */
  logIntervalMs: number;
}

/**
 * When the gateway counts as saturated (overload.ts): the median event-loop delay of a window
 * (node:perf_hooks monitorEventLoopDelay, beyond its 10 ms sampling resolution) over
 * `maxEventLoopDelayMs` in two windows in a row (until a window under it). While saturated, new sockets get HTTP 503 and frames from connections that
 * have not completed `connect` get UNAVAILABLE (INTERNAL_ERROR over JSON-RPC), both with a retry hint
 * and closed; connected clients are served as before.
 */
export interface OverloadLimits {
  /** Shed at all. Default true; false turns the monitor off. */
  enabled: boolean;
  /** Median event-loop delay of a window above which the gateway sheds, ms. Default 50. */
  maxEventLoopDelayMs: number;
  /**
   * Share of a window the event loop was busy (0..1, node:perf_hooks eventLoopUtilization) above
   * which the gateway sheds as well. Default 1: never (a loop that is always busy but turns quickly
   * still answers its connected clients; see docs/security.md for when to lower it).
   */
  maxEventLoopUtilization: number;
  /** The window the delay is measured over, ms; the state changes at most once per window. Default 500. 50 to 2147483647 (a timer's period). */
  windowMs: number;
  /** The retry hint given to a shed client (`retryAfterMs`; `Retry-After` in whole seconds, at least 1), ms. Default 1000. A hint, no timer here (the SDK waits at most its reconnect.maxDelayMs). */
  retryAfterMs: number;
}

export type GatewayLimitsOptions = Partial<Omit<GatewayLimits, "handshakeRate" | "authFailures" | "overload" | "connectionRate">> & {
  handshakeRate?: Partial<RateLimit>;
  authFailures?: Partial<AuthFailureLimits>;
  overload?: Partial<OverloadLimits>;
  connectionRate?: Partial<ConnectionRateLimit>;
};

export const DEFAULT_LIMITS: GatewayLimits = {
  connectionsPerAddress: 512,
  pendingHandshakesPerAddress: 32,
  unfinishedRequestsPerAddress: 64,
  handshakeRate: { burst: 256, perSecond: 64 },
  authFailures: { maxFailures: 10, windowMs: 60_000, lockoutMs: 300_000, delayMs: 250, maxDelayMs: 5_000 },
  maxTrackedAddresses: 10_000,
  maxConnections: 16_384,
  maxPendingHandshakes: 2_048,
  maxUnfinishedRequests: 4_096,
  overload: { enabled: true, maxEventLoopDelayMs: 50, maxEventLoopUtilization: 1, windowMs: 500, retryAfterMs: 1_000 },
  connectionRate: { enabled: true, perSecond: 2_000, burst: 10_000, logIntervalMs: 10_000 },
};

/** The limits with defaults filled in; a bad value throws naming it (`limits.authFailures.windowMs ...`). */
export function resolveLimits(options: GatewayLimitsOptions = {}): GatewayLimits {
  if (options === null || typeof options !== "object") throw new TypeError("gateway: limits must be an object");
  // A misspelt key (lockoutMS) would otherwise leave its default in force without a word.
  unknownKeys("limits", options, DEFAULT_LIMITS);
  unknownKeys("limits.handshakeRate", options.handshakeRate, DEFAULT_LIMITS.handshakeRate);
  unknownKeys("limits.authFailures", options.authFailures, DEFAULT_LIMITS.authFailures);
  unknownKeys("limits.overload", options.overload, DEFAULT_LIMITS.overload);
  unknownKeys("limits.connectionRate", options.connectionRate, DEFAULT_LIMITS.connectionRate);
  const limits: GatewayLimits = {
    connectionsPerAddress: options.connectionsPerAddress ?? DEFAULT_LIMITS.connectionsPerAddress,
    pendingHandshakesPerAddress: options.pendingHandshakesPerAddress ?? DEFAULT_LIMITS.pendingHandshakesPerAddress,
    unfinishedRequestsPerAddress: options.unfinishedRequestsPerAddress ?? DEFAULT_LIMITS.unfinishedRequestsPerAddress,
    handshakeRate: { ...DEFAULT_LIMITS.handshakeRate, ...options.handshakeRate },
    authFailures: { ...DEFAULT_LIMITS.authFailures, ...options.authFailures },
    maxTrackedAddresses: options.maxTrackedAddresses ?? DEFAULT_LIMITS.maxTrackedAddresses,
    maxConnections: options.maxConnections ?? DEFAULT_LIMITS.maxConnections,
    maxPendingHandshakes: options.maxPendingHandshakes ?? DEFAULT_LIMITS.maxPendingHandshakes,
    maxUnfinishedRequests: options.maxUnfinishedRequests ?? DEFAULT_LIMITS.maxUnfinishedRequests,
    overload: { ...DEFAULT_LIMITS.overload, ...options.overload },
    connectionRate: { ...DEFAULT_LIMITS.connectionRate, ...options.connectionRate },
  };
  const check = (name: string, value: number, min: number, integer = true) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      // Number.MIN_VALUE is "any positive number": said as > 0, not >= 5e-324.
      const bound = min === Number.MIN_VALUE ? "> 0" : `>= ${min}`;
      throw new RangeError(`gateway: limits.${name} must be ${integer ? "an integer" : "a finite number"} ${bound}, got ${shown(value)}`);
    }
  };
  check("connectionsPerAddress", limits.connectionsPerAddress, 1);
  check("pendingHandshakesPerAddress", limits.pendingHandshakesPerAddress, 1);
  check("unfinishedRequestsPerAddress", limits.unfinishedRequestsPerAddress, 1);
  check("handshakeRate.burst", limits.handshakeRate.burst, 1, false);
  check("handshakeRate.perSecond", limits.handshakeRate.perSecond, Number.MIN_VALUE, false);
  check("maxTrackedAddresses", limits.maxTrackedAddresses, 1);
  const a = limits.authFailures;
  check("authFailures.maxFailures", a.maxFailures, 1);
  check("authFailures.windowMs", a.windowMs, 0);
  check("authFailures.lockoutMs", a.lockoutMs, 0);
  check("authFailures.delayMs", a.delayMs, 0);
  check("authFailures.maxDelayMs", a.maxDelayMs, a.delayMs);
  timerMs("authFailures.maxDelayMs", a.maxDelayMs);
  check("maxConnections", limits.maxConnections, 1);
  check("maxPendingHandshakes", limits.maxPendingHandshakes, 1);
  check("maxUnfinishedRequests", limits.maxUnfinishedRequests, 1);
  const o = limits.overload;
  if (typeof o.enabled !== "boolean") throw new TypeError(`gateway: limits.overload.enabled must be true or false, got ${shown(o.enabled)}`);
  check("overload.maxEventLoopDelayMs", o.maxEventLoopDelayMs, 1, false);
  check("overload.maxEventLoopUtilization", o.maxEventLoopUtilization, Number.MIN_VALUE, false);
  if (o.maxEventLoopUtilization > 1) throw new RangeError(`gateway: limits.overload.maxEventLoopUtilization must be at most 1, got ${o.maxEventLoopUtilization}`);
  check("overload.windowMs", o.windowMs, 50);
  timerMs("overload.windowMs", o.windowMs);
  check("overload.retryAfterMs", o.retryAfterMs, 0);
  const r = limits.connectionRate;
  if (typeof r.enabled !== "boolean") throw new TypeError(`gateway: limits.connectionRate.enabled must be true or false, got ${shown(r.enabled)}`);
  check("connectionRate.perSecond", r.perSecond, Number.MIN_VALUE, false);
  check("connectionRate.burst", r.burst, 1, false);
  check("connectionRate.logIntervalMs", r.logIntervalMs, 1);
  timerMs("connectionRate.logIntervalMs", r.logIntervalMs);
  return limits;
}

/** A timer's delay or period: at most MAX_TIMER_MS (src/protocol/durations.ts), said with the option's name. */
function timerMs(name: string, value: number): void {
  checkTimerMs(`gateway: limits.${name}`, value);
}

/** A bad value as the JSON said it: the string "10" quoted, so it does not read as the number 10. */
function shown(value: unknown): string {
  return typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
}

function unknownKeys(name: string, given: object | undefined, known: object): void {
  if (given === undefined) return;
  if (given === null || typeof given !== "object" || Array.isArray(given)) throw new TypeError(`gateway: ${name} must be an object`);
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(known, key));
  if (unknown.length > 0) {
    throw new RangeError(`gateway: unknown ${name} ${unknown.length === 1 ? "key" : "keys"} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; known: ${Object.keys(known).join(", ")}`);
  }
}
