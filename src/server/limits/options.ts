/**
 * Per-address limits of the gateway: how many sockets one client address may hold, how many of them
 * may still be in their handshake, how fast it may open new ones, and how failed `connect`s (a wrong
 * token; a missing one guesses nothing and is not counted) are slowed down and then locked out, as
 * OpenClaw's AUTH_RATE_LIMITED does. The
 * address is the client's after trusted proxies (SPEC P5); loopback counts like any other address
 * (behind an SSH tunnel every client is 127.0.0.1: configure the limits for that, see docs/security.md).
 */
import type { RateLimit } from "../core/rate-limiter.js";

export interface AuthFailureLimits {
  /** Failed connects from one address within `windowMs` that lock it out. Default 10. */
  maxFailures: number;
  /** The window failures are counted in, ms. Default 60000. */
  windowMs: number;
  /** How long a locked-out address gets RATE_LIMITED for every connect, ms. Default 300000. */
  lockoutMs: number;
  /** Delay before the answer to the first failure, ms; doubles with each further one. Default 250. */
  delayMs: number;
  /** Largest delay, ms. Default 5000. */
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
}

export type GatewayLimitsOptions = Partial<Omit<GatewayLimits, "handshakeRate" | "authFailures">> & {
  handshakeRate?: Partial<RateLimit>;
  authFailures?: Partial<AuthFailureLimits>;
};

export const DEFAULT_LIMITS: GatewayLimits = {
  connectionsPerAddress: 512,
  pendingHandshakesPerAddress: 32,
  unfinishedRequestsPerAddress: 64,
  handshakeRate: { burst: 256, perSecond: 64 },
  authFailures: { maxFailures: 10, windowMs: 60_000, lockoutMs: 300_000, delayMs: 250, maxDelayMs: 5_000 },
  maxTrackedAddresses: 10_000,
};

/** The limits with defaults filled in; a bad value throws naming it (`limits.authFailures.windowMs ...`). */
export function resolveLimits(options: GatewayLimitsOptions = {}): GatewayLimits {
  if (options === null || typeof options !== "object") throw new TypeError("gateway: limits must be an object");
  // A misspelt key (lockoutMS) would otherwise leave its default in force without a word.
  unknownKeys("limits", options, DEFAULT_LIMITS);
  unknownKeys("limits.handshakeRate", options.handshakeRate, DEFAULT_LIMITS.handshakeRate);
  unknownKeys("limits.authFailures", options.authFailures, DEFAULT_LIMITS.authFailures);
  const limits: GatewayLimits = {
    connectionsPerAddress: options.connectionsPerAddress ?? DEFAULT_LIMITS.connectionsPerAddress,
    pendingHandshakesPerAddress: options.pendingHandshakesPerAddress ?? DEFAULT_LIMITS.pendingHandshakesPerAddress,
    unfinishedRequestsPerAddress: options.unfinishedRequestsPerAddress ?? DEFAULT_LIMITS.unfinishedRequestsPerAddress,
    handshakeRate: { ...DEFAULT_LIMITS.handshakeRate, ...options.handshakeRate },
    authFailures: { ...DEFAULT_LIMITS.authFailures, ...options.authFailures },
    maxTrackedAddresses: options.maxTrackedAddresses ?? DEFAULT_LIMITS.maxTrackedAddresses,
  };
  const check = (name: string, value: number, min: number, integer = true) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new RangeError(`gateway: limits.${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got ${String(value)}`);
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
  return limits;
}

function unknownKeys(name: string, given: object | undefined, known: object): void {
  if (given === undefined) return;
  if (given === null || typeof given !== "object" || Array.isArray(given)) throw new TypeError(`gateway: ${name} must be an object`);
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(known, key));
  if (unknown.length > 0) {
    throw new RangeError(`gateway: unknown ${name} ${unknown.length === 1 ? "key" : "keys"} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; known: ${Object.keys(known).join(", ")}`);
  }
}
