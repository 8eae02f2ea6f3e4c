/**
 * Millisecond durations that become a timer's delay. Node's timers (and browsers') hold at most
 * 2^31 - 1 ms, 24.8 days: a longer delay fires after 1 ms instead (Node warns TimeoutOverflowWarning),
 * so "a very long timeout" would time out at once. Every option handed to setTimeout/setInterval is
 * checked with checkTimerMs() and refused over the limit, naming the option; a value only compared
 * with timestamps (a row's TTL, a lockout) may be larger ("practically forever"), and a timer derived
 * from one goes through clampTimerMs().
 */

/** The longest delay a timer can wait, in ms (2^31 - 1, 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * `ms` when a timer can wait that long; else a RangeError naming the option, e.g. `gateway:
 * handshakeTimeoutMs must be at most 2147483647 ms (24.8 days, the longest a timer waits), got 3000000000`.
 * `name` is the option as its owner says it (`gateway: ttlMs`, `createPresenceClient: requestTimeoutMs`).
 * Checks only the upper bound: the caller checks the lower one.
 */
export function checkTimerMs(name: string, ms: number): number {
  if (ms > MAX_TIMER_MS) throw new RangeError(`${name} must be at most ${MAX_TIMER_MS} ms (24.8 days, the longest a timer waits), got ${ms}`);
  return ms;
}

/** A delay a timer can wait: `ms`, or MAX_TIMER_MS for a longer one (a "practically forever" value). */
export function clampTimerMs(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
