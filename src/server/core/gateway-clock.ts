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

export function createGatewayClock(realNow: () => number = Date.now): GatewayClock {
  let offset = 0;
  return {
    now: () => realNow() + offset,
    advance(ms: number): number {
      if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`clock advance must be an integer >= 0, got ${String(ms)}`);
      if (realNow() + offset + ms > Number.MAX_SAFE_INTEGER) throw new RangeError(`clock advance of ${ms} ms would pass the largest safe time`);
      offset += ms;
      return realNow() + offset;
    },
    offset: () => offset,
    syncOffset(total: number): void {
      if (Number.isSafeInteger(total) && total > offset && realNow() + total <= Number.MAX_SAFE_INTEGER) offset = total;
    },
  };
}
