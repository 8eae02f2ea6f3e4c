// Node's timers wait at most 2^31 - 1 ms (24.8 days); a longer delay fires after 1 ms, so a "very
// long" timeout would time out at once. The client refuses every option that becomes a timer's delay
// over that, naming it (src/protocol/durations.ts); tickTimeoutMs is compared with timestamps only.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, MAX_TIMER_MS, type PresenceClient } from "../../../src/index.js";
import { createOpenClawBinding } from "../../../src/transport/openclaw.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { OVER_TIMER_MS, overTimerLimit } from "../../support/timer-limits.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

describe("client options that become a timer's delay", () => {
  it.each([
    ["requestTimeoutMs", { requestTimeoutMs: OVER_TIMER_MS }],
    ["connectTimeoutMs", { connectTimeoutMs: OVER_TIMER_MS }],
    ["resyncDelayMs", { resyncDelayMs: OVER_TIMER_MS }],
    ["reconnect.minUptimeMs", { reconnect: { minUptimeMs: OVER_TIMER_MS } }],
  ])("%s over 2147483647 is refused, naming it", (name, options) => {
    expect(() => createPresenceClient({ url: "ws://127.0.0.1:1", client: info, ...options })).toThrow(overTimerLimit(`createPresenceClient: ${name}`));
  });

  it("reconnect.maxDelayMs, startBeacons' intervalMs and the openclaw binding's challengeTimeoutMs", () => {
    expect(() => createPresenceClient({ url: "ws://127.0.0.1:1", client: info, reconnect: { maxDelayMs: OVER_TIMER_MS } })).toThrow(overTimerLimit("backoff: maxDelayMs"));
    const idle = createPresenceClient({ url: "ws://127.0.0.1:1", client: info });
    expect(() => idle.startBeacons({ intervalMs: OVER_TIMER_MS })).toThrow(overTimerLimit("startBeacons: intervalMs"));
    expect(() => createOpenClawBinding({ challengeTimeoutMs: OVER_TIMER_MS })).toThrow(overTimerLimit("openclaw binding: challengeTimeoutMs"));
  });
});

describe("against a real gateway", () => {
  let gw: Gateway | undefined;
  let client: PresenceClient | undefined;
  afterEach(async () => {
    await client?.close();
    await gw?.close();
    client = gw = undefined;
  });

  it("a call's timeoutMs over 2147483647 (or Infinity) rejects that call with a RangeError naming it; the client goes on", async () => {
    gw = await createGateway({ port: 0 });
    client = createPresenceClient({ url: gw.url, client: info, reconnect: false, requestTimeoutMs: MAX_TIMER_MS });
    await client.connect();
    await expect(client.systemPresence(undefined, { timeoutMs: OVER_TIMER_MS })).rejects.toThrow(overTimerLimit("system-presence: timeoutMs"));
    await expect(client.systemPresence(undefined, { timeoutMs: Infinity })).rejects.toThrow(/system-presence: timeoutMs must be at most 2147483647 ms .*got Infinity/);
    await expect(client.systemPresence(undefined, { timeoutMs: 0 })).rejects.toThrow(/system-presence: timeoutMs must be a number > 0, got 0/);
    // The longest a timer waits is a real wait: the answer comes, no timeout fires after 1 ms.
    const rows = await client.systemPresence(undefined, { timeoutMs: MAX_TIMER_MS });
    expect(rows.some((row) => row.reason === "self")).toBe(true);
    expect(client.state).toBe("open");
  });

  it("tickTimeoutMs beyond 2147483647 ('practically never') is accepted: the connection stays open", async () => {
    gw = await createGateway({ port: 0, tickIntervalMs: 20 });
    client = createPresenceClient({ url: gw.url, client: info, reconnect: false, tickTimeoutMs: 30 * 24 * 3600 * 1000 });
    await client.connect();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.state).toBe("open");
  });
});
