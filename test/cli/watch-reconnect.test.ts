/**
 * `watch` retries a gateway that is down at most 5 s apart, so it is back soon after a restart (the
 * SDK's default backoff grows to 30 s); a gateway that asks for a longer wait (Retry-After) is still
 * left alone that long (test/cli/refused-upgrade.test.ts).
 */
import { describe, expect, it } from "vitest";
import { cli } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { closedPort } from "../support/ports.js";
import { scaled } from "../support/timing.js";

describe("watch's reconnect", () => {
  it("waits at most 5 s between attempts on a gateway that is down", async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    const watch = cli(["watch", "--json", "--url", url]);
    const states = () =>
      watch.stdout().split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as { state: string; attempt?: number; delayMs?: number });
    // The SDK's backoff (250 ms doubling, x0.7-1): the wait announced with attempt 6 is 5.6-8 s without
    // the cap, and it comes 5.4-7.75 s after the first failure.
    await eventually(() => expect(states().some((s) => s.state === "reconnecting" && s.attempt === 6)).toBe(true), scaled(20_000));
    watch.child.kill("SIGINT");
    expect(await watch.exit).toBe(0);
    const waits = states().filter((s) => s.state === "reconnecting").map((s) => s.delayMs!);
    expect(Math.max(...waits)).toBeGreaterThan(2_500);
    expect(Math.max(...waits)).toBeLessThanOrEqual(5_000);
  });
});
