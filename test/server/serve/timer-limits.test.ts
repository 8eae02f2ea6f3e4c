// Node's timers wait at most 2^31 - 1 ms (24.8 days); a longer delay fires after 1 ms. Every gateway
// option that becomes a timer's delay is refused over that, naming the option
// (src/protocol/durations.ts); a TTL is compared with timestamps only and may be longer.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_TIMER_MS } from "../../../src/protocol/durations.js";
import { createMemoryPresenceStore } from "../../../src/presence/index.js";
import { createRedisPresenceStore } from "../../../src/presence/redis/index.js";
import { createGateway } from "../../../src/server/index.js";
import { connectClient, list, rowOf } from "../helpers.js";
import { OVER_TIMER_MS, overTimerLimit } from "../../support/timer-limits.js";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("gateway options that become a timer's delay", () => {
  it.each([
    ["handshakeTimeoutMs", { handshakeTimeoutMs: OVER_TIMER_MS }],
    ["tickIntervalMs", { tickIntervalMs: OVER_TIMER_MS }],
    ["slowConsumerTimeoutMs", { slowConsumerTimeoutMs: OVER_TIMER_MS }],
    ["keepAliveIntervalMs", { keepAliveIntervalMs: OVER_TIMER_MS }],
    ["pushIntervalMs", { pushIntervalMs: OVER_TIMER_MS }],
    ["limits.authFailures.maxDelayMs", { limits: { authFailures: { maxDelayMs: OVER_TIMER_MS } } }],
    ["limits.overload.windowMs", { limits: { overload: { windowMs: OVER_TIMER_MS } } }],
  ])("%s over 2147483647 is refused, naming it", async (name, options) => {
    await expect(createGateway({ port: 0, ...options })).rejects.toThrow(overTimerLimit(`gateway: ${name}`));
  });

  it("2147483647 itself is a timer's longest wait and accepted", async () => {
    const gw = await createGateway({ port: 0, handshakeTimeoutMs: MAX_TIMER_MS, tickIntervalMs: MAX_TIMER_MS });
    await gw.close();
  });

  it("the stores' timers: sweepIntervalMs, redis deadAfterMs and commandTimeoutMs", () => {
    expect(() => createMemoryPresenceStore({ sweepIntervalMs: OVER_TIMER_MS })).toThrow(overTimerLimit("presence store: sweepIntervalMs"));
    const redis = { url: "redis://127.0.0.1:1", sweepIntervalMs: 0 };
    expect(() => createRedisPresenceStore({ ...redis, deadAfterMs: OVER_TIMER_MS })).toThrow(overTimerLimit("redis presence store: deadAfterMs"));
    expect(() => createRedisPresenceStore({ ...redis, commandTimeoutMs: OVER_TIMER_MS })).toThrow(overTimerLimit("redis presence store: commandTimeoutMs"));
  });
});

describe("a TTL beyond a timer's longest wait ('practically forever')", () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(() => void process.on("warning", onWarning));
  afterEach(() => void process.off("warning", onWarning));

  it("keeps a row 30 days and expires it after, with no timer overflowing", async () => {
    const ttlMs = 30 * DAY_MS; // 2592000000 > 2147483647
    const gw = await createGateway({ port: 0, ttlMs, testClock: true, limits: { authFailures: { lockoutMs: 10 * 365 * DAY_MS } } });
    try {
      const { client: app } = await connectClient(gw, { instanceId: "long-lived" });
      await app.result("system-event", { instanceId: "long-lived", text: "beacon" });
      const { client: watcher } = await connectClient(gw, { mode: "cli", id: "watcher" });
      await app.close();
      // The gateway's timers derived from the TTL (keep-alive, sweep) stay short: it still answers.
      await watcher.result("test.clock.advance", { ms: 25 * DAY_MS });
      expect(rowOf(await list(watcher), "long-lived")).toBeDefined();
      await watcher.result("test.clock.advance", { ms: 6 * DAY_MS });
      expect(rowOf(await list(watcher), "long-lived")).toBeUndefined();
      await watcher.close();
    } finally {
      await gw.close();
    }
    expect(warnings.filter((w) => w.name === "TimeoutOverflowWarning")).toEqual([]);
  });
});
