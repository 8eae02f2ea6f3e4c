/**
 * The connection limits (limits/options.ts) at run time: one small record per client address, at
 * most `maxTrackedAddresses` of them (the least recently seen idle ones are forgotten first), and the
 * gateway-wide totals of the same counts (`maxConnections`, `maxPendingHandshakes`), which many
 * addresses together meet. Time is monotonic (performance.now), never the gateway's test clock.
 */
import { ipv6Groups, normalizeAddress } from "../../presence/addresses.js";
import { TokenBucket } from "../core/rate-limiter.js";
import { LogThrottle } from "./log-throttle.js";
import type { GatewayLimits } from "./options.js";

interface AddressState {
  /** Admitted sockets not yet closed. */
  open: number;
  /** Of those, the ones whose `connect` has not succeeded yet. */
  pending: number;
  /** New connections (SPEC-independent flood limit). */
  handshakes: TokenBucket;
  /** Times of failed connects within the window, oldest first. */
  failures: number[];
  /** Locked out until this time (0: not locked). */
  lockedUntil: number;
}

/** Why a new connection is refused (a log reason, a message for the client, when to retry). */
export interface Refusal {
  reason: "CONNECTION_LIMIT" | "HANDSHAKE_LIMIT" | "HANDSHAKE_RATE" | "GATEWAY_CONNECTION_LIMIT" | "GATEWAY_HANDSHAKE_LIMIT" | "CONNECTION_RATE" | "OVERLOADED";
  message: string;
  retryAfterMs: number;
}

/**
 * The line for rejection lines left out in a minute: the throttle's key is `REASON ADDRESS` (overload
 * changes: `OVERLOAD gateway`).
 */
export function leftOutLine(key: string, count: number): string {
  const [reason, address] = key.split(" ", 2);
  if (reason === "OVERLOAD") return `overload: ${count} more change${count === 1 ? "" : "s"} on and off not logged in the last minute`;
  return `reject reason=${reason} address=${address}: ${count} more like it from this address not logged in the last minute`;
}

/** A refused connection's suggested wait when no timer says better (a slot frees when a socket closes). */
const SLOT_RETRY_MS = 1_000;

/**
 * The key an address's budget is kept under: an IPv4 address itself (written as IPv4-mapped IPv6 in
 * any form, `::ffff:192.0.2.1` or `::ffff:c000:201`, its IPv4 address: normalizeAddress), an IPv6
 * address's /64 prefix (`2001:db8:0:7::/64`; `::1` itself). One subscriber, one host even, commonly
 * holds a whole /64, so per address each of its 2^64 addresses had a budget of its own: a lockout
 * after 10 wrong tokens locked out one address of them, and the next guess came from the next (rate
 * limiters commonly count IPv6 per /64 for this reason). Clients that share a /64 (one LAN) share its
 * budget. A mapped address in hex was such an IPv6 address: every IPv4 client written so shared the
 * budget of `0:0:0:0::/64`, and none shared its own IPv4 address's.
 */
export function budgetKey(address: string | undefined): string {
  if (address === undefined) return "unknown";
  const normal = normalizeAddress(address);
  const groups = normal === "::1" ? undefined : ipv6Groups(normal);
  if (!groups) return normal;
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(":")}::/64`;
}

export class AddressLimits {
  readonly #table = new Map<string, AddressState>();
  readonly #tickets = new WeakMap<object, { key: string; pending: boolean }>();
  /** Admitted sockets of the whole gateway not yet closed, and of those the ones not yet `connect`ed. */
  #open = 0;
  #pending = 0;
  /** Rejection log lines per reason and address (a flood from one address does not fill the log). */
  readonly logs: LogThrottle;

  constructor(
    readonly limits: GatewayLimits,
    private readonly now: () => number = () => performance.now(),
    /** Where the counts of rejection lines left out go once their minute is over (docs/security.md). */
    log?: (line: string) => void,
  ) {
    this.logs = new LogThrottle(10, 60_000, limits.maxTrackedAddresses, now, log && ((key, count) => log(leftOutLine(key, count))));
  }

  /** Addresses currently tracked. */
  get size(): number {
    return this.#table.size;
  }

  /** Admitted sockets of the whole gateway not yet closed, and of those the ones not yet `connect`ed. */
  get totals(): { open: number; pending: number } {
    return { open: this.#open, pending: this.#pending };
  }

  /**
   * A new socket from `address`: counted, or refused (over its address's open or pending limit, the
   * gateway's, or its address's rate). The address's own limits are checked first, so a single
   * flooding address is told about its own budget.
   */
  admit(conn: object, address: string | undefined): Refusal | undefined {
    const key = budgetKey(address);
    const state = this.#state(key);
    const { connectionsPerAddress, pendingHandshakesPerAddress } = this.limits;
    if (state.open >= connectionsPerAddress) {
      return { reason: "CONNECTION_LIMIT", message: `too many connections from ${key} (at most ${connectionsPerAddress} open)`, retryAfterMs: SLOT_RETRY_MS };
    }
    if (state.pending >= pendingHandshakesPerAddress) {
      return { reason: "HANDSHAKE_LIMIT", message: `too many unfinished handshakes from ${key} (at most ${pendingHandshakesPerAddress})`, retryAfterMs: SLOT_RETRY_MS };
    }
    const { maxConnections, maxPendingHandshakes } = this.limits;
    if (this.#open >= maxConnections) {
      return { reason: "GATEWAY_CONNECTION_LIMIT", message: `the gateway is full (at most ${maxConnections} open connection${maxConnections === 1 ? "" : "s"})`, retryAfterMs: SLOT_RETRY_MS };
    }
    if (this.#pending >= maxPendingHandshakes) {
      return { reason: "GATEWAY_HANDSHAKE_LIMIT", message: `too many unfinished handshakes on the gateway (at most ${maxPendingHandshakes})`, retryAfterMs: SLOT_RETRY_MS };
    }
    const taken = state.handshakes.take();
    if (!taken.ok) {
      const { burst, perSecond } = this.limits.handshakeRate;
      return { reason: "HANDSHAKE_RATE", message: `too many new connections from ${key} (burst ${burst}, ${perSecond} per second)`, retryAfterMs: taken.retryAfterMs };
    }
    state.open++;
    state.pending++;
    this.#open++;
    this.#pending++;
    this.#tickets.set(conn, { key, pending: true });
    return undefined;
  }

  /** The connection's `connect` succeeded: it no longer counts as a pending handshake. */
  handshaken(conn: object): void {
    const ticket = this.#tickets.get(conn);
    if (!ticket?.pending) return;
    ticket.pending = false;
    this.#pending--;
    const state = this.#table.get(ticket.key);
    if (state) state.pending--;
  }

  /** An admitted socket closed. */
  release(conn: object): void {
    const ticket = this.#tickets.get(conn);
    if (!ticket) return;
    this.#tickets.delete(conn);
    this.#open--;
    if (ticket.pending) this.#pending--;
    const state = this.#table.get(ticket.key);
    if (!state) return;
    state.open--;
    if (ticket.pending) state.pending--;
  }

  /** ms until `address` may try to authenticate again, or undefined when it is not locked out. */
  lockedFor(address: string | undefined): number | undefined {
    const state = this.#table.get(budgetKey(address));
    if (!state || state.lockedUntil === 0) return undefined;
    const left = state.lockedUntil - this.now();
    if (left > 0) return Math.ceil(left);
    state.lockedUntil = 0;
    state.failures = [];
    return undefined;
  }

  /** A failed connect from `address`: the delay before its answer, and whether it is now locked out. */
  authFailed(address: string | undefined): { delayMs: number; locked: boolean } {
    const { maxFailures, windowMs, lockoutMs, delayMs, maxDelayMs } = this.limits.authFailures;
    const state = this.#state(budgetKey(address));
    const now = this.now();
    state.failures = state.failures.filter((t) => now - t < windowMs);
    state.failures.push(now);
    const n = state.failures.length;
    const locked = n >= maxFailures;
    if (locked) state.lockedUntil = now + lockoutMs;
    if (state.failures.length > maxFailures) state.failures.splice(0, state.failures.length - maxFailures);
    return { delayMs: Math.min(maxDelayMs, delayMs * 2 ** Math.min(n - 1, 30)), locked };
  }

  /** A successful connect forgives the address's earlier failures (as OpenClaw's limiter does). */
  authSucceeded(address: string | undefined): void {
    const state = this.#table.get(budgetKey(address));
    if (state) state.failures = [];
  }

  /** The record of `key`, created (and the table kept within its size) when new; moved to the back when seen. */
  #state(key: string): AddressState {
    let state = this.#table.get(key);
    if (state) {
      this.#table.delete(key);
      this.#table.set(key, state);
      return state;
    }
    state = { open: 0, pending: 0, handshakes: new TokenBucket(this.limits.handshakeRate, this.now), failures: [], lockedUntil: 0 };
    this.#table.set(key, state);
    if (this.#table.size > this.limits.maxTrackedAddresses) this.#forgetOne(key);
    return state;
  }

  /** Forgets the least recently seen address without open sockets, preferring one not locked out. */
  #forgetOne(keep: string): void {
    let fallback: string | undefined;
    const now = this.now();
    for (const [key, state] of this.#table) {
      if (key === keep || state.open > 0) continue;
      if (state.lockedUntil <= now) {
        this.#table.delete(key);
        return;
      }
      fallback ??= key;
    }
    if (fallback !== undefined) this.#table.delete(fallback);
  }
}
