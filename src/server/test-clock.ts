/** `test.clock.advance` (SPEC S3): only on a gateway started with `testClock: true`. */
import type { TestClockAdvanceParams, TestClockAdvanceResult } from "../protocol/test-clock.js";
import type { GatewayContext } from "./context.js";
import { GatewayError } from "./rpc-errors.js";

/** The most steps one advance may take (see below); bounds the work per call. */
export const MAX_ADVANCE_STEPS = 20_000;

export function createClockAdvanceHandler(gw: GatewayContext) {
  return async function advance(params: TestClockAdvanceParams): Promise<TestClockAdvanceResult> {
    // Half a TTL per step: real time also passes between a refresh and the next step.
    const stepMs = Math.max(1, Math.floor(gw.options.ttlMs / 2));
    const maxMs = MAX_ADVANCE_STEPS * stepMs;
    if (params.ms > maxMs) {
      throw new GatewayError("INVALID_PARAMS", `test.clock.advance: ms may be at most ${maxMs} (${MAX_ADVANCE_STEPS / 2} x ttlMs)`, {
        errors: [{ path: "/ms", message: `must be <= ${maxMs}`, keyword: "maximum" }],
        method: "test.clock.advance",
      });
    }
    // Rows of open connections are kept alive (P7) as if keep-alives had run meanwhile: they are
    // refreshed, then the clock moves at most half a TTL, and so on, so they never fall a TTL behind while
    // every other row ages and expires. (The store expires old rows before any write, touch included.)
    let left = params.ms;
    for (;;) {
      for (const key of gw.registry.openKeys()) await gw.store.touch(key);
      if (left === 0) break;
      const step = Math.min(left, stepMs);
      gw.clock.advance(step);
      left -= step;
    }
    await gw.store.expire();
    return { now: gw.clock.now() };
  };
}
