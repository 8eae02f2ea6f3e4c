// client.retryNow() against the reference gateway: a status bar whose gateway came back does not sit
// out the rest of a long backoff (up to 30 s), but it never cuts short a wait the gateway asked for.
import { describe, expect, it } from "vitest";
import type { StateChange } from "../../../src/index.js";
import { useReferenceGateways } from "../reference-fixture.js";
import { waitFor } from "../scripted-gateway.js";
import { scaled } from "../../support/timing.js";

describe("client.retryNow()", () => {
  const { start, client, forget } = useReferenceGateways({}, { client: { id: "status-bar", version: "1.0.0", platform: "linux", mode: "ui" } });

  it("dials at once while reconnecting: back right after the restart, not after the 20 s backoff", async () => {
    const first = await start();
    const c = client(first.url, { instanceId: "bar", reconnect: { initialDelayMs: 20_000, maxDelayMs: 20_000, jitter: 0 } });
    expect(c.retryNow(), "idle: nothing to retry").toBe(false);
    await c.connect();
    expect(c.retryNow(), "open: nothing to retry").toBe(false);
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    const port = first.port;
    await first.close();
    forget(first);
    await waitFor(() => c.state === "reconnecting", "reconnecting");
    expect(states.at(-1)?.delayMs).toBe(20_000);
    // Still down: the attempt fails and the next one waits out the (longer) backoff.
    expect(c.retryNow()).toBe(true);
    await waitFor(() => states.filter((s) => s.state === "reconnecting").length === 2, "the early attempt failed");
    expect(states.at(-1)).toMatchObject({ state: "reconnecting", attempt: 2, reason: expect.stringMatching(/ECONNREFUSED/) });
    await start({ port });
    const asked = Date.now();
    expect(c.retryNow()).toBe(true);
    // Within a second on a quiet machine; the bound is half the backoff it must not wait out, so a busy
    // machine's slow reconnect still passes and a client that waited for the backoff cannot.
    await waitFor(() => c.state === "open", "open again", 10_000);
    expect(Date.now() - asked).toBeLessThan(10_000);
    expect(states.at(-1)).toMatchObject({ state: "open", reconnected: true });
    expect(c.presence.get("bar")).toBeDefined();
  });

  it("does not cut short a wait the gateway asked for (RATE_LIMITED retryAfterMs): the retry comes then", async () => {
    const LOCKOUT_MS = 1_500;
    const gw = await start({ token: "s3cret", limits: { authFailures: { maxFailures: 1, lockoutMs: LOCKOUT_MS, delayMs: 1, maxDelayMs: 1 } } });
    const lockedSince = Date.now(); // the lockout starts after this, with the failure below
    await expect(client(gw.url, { token: "wrong", reconnect: false }).connect()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const c = client(gw.url, { token: "s3cret", reconnect: { initialDelayMs: 10, maxDelayMs: 5_000 } });
    const states: Array<StateChange & { at: number }> = [];
    c.on("state", (s) => states.push({ ...s, at: Date.now() }));
    c.connect({ retry: true }).catch(() => {});
    await waitFor(() => c.state === "reconnecting", "locked out");
    const locked = states.at(-1)!;
    expect(locked.error).toMatchObject({ code: "RATE_LIMITED" });
    // What is left of the lockout when the gateway refused (not the client's 10 ms backoff): at least the
    // lockout less the time since it began, however long a busy machine took to get here.
    expect(locked.delayMs).toBeGreaterThanOrEqual(Math.max(11, LOCKOUT_MS - (locked.at - lockedSince)));
    expect(c.retryNow(), "the gateway asked to wait").toBe(false);
    await waitFor(() => states.length > states.indexOf(locked) + 1, "the next attempt", scaled(5_000));
    const next = states[states.indexOf(locked) + 1]!;
    expect(next.state).toBe("connecting");
    expect(next.at - locked.at).toBeGreaterThan(locked.delayMs! - 400);
  });
});
