// test.clock.advance (SPEC S3, a gateway started with testClock) keeps the gateway's clock, and so
// every row's ts, a safe integer: about 28,600 of the largest advances (10 years each) reach
// Number.MAX_SAFE_INTEGER. The advance that would pass the limit is refused naming it and what is
// left; the list stays as it was. Real gateway on a loopback port, real ws clients.
//
// The walk to the limit: all but the last few advances are made on the gateway's own clock (the
// AdjustableClock the gateway hands its store factory, the one test.clock.advance moves) before the
// gateway serves; the last ones, and every refusal, go over the wire. All ~28,550 went over the wire
// before, as many sequential round trips, each a push round to the watcher: 3.55 s for this test at a
// load of 6, 1.16 s now (1.1 s of it the wait at the end).
import { describe, expect, it } from "vitest";
import { createMemoryPresenceStore } from "../../../src/server/index.js";
import { isAdjustableClock } from "../../../src/presence/types.js";
import { connectClient, list, observer, startGateway, type RpcResponse } from "../helpers.js";

const LARGEST_ADVANCE = 315_360_000_000; // the schema's maximum for one advance (10 years)
/** Number.MAX_SAFE_INTEGER less 10 years for the clock to run on (9006883894740991). */
const LIMIT = Number.MAX_SAFE_INTEGER - LARGEST_ADVANCE;
const leftIn = (message: string) => Number(/; (\d+) ms (?:are|is) left$/.exec(message)?.[1]);
const key = (row: { instanceId?: string; reason?: string }) => row.instanceId ?? row.reason;
/** Largest advances left for the wire: the walk before the gateway serves leaves between this many and one more before the limit. */
const WIRE_STEPS = 3;

describe("test.clock.advance near Number.MAX_SAFE_INTEGER", () => {
  it("refuses the advance that would take the clock past its limit, naming it; rows' ts stay safe integers", { timeout: 120_000 }, async () => {
    let walked = 0;
    const gw = await startGateway({
      testClock: true,
      store: (options) => {
        const { clock } = options;
        if (!clock || !isAdjustableClock(clock)) throw new Error("the gateway's clock cannot be advanced");
        // advance() is what test.clock.advance calls (its limit check included); the walk stops WIRE_STEPS + 1 advances short.
        while (clock.now() + (WIRE_STEPS + 1) * LARGEST_ADVANCE <= LIMIT) {
          clock.advance(LARGEST_ADVANCE);
          walked++;
        }
        return createMemoryPresenceStore(options);
      },
    });
    const watcher = await observer(gw);
    await connectClient(gw, { instanceId: "stays" });
    // Move towards 20 ms below Number.MAX_SAFE_INTEGER in the largest steps, as a soak might.
    const target = Number.MAX_SAFE_INTEGER - 20;
    let now = (await watcher.result<{ now: number }>("test.clock.advance", { ms: 0 })).now;
    let refused: RpcResponse | undefined;
    let steps = 0;
    while (now < target) {
      const answer = await watcher.call("test.clock.advance", { ms: Math.min(LARGEST_ADVANCE, target - now) });
      if (answer.error) {
        refused = answer;
        break;
      }
      now = (answer.result as { now: number }).now;
      steps++;
    }
    // The wire took the last full advances (the limit is no nearer), and all of them together are
    // ~28,550 from real time (the limit is no nearer either).
    expect(steps).toBeGreaterThanOrEqual(WIRE_STEPS);
    expect(walked + steps).toBeGreaterThan(28_000);
    expect(now).toBeLessThanOrEqual(LIMIT);
    expect(refused?.error).toMatchObject({ data: { code: "INVALID_PARAMS", errors: [{ path: "/ms" }] } });
    const message = refused!.error!.message;
    expect(message).toMatch(/^test\.clock\.advance: an advance of \d+ ms would take the clock past 9006883894740991 ms \(Number\.MAX_SAFE_INTEGER less 10 years for it to run on, so every ts stays a safe integer\); \d+ ms (are|is) left$/);
    const before = await list(watcher);
    expect(before.map(key).sort()).toEqual(["self", "stays"]);

    // Nearly all that is left is accepted (real time takes some of it between the answer and the next
    // advance: 10 minutes are kept for that), then no advance larger than what is left.
    const spare = 600_000;
    const near = await watcher.call("test.clock.advance", { ms: leftIn(message) - spare });
    expect(near.error).toBeUndefined();
    expect((near.result as { now: number }).now).toBeLessThanOrEqual(LIMIT - spare + 1_000);
    const over = await watcher.call("test.clock.advance", { ms: spare + 1 });
    expect(over.error?.message).toMatch(/^test\.clock\.advance: an advance of 600001 ms would take the clock past 9006883894740991 ms .*; \d+ ms (are|is) left$/);
    expect(leftIn(over.error!.message)).toBeLessThanOrEqual(spare);
    expect((await watcher.call("test.clock.advance", { ms: 0 })).error).toBeUndefined(); // the conformance probe's advance

    // The list is intact, and the clock runs on without any ts passing Number.MAX_SAFE_INTEGER.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const after = await list(watcher);
    expect(after.map(key).sort()).toEqual(["self", "stays"]);
    for (const row of after) expect(Number.isSafeInteger(row.ts), `${key(row)} ts ${row.ts}`).toBe(true);
  });
});
