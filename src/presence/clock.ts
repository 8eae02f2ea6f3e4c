import type { Clock } from "./types.js";

/** The wall clock (ms since the epoch). */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests and for the gateway's test mode. */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms` (>= 0) and returns the new time. */
  advance(ms: number): number;
}

export function manualClock(start = 0): ManualClock {
  if (!Number.isFinite(start)) throw new RangeError(`manualClock: start must be a finite number, got ${String(start)}`);
  let current = start;
  return {
    now: () => current,
    advance(ms: number): number {
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`manualClock.advance: ms must be a finite number >= 0, got ${String(ms)}`);
      }
      current += ms;
      return current;
    },
  };
}
