// `npm run floods:crowd` in small (scripts/hardening/crowd-flood.ts): connects from several loopback
// addresses against a gateway process while live clients, connected before, keep calling
// system-presence. What is asserted is what must hold on any machine: every live call answered, every
// flood attempt ended with hello-ok or a refusal the script recognises (the frames and HTTP statuses
// are the documented ones), the gateway counted what it refused. No timing.
import { describe, expect, it } from "vitest";
import { crowdFlood, PER_ADDRESS_ONLY } from "../../../scripts/hardening/crowd-flood.js";

const KNOWN = new Set(["hello-ok", "HANDSHAKE_RATE", "HANDSHAKE_LIMIT", "CONNECTION_LIMIT", "GATEWAY_CONNECTION_LIMIT", "GATEWAY_HANDSHAKE_LIMIT", "OVERLOADED (frame)", "OVERLOADED (HTTP 503)", "CONNECTION_RATE (HTTP 503)", "HTTP 429"]);

describe("crowd flood", () => {
  it.each([
    ["per-address limits only", PER_ADDRESS_ONLY],
    ["a gateway-wide handshake ceiling of 4", { maxPendingHandshakes: 4, maxConnections: 20 }],
    // The 20 idle rows and 2 live clients take 22 tokens before the flood; then 6 addresses x 20
    // attempts a second for 2 s meet a bucket of 18 refilled at 5 a second.
    ["a gateway-wide connection rate of 5 per second, burst 40", { ...PER_ADDRESS_ONLY, connectionRate: { perSecond: 5, burst: 40 } }, "CONNECTION_RATE (HTTP 503)"],
  ])("%s: the live clients' calls are all answered, every attempt ends as documented", { timeout: 60_000 }, async (label, limits, expected?: string) => {
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
});
