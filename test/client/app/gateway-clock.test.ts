// client.gatewayClock against the reference gateway: a gateway whose clock is ahead of this machine's
// (test.clock.advance moves it, as a skewed laptop or browser would see a real one) gives rows whose
// `ts` is in the local future: "last seen -40 s ago" with Date.now(). The client's estimate of the
// gateway's clock comes from hello-ok's snapshot and from ticks, and starts over with each hello-ok.
import { describe, expect, it } from "vitest";
import { GatewayClock, presenceAge, type PresenceClientOptions } from "../../../src/index.js";
import { useReferenceGateways } from "../reference-fixture.js";
import { isDeltaPush, isPresencePush, LossySocket } from "../lossy-socket.js";
import { waitFor } from "../scripted-gateway.js";
import { scaled } from "../../support/timing.js";

const SKEW_MS = 40_000;

/**
 * How far off an estimate taken since `since` may be: a frame's transit, at most the real time since
 * then (2 s at least; at most half the skew, so an estimate 40 s off still fails).
 */
const errorSince = (since: number) => Math.min(SKEW_MS / 2, Math.max(2_000, Date.now() - since));

describe("client.gatewayClock", () => {
  const { start, client: make, forget } = useReferenceGateways(
    { testClock: true },
    { client: { id: "status-bar", version: "1.0.0", platform: "linux", mode: "ui" }, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } },
  );
  const client = (url: string, instanceId: string, extra: Partial<PresenceClientOptions> = {}) => make(url, { instanceId, ...extra });

  it("hello-ok's snapshot gives the offset of a gateway 40 s ahead: fresh rows are 0 s old, not -40 s", async () => {
    const gw = await start();
    const admin = client(gw.url, "admin");
    await admin.connect();
    await admin.testClockAdvance({ ms: SKEW_MS });
    const bar = client(gw.url, "bar");
    expect(bar.gatewayClock.synced).toBe(false);
    expect(bar.gatewayClock.offsetMs).toBeUndefined();
    const connecting = Date.now();
    await bar.connect();
    const mine = bar.presence.get("bar")!;
    const now = Date.now();
    // The row was written after `connecting`, at the gateway's time then (40 s ahead).
    expect(now - mine.ts, "the naive age is negative: the bug this clock fixes").toBeLessThanOrEqual(-SKEW_MS + (now - connecting));
    expect(bar.gatewayClock.synced).toBe(true);
    expect(bar.gatewayClock.offsetMs).toBeGreaterThan(SKEW_MS - errorSince(connecting));
    expect(bar.gatewayClock.offsetMs).toBeLessThan(SKEW_MS + 2_000);
    const age = bar.gatewayClock.ageMs(mine);
    expect(Number.isInteger(bar.gatewayClock.now()) && Number.isInteger(age), "whole ms, though the local clock read is monotonic").toBe(true);
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(errorSince(connecting));
    expect(bar.gatewayClock.status(mine)).toBe("Active");
    // A row written 150 s ago on the gateway's clock is Idle there; Date.now() (40 s behind) calls it Active.
    const old = { ts: bar.gatewayClock.now() - 150_000 };
    expect(bar.gatewayClock.status(old)).toBe("Idle");
    expect(presenceAge(old)).toBeLessThan(120_000);
  });

  it("a tick carries a clock jump into the estimate when no list comes", async () => {
    const gw = await start({ tickIntervalMs: 100 });
    const bar = client(gw.url, "bar", { WebSocket: LossySocket, tickTimeoutMs: false }); // no reconnect on a slow tick under load
    const connecting = Date.now();
    await bar.connect();
    expect(Math.abs(bar.gatewayClock.offsetMs!)).toBeLessThan(errorSince(connecting));
    const admin = client(gw.url, "admin");
    await admin.connect();
    // From here on the pushes the jump causes (it refreshes live rows) never reach the client: ticks alone do.
    LossySocket.all.at(-1)!.drop = (text) => isPresencePush(text) || isDeltaPush(text);
    const entries = bar.presence.entries;
    await admin.testClockAdvance({ ms: SKEW_MS });
    await waitFor(() => bar.gatewayClock.offsetMs! > SKEW_MS - 2_000, "a tick after the jump moves the estimate", scaled(5_000));
    expect(bar.gatewayClock.offsetMs).toBeLessThan(SKEW_MS + 2_000);
    expect(bar.presence.entries, "no list reached the mirror").toBe(entries);
  });

  it("starts over on every hello-ok: after a restart onto a gateway with the right time, the 40 s are gone", async () => {
    const first = await start();
    const bar = client(first.url, "bar");
    await bar.connect();
    await bar.testClockAdvance({ ms: SKEW_MS });
    const resyncing = Date.now();
    await bar.presence.resync(); // a listing after the jump: the self row is fresh (SPEC P1)
    expect(bar.gatewayClock.offsetMs).toBeGreaterThan(SKEW_MS - errorSince(resyncing));
    const port = first.port;
    const reconnected = new Promise((resolve) => bar.once("reconnect", resolve));
    await first.close();
    forget(first);
    const restarting = Date.now();
    await start({ port });
    await reconnected;
    expect(Math.abs(bar.gatewayClock.offsetMs!), "the new gateway's clock, not the old one's").toBeLessThan(errorSince(restarting));
    expect(bar.gatewayClock.ageMs(bar.presence.get("bar")!)).toBeLessThan(errorSince(restarting));
  });

  it("takes the highest lower bound, reads a monotonic local clock, and skips what is not a time", () => {
    let local = 1_000_000;
    const clock = new GatewayClock(() => local);
    expect(clock.now()).toBeGreaterThan(1_700_000_000_000); // Date.now() before any sample
    clock.sampleList([{ ts: Number.NaN }, { ts: "soon" }, {}]);
    expect(clock.synced).toBe(false);
    clock.sample(5_000_000); // sent 4,000,000 ms ahead (minus its transit)
    clock.sampleList([{ ts: 4_999_000 }, { ts: 5_000_030 }, { ts: undefined }]); // a fresher reading: 30 ms more
    expect(clock.now()).toBe(5_000_030);
    clock.sample(4_000_000); // an old timestamp (a row written long ago) says less: ignored
    local += 10_000;
    expect(clock.now()).toBe(5_010_030);
    expect(clock.ageMs({ ts: 5_000_030 })).toBe(10_000);
    local += 0.625; // a monotonic clock's fraction of a ms: now() stays whole, as Date.now() (watch --json's ageMs was 0.0808...)
    expect(clock.now()).toBe(5_010_030);
    expect(clock.ageMs({ ts: 5_000_030 })).toBe(10_000);
    clock.reset();
    expect(clock.synced).toBe(false);
  });

  it("follows a gateway clock set back (or drifting) within its one-minute window, and keeps the last estimate when quiet", () => {
    let local = 0;
    const clock = new GatewayClock(() => local);
    clock.sample(100_000); // offset +100 s
    local += 30_000;
    clock.sample(125_000); // the gateway's clock set back by 5 s: a lower reading, outvoted while the first counts
    expect(clock.now()).toBe(130_000);
    local += 31_000; // the first reading is over a minute old now
    expect(clock.now(), "no new reading: the estimate stays").toBe(161_000);
    clock.sample(156_000);
    expect(clock.now()).toBe(156_000);
    local += 600_000;
    expect(clock.now(), "quiet for 10 minutes: still the last estimate").toBe(756_000);
  });

  it("follows a clock set back by an hour within a minute, though a row written before it stays listed", () => {
    let local = 0;
    const clock = new GatewayClock(() => local);
    const HOUR = 3_600_000;
    const stale = { ts: 10_000_000 }; // written just before the gateway's clock was set back by an hour
    clock.sampleList([stale]);
    expect(clock.now()).toBe(10_000_000);
    // Every change re-sends the whole list with the stale row (keep-alives do not rewrite it); ticks say the new time.
    for (let s = 1; s <= 70; s++) {
      local += 1_000;
      clock.sampleList([stale, { ts: 10_000_000 - HOUR + local - 500 }]);
      clock.sample(10_000_000 - HOUR + local);
    }
    // Was 10,070,000 (the stale row's ts read anew with every list: an hour ahead until the row goes).
    expect(clock.now()).toBe(10_000_000 - HOUR + local);
  });
});
