/**
 * Reconnecting with backoff: the delays (exponential growth with jitter, capped), and the reconnect
 * loop's bookkeeping (ReconnectLoop: failed attempts in a row, the retry and uptime timers).
 */
import { checkTimerMs } from "../protocol/durations.js";
import { GatewayError, TransportError } from "./errors.js";

export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 250. */
  initialDelayMs?: number;
  /** Largest delay, in ms: at most 2147483647 (a timer's longest wait; more throws RangeError). Default 30000. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /**
   * Share of each delay that is random, 0..1. Default 0.3: the delay is drawn from
   * [d * (1 - jitter), d], so clients that lost the same gateway do not all come back at once.
   * (At 0.3 the first six retries take at least 11 s together, so a gateway that drops every
   * connection sees at most six attempts in any 10 s; at 0.5 it could see seven.)
   */
  jitter?: number;
  /**
   * Longest wait a failure may ask for (a RATE_LIMITED answer's retryAfterMs, an upgrade's
   * Retry-After), in ms, when that is longer than the backoff. Default: maxDelayMs. A client that
   * retries a down gateway often (a small maxDelayMs) can still honour a gateway that asks it to
   * keep away longer (`gateway-presence watch`: 5 s and 30 s).
   */
  maxWaitAskedMs?: number;
}

/** maxWaitAskedMs stays optional: absent, maxDelayMs is the longest wait asked too. */
export type ResolvedBackoff = Required<Omit<BackoffOptions, "maxWaitAskedMs">> & Pick<BackoffOptions, "maxWaitAskedMs">;

/** The resolved `reconnect` option: backoff, attempts and minimum uptime, or false for no reconnecting. */
export type ResolvedReconnect = (ResolvedBackoff & { maxAttempts: number; minUptimeMs: number }) | false;

export const DEFAULT_BACKOFF: ResolvedBackoff = { initialDelayMs: 250, maxDelayMs: 30_000, factor: 2, jitter: 0.3 };

export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = { ...DEFAULT_BACKOFF, ...definedOnly(options) };
  const { initialDelayMs, maxDelayMs, factor, jitter } = resolved;
  if (!(initialDelayMs >= 0) || !(maxDelayMs >= initialDelayMs)) {
    throw new RangeError(`backoff: need 0 <= initialDelayMs <= maxDelayMs, got ${initialDelayMs} and ${maxDelayMs}`);
  }
  checkTimerMs("backoff: maxDelayMs", maxDelayMs);
  const asked = resolved.maxWaitAskedMs;
  if (asked !== undefined && !(asked >= 0)) throw new RangeError(`backoff: maxWaitAskedMs must be >= 0, got ${asked}`);
  if (asked !== undefined) checkTimerMs("backoff: maxWaitAskedMs", asked);
  if (!(factor >= 1)) throw new RangeError(`backoff: factor must be >= 1, got ${factor}`);
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff: jitter must lie in [0, 1], got ${jitter}`);
  return resolved;
}

/** The delay before retry number `attempt` (0 = the first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: ResolvedBackoff, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** Math.max(0, attempt));
  return Math.round(ceiling * (1 - options.jitter * random()));
}

/**
 * The reconnect loop's bookkeeping: failed attempts in a row, the backoff timer, and the uptime timer
 * that decides when a connection counts as a success. The client says what happened (opened, closed,
 * failed); this says whether and when to try again. `reconnect` is the resolved option (false: off).
 *
 * `maxAttempts` is the total number of connection attempts in a row that may fail, the first one
 * included: with maxAttempts 3 the client dials at most 3 times (1 attempt + 2 retries) and then gives
 * up "after 3 attempts". A connection that closed before minUptimeMs counts as one failed attempt.
 */
export class ReconnectLoop {
  /** Failed attempts in a row; a connection counts as a success only once it stayed up minUptimeMs. */
  #failures = 0;
  /** Retries scheduled since the last success: the backoff exponent (0 = the first retry). */
  #retries = 0;
  /** A connection is open and has not yet stayed up minUptimeMs: its close is a failed attempt. */
  #onProbation = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The scheduled retry, while it waits; and until when the gateway asked to wait (ms since the epoch). */
  #waiting: { dial: () => void; askedUntil: number } | undefined;
  #uptimeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly reconnect: ResolvedReconnect) {}

  get failures(): number {
    return this.#failures;
  }

  /** Reconnecting is on and the attempts are not used up (`reconnect.maxAttempts`). */
  get mayRetry(): boolean {
    return this.reconnect !== false && this.#failures < this.reconnect.maxAttempts;
  }

  /** Reconnecting is on at all (`reconnect` is not false). */
  get enabled(): boolean {
    return this.reconnect !== false;
  }

  /**
   * A connection completed its handshake. The backoff restarts only after it has stayed up for
   * minUptimeMs: a gateway that completes the handshake and then drops the socket must not get a
   * reconnect every few hundred ms.
   */
  opened(): void {
    clearTimeout(this.#uptimeTimer);
    const reconnect = this.reconnect;
    if (reconnect === false || reconnect.minUptimeMs === 0) return this.#resetCounts();
    this.#onProbation = true;
    this.#uptimeTimer = setTimeout(() => this.#resetCounts(), reconnect.minUptimeMs);
  }

  /** The socket closed: a connection that closed before minUptimeMs was a failed attempt. */
  closed(): void {
    clearTimeout(this.#uptimeTimer);
    if (this.#onProbation) this.failed();
    this.#onProbation = false;
  }

  /** An attempt failed (the socket did not open, or the handshake did not complete). */
  failed(): void {
    this.#failures++;
  }

  /**
   * Runs `dial` after the backoff, or after the wait the failure asked for, whichever is longer (up to
   * maxWaitAskedMs, by default maxDelayMs): a RATE_LIMITED answer's `retryAfterMs`, or the `Retry-After` of an upgrade refused
   * with HTTP 429/503 (TransportError.retryAfterMs, Node only). Returns the failed attempts in a row
   * so far and the delay, or undefined when reconnecting is off.
   */
  schedule(dial: () => void, error?: Error): { attempt: number; delayMs: number } | undefined {
    const reconnect = this.reconnect;
    if (reconnect === false) return undefined;
    // A RATE_LIMITED connect (an address locked out after failed tokens) or a refused upgrade (the
    // gateway's connection rate, its per-address limits, overload shedding) says when to come back.
    const retryAfterMs = error instanceof GatewayError || error instanceof TransportError ? (error.retryAfterMs ?? 0) : 0;
    const waitAsked = retryAfterMs > 0 ? Math.min(retryAfterMs, reconnect.maxWaitAskedMs ?? reconnect.maxDelayMs) : 0; // an absurdly long one (Infinity): maxWaitAskedMs
    const delayMs = Math.max(backoffDelay(this.#retries, reconnect), waitAsked);
    this.#retries++;
    this.#waiting = { dial, askedUntil: Date.now() + waitAsked };
    this.#retryTimer = setTimeout(() => this.#fire(), delayMs);
    return { attempt: this.#failures, delayMs };
  }

  /**
   * The waiting retry dials now, cutting the backoff short: true. False when no retry waits, or when
   * the gateway asked for a longer wait (RATE_LIMITED's retryAfterMs, a refused upgrade's Retry-After):
   * the retry then comes when the gateway asked, not later than scheduled.
   */
  retryNow(): boolean {
    const waiting = this.#waiting;
    if (!waiting) return false;
    clearTimeout(this.#retryTimer);
    const asked = waiting.askedUntil - Date.now();
    if (asked > 0) {
      this.#retryTimer = setTimeout(() => this.#fire(), asked);
      return false;
    }
    this.#fire();
    return true;
  }

  #fire(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.dial();
  }

  /** No more attempts: timers cleared, the count starts over. */
  stop(): void {
    clearTimeout(this.#retryTimer);
    this.#waiting = undefined;
    clearTimeout(this.#uptimeTimer);
    this.#resetCounts();
  }

  #resetCounts(): void {
    this.#failures = 0;
    this.#retries = 0;
    this.#onProbation = false;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The `closed` reason once `reconnect.maxAttempts` failed attempts in a row are used up. */
export function gaveUpAfter(failures: number, reason: string): string {
  return `gave up after ${failures} attempt${failures === 1 ? "" : "s"}: ${reason}`;
}
