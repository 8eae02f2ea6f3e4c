import type { AdjustableClock } from "../../presence/types.js";

/**
 * The gateway's clock: real time plus the sum of `test.clock.advance` calls (SPEC S3). A shared
 * (Redis) store raises the offset with syncOffset when another gateway of the cluster advanced it.
 */
export interface GatewayClock extends AdjustableClock {
  /** Moves the clock forward by `ms`; returns the new time. */
  advance(ms: number): number;
  /** Sum of all advances so far. */
  offset(): number;
}

/**
 * The latest time `test.clock.advance` may move the clock to: Number.MAX_SAFE_INTEGER less 10 years
 * (315,360,000,000 ms, the largest single advance), so the clock can run on from there and every
 * row's `ts` stays a safe integer. An advance to just below Number.MAX_SAFE_INTEGER itself was
 * accepted, and a second later the clock and the self row's `ts` were past it.
 */
export const TEST_CLOCK_LIMIT = Number.MAX_SAFE_INTEGER - 315_360_000_000;

export function createGatewayClock(realNow: () => number = Date.now): GatewayClock {
  let offset = 0;
  return {
    now: () => realNow() + offset,
    advance(ms: number): number {
      if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`clock advance must be an integer >= 0, got ${String(ms)}`);
      const now = realNow() + offset;
      if (ms > 0 && now + ms > TEST_CLOCK_LIMIT) {
        const left = Math.max(0, TEST_CLOCK_LIMIT - now);
        throw new RangeError(
          `an advance of ${ms} ms would take the clock past ${TEST_CLOCK_LIMIT} ms (Number.MAX_SAFE_INTEGER less 10 years for it to run on, so every ts stays a safe integer); ${left} ms ${left === 1 ? "is" : "are"} left`,
        );
      }
      offset += ms;
      return realNow() + offset;
    },
    offset: () => offset,
    syncOffset(total: number): void {
      if (Number.isSafeInteger(total) && total > offset && realNow() + total <= TEST_CLOCK_LIMIT) offset = total;
    },
  };
}
