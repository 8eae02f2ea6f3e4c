/**
 * `--real-time`: the TTL scenarios on the wall clock, concurrently, with progress, against the
 * reference gateway with a 5 s TTL (so the run takes seconds, not the 6 minutes of SPEC's 5-minute TTL),
 * longer on a busy machine.
 *
 * Why not 3 s, as before: s2-evicts-oldest-real-time fills the list 4 margins (4 x 1 s, the harness's
 * floor) after the run starts, and a row written about 4 s after the start expires in the middle of
 * that fill, a TTL later. s1-ttl-expiry-real-time's observer closes (its row's last write) about a TTL
 * after the start: 3.6 s on a quiet machine, 4 s and more on a busy one, which failed s2 with `after
 * adding rows up to 199, the list holds 198` (reproduced by blocking the event loop 100 ms per gateway
 * log line: s1 ended at 4.26 s and s2 failed; with a 5 s TTL it passed, as at 300 ms per line).
 * With the TTL over 4 margins plus the fill, no other row is written in that danger period. Scaled
 * with the load: the steps between the waits (the fill: 200 requests) grow with it, the TTL with them.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../src/conformance/report/results.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { FAST, runOptions, TOKEN } from "../gateways.js";
import { scaled } from "../../support/timing.js";

const TTL_MS = scaled(5000);
const REAL_TIME = ["e3-tick", "h1-handshake-timeout", "p1-self-row-after-ttl-real-time", "p7-live-row-outlives-ttl", "s1-ttl-expiry-real-time", "s2-evicts-oldest-real-time"];

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe("a real-time run", () => {
  it("runs the TTL scenarios without a test clock, concurrently, showing its waits, in about the TTL plus the margins", async () => {
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: false, token: TOKEN, ...FAST, ttlMs: TTL_MS });
    const events: ProgressEvent[] = [];
    const started = Date.now();
    const result = await runConformance(runOptions(gateway, { realTime: true, ttlMs: TTL_MS, progressIntervalMs: 500, onProgress: (e) => events.push(e) }));
    const took = Date.now() - started;
    expect(result.mode).toBe("real-time");
    expect(result.ttlMs).toBe(TTL_MS);
    expect(result.scenarios.map((s) => `${s.id}: ${s.status}`).sort()).toEqual(REAL_TIME.map((id) => `${id}: passed`));
    expect(result.capabilities).not.toContain("testClock");
    // Concurrently: the scenarios together take less than the two longest one after the other (the
    // longest is TTL + 4 margins of 1 s, the next ones a little less); one at a time they would take at
    // least the sum of all. A busy machine makes each longer, not the run longer than those two.
    const [longest, second] = result.scenarios.map((s) => s.durationMs).sort((x, y) => y - x);
    expect(longest).toBeGreaterThanOrEqual(TTL_MS + 4000);
    expect(took).toBeLessThan(longest! + second!);
    const waiting = events.filter((e): e is Extract<ProgressEvent, { type: "waiting" }> => e.type === "waiting");
    expect(waiting.length).toBeGreaterThan(2);
    // Both waiting at once in some progress line (the first line, 500 ms in, may come before s1's wait
    // starts on a loaded machine: it listed p7 and s2 only at load 21-23).
    expect(waiting.some((e) => ["s1-ttl-expiry-real-time", "p7-live-row-outlives-ttl"].every((id) => e.waits.some((w) => w.id === id)))).toBe(true);
    // Counted as the default run counts them (e3-tick and h1-handshake-timeout are in both), the cross-gateway ones apart.
    expect(events.find((e) => e.type === "start")).toMatchObject({
      mode: "real-time",
      notSelected: expect.stringMatching(/^\d+ scenarios that need no long wait are left to the default run, which counts \d+: e3-tick and h1-handshake-timeout run in both; 5 cross-gateway scenarios are left to a run against a cluster/),
    });
    expect(result.byRule.S1).toMatchObject({ passed: 3, failed: 0 });
    expect(result.byRule.P7).toMatchObject({ passed: 1 });
    expect(result.ok).toBe(true);
  }, scaled(30_000));

  it("reports P7 when a live connection's row is dropped after the TTL (keep-alive slower than the TTL)", async () => {
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: false, token: TOKEN, ...FAST, ttlMs: TTL_MS, keepAliveIntervalMs: 60_000 });
    const result = await runConformance(runOptions(gateway, { realTime: true, ttlMs: TTL_MS, only: ["P7"] }));
    const p7 = result.scenarios.find((s) => s.id === "p7-live-row-outlives-ttl")!;
    expect(p7.status).toBe("warning");
    expect(p7.checks.find((c) => c.status === "warning")?.message).toMatch(/no row matches .*p7rt-live/);
    expect(result.byRule.P7?.warnings).toBe(1);
  }, scaled(30_000));

  it("is not part of a default run: real-time scenarios are left out, not skipped", async () => {
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, token: TOKEN, ...FAST });
    const events: ProgressEvent[] = [];
    const result = await runConformance(runOptions(gateway, { only: ["S1"], onProgress: (e) => events.push(e) }));
    expect(result.scenarios.map((s) => s.id).sort()).toEqual(["d4-delta-expiry", "p1-self-row-survives-ttl", "s1-ttl-expiry"]);
    expect(result.summary.skipped).toBe(0);
    expect(events.find((e) => e.type === "start")).toMatchObject({ mode: "default", notSelected: "3 real-time scenarios are left to a --real-time run" });
  });
});
