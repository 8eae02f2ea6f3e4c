/** The first duration a timer cannot wait, and the error that names an option given it (src/protocol/durations.ts). */
import { MAX_TIMER_MS } from "../../src/protocol/durations.js";

export const OVER_TIMER_MS = MAX_TIMER_MS + 1;

/** The RangeError message for `name` (as its owner says it, e.g. `gateway: ttlMs`) given OVER_TIMER_MS. */
export function overTimerLimit(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${escaped} must be at most 2147483647 ms \\(24\\.8 days, the longest a timer waits\\), got 2147483648`);
}
