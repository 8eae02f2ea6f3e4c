/** `test.clock.advance` (SPEC S3): only on a gateway started with `testClock: true`. */
import type { TestClockAdvanceParams, TestClockAdvanceResult } from "../../protocol/test-clock.js";
import type { GatewayContext } from "./context.js";
import { GatewayError } from "./errors.js";

export function createClockAdvanceHandler(gw: GatewayContext) {
  return async function advance(params: TestClockAdvanceParams): Promise<TestClockAdvanceResult> {
    // Rows of open connections count as kept alive (P7): they are refreshed at the new time before
    // expiry runs, while every other row older than the TTL is removed (and observers told).
    try {
      // The store moves the clock: on a cluster, every gateway's (SPEC S3: one test clock).
      await gw.store.advanceClock(params.ms);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      const message = (error as Error).message;
      throw new GatewayError("INVALID_PARAMS", `test.clock.advance: ${message}`, {
        errors: [{ path: "/ms", message, keyword: "maximum" }],
        method: "test.clock.advance",
      });
    }
    await gw.store.touch(gw.registry.openKeys());
    gw.snapshots.invalidate();
    return { now: gw.clock.now() };
  };
}
