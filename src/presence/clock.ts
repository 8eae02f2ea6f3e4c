import type { AdjustableClock, Clock } from "./types.js";

/** The wall clock (ms since the epoch). */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests. Its offset is what advance() added to `start`. */
export interface ManualClock extends AdjustableClock {
  /** Moves the clock forward by `ms` (>= 0) and returns the new time. */
  advance(ms: number): number;
}

export function manualClock(start = 0): ManualClock {
  if (!Number.isFinite(start)) throw new RangeError(`manualClock: start must be a finite number, got ${String(start)}`);
  let offset = 0;
  return {
    now: () => start + offset,
    advance(ms: number): number {
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`manualClock.advance: ms must be a finite number >= 0, got ${String(ms)}`);
      }
      offset += ms;
      return start + offset;
    },
    offset: () => offset,
    syncOffset(total: number): void {
      if (Number.isFinite(total) && total > offset) offset = total;
    },
  };
}
