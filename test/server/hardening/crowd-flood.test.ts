// `npm run floods:crowd` in small (scripts/hardening/crowd-flood.ts): connects from several loopback
// addresses against a gateway process while live clients, connected before, keep calling
// system-presence. What is asserted is what must hold on any machine: every live call answered, every
// flood attempt ended with hello-ok or a refusal the script recognises (the frames and HTTP statuses
// are the documented ones), the gateway counted what it refused. No timing.
import { describe, expect, it } from "vitest";
import { crowdFlood, PER_ADDRESS_ONLY } from "../../../scripts/hardening/crowd-flood.js";
import { scaled } from "../../support/timing.js";

const KNOWN = new Set(["hello-ok", "HANDSHAKE_RATE", "HANDSHAKE_LIMIT", "CONNECTION_LIMIT", "GATEWAY_CONNECTION_LIMIT", "GATEWAY_HANDSHAKE_LIMIT", "OVERLOADED (frame)", "OVERLOADED (HTTP 503)", "CONNECTION_RATE (HTTP 503)", "HTTP 429"]);

describe("crowd flood", () => {
  it.each([
    ["per-address limits only", PER_ADDRESS_ONLY],
    ["a gateway-wide handshake ceiling of 4", { maxPendingHandshakes: 4, maxConnections: 20 }],
    // The 20 idle rows and 2 live clients take 22 tokens before the flood; then 6 addresses x 20
    // attempts a second for 2 s meet a bucket of 18 refilled at 5 a second.
    ["a gateway-wide connection rate of 5 per second, burst 40", { ...PER_ADDRESS_ONLY, connectionRate: { perSecond: 5, burst: 40 } }, "CONNECTION_RATE (HTTP 503)"],
  ])("%s: the live clients' calls are all answered, every attempt ends as documented", { timeout: scaled(60_000) }, async (label, limits, expected?: string) => {
    const f = await crowdFlood({ label, limits, addresses: 6, rate: 20, live: 2, rows: 20, seconds: 2 });
    expect(f.live.failures).toBe(0);
    expect(f.live.calls).toBeGreaterThan(0);
    expect(f.attempts).toBeGreaterThan(0);
    expect(Object.keys(f.outcomes).filter((o) => !KNOWN.has(o))).toEqual([]);
    const refused = f.attempts - (f.outcomes["hello-ok"] ?? 0);
    expect(f.after.metrics.limitRefusals + f.after.metrics.overloadRefusals).toBe(refused);
    if (expected) expect(f.outcomes[expected]).toBe(f.after.metrics.connectionRateRefusals);
    if (expected) expect(f.outcomes[expected]).toBeGreaterThan(0);
  });

  // The bucket (burst 10, a token per 10 s) runs dry while the 17 idle residents connect: the rest of
  // them and both live clients get 503s before the flood starts. The run counts and reports them (it
  // used to die in the live clients' process on the first one and leave the run waiting).
  it("setup clients refused by a small connection-rate bucket are counted by reason, not a crash", { timeout: scaled(60_000) }, async () => {
    const f = await crowdFlood({ label: "tiny bucket", limits: { ...PER_ADDRESS_ONLY, connectionRate: { perSecond: 0.1, burst: 10 } }, addresses: 2, rate: 5, live: 2, rows: 20, seconds: 1 });
    expect(f.setup).toMatchObject({ residents: 17, live: 2, refusedResidents: 7, refusedLive: 2 });
    expect(f.setup.refused).toEqual({ "CONNECTION_RATE (HTTP 503)": 9 });
    expect(f.live).toMatchObject({ calls: 0, failures: 0 });
    expect(Object.keys(f.outcomes).filter((o) => !KNOWN.has(o))).toEqual([]);
    const floodRefused = f.attempts - (f.outcomes["hello-ok"] ?? 0);
    expect(f.after.metrics.connectionRateRefusals).toBe(9 + (f.outcomes["CONNECTION_RATE (HTTP 503)"] ?? 0));
    expect(f.after.metrics.limitRefusals + f.after.metrics.overloadRefusals).toBe(9 + floodRefused);
  });
});
