/** `test.clock.advance` (SPEC S3): only on a gateway started with `testClock: true`. */
import type { TestClockAdvanceParams, TestClockAdvanceResult } from "../../protocol/test-clock.js";
import type { GatewayContext } from "./context.js";
import { GatewayError } from "./errors.js";

export function createClockAdvanceHandler(gw: GatewayContext) {
  return async function advance(params: TestClockAdvanceParams): Promise<TestClockAdvanceResult> {
    // Rows of open connections count as kept alive (P7): they are refreshed at the new time before
    // expiry runs, while every other row older than the TTL is removed (and observers told).
    let now: number;
    try {
      // The store moves the clock: on a cluster, every gateway's (SPEC S3: one test clock).
      now = await gw.store.advanceClock(params.ms);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      const message = (error as Error).message;
      throw new GatewayError("INVALID_PARAMS", `test.clock.advance: ${message}`, {
        errors: [{ path: "/ms", message, keyword: "maximum" }],
        method: "test.clock.advance",
      });
    }
    await gw.store.touch(gw.registry.openKeys());
    // Every reader's list just changed (open rows carry the new time, the others are older, some
    // expire when the round builds its snapshot), though the store reported no change: a push
    // round now, so watchers (the Instances page, whole-list and delta readers) do not wait for
    // the next change or tick. An advance of 0 (the conformance probe's) moves nothing: its
    // refresh is a keep-alive's, which is not pushed either (P7).
    if (params.ms > 0) gw.presenceChanged();
    else gw.snapshots.invalidate();
    // The clock right after the move: the open rows were refreshed at or after it (the test clock
    // runs on from there), so a reader can compare their ts with this value.
    return { now };
  };
}
