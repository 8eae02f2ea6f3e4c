/** `test.clock.advance` (SPEC S3): only on a gateway started with `testClock: true`. */
import type { TestClockAdvanceParams, TestClockAdvanceResult } from "../protocol/test-clock.js";
import type { GatewayContext } from "./context.js";
import { GatewayError } from "./rpc-errors.js";

/** The most TTL-sized steps one advance may take (see below); bounds the work per call. */
export const MAX_ADVANCE_STEPS = 10_000;

export function createClockAdvanceHandler(gw: GatewayContext) {
  return async function advance(params: TestClockAdvanceParams): Promise<TestClockAdvanceResult> {
    const { ttlMs } = gw.options;
    const steps = Math.ceil(params.ms / ttlMs);
    if (steps > MAX_ADVANCE_STEPS) {
      throw new GatewayError("INVALID_PARAMS", `test.clock.advance: ms may be at most ${MAX_ADVANCE_STEPS * ttlMs} (${MAX_ADVANCE_STEPS} x ttlMs)`, {
        errors: [{ path: "/ms", message: `must be <= ${MAX_ADVANCE_STEPS * ttlMs}`, keyword: "maximum" }],
        method: "test.clock.advance",
      });
    }
    // Rows of open connections are kept alive (P7) as if keep-alives had run meanwhile: they are
    // refreshed, then the clock moves at most one TTL, and so on, so they never fall a TTL behind while
    // every other row ages and expires. (The store expires old rows before any write, touch included.)
    let left = params.ms;
    for (;;) {
      for (const key of gw.registry.openKeys()) await gw.store.touch(key);
      if (left === 0) break;
      const step = Math.min(left, ttlMs);
      gw.clock.advance(step);
      left -= step;
    }
    await gw.store.expire();
    return { now: gw.clock.now() };
  };
}
