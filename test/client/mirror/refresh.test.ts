// presenceRefreshMs against the reference gateway: keep-alives refresh a quiet connection's ts on the
// gateway without any push (SPEC P7), so a mirror left alone shows a connected client's row ever older
// (Idle after 2 minutes while the gateway lists it Active); with the option it re-reads the list.
import { describe, expect, it } from "vitest";
import { createPresenceClient } from "../../../src/index.js";
import { useReferenceGateways } from "../reference-fixture.js";
import { waitFor } from "../scripted-gateway.js";
import { scaled } from "../../support/timing.js";

describe("presenceRefreshMs", () => {
  const { start, client } = useReferenceGateways({ keepAliveIntervalMs: 100 }, { client: { id: "status-bar", version: "1.0.0", platform: "linux", mode: "ui" } });

  it.each([true, false])("keeps quiet connected rows fresh in the mirror (delta stream %s)", async (presenceDelta) => {
    const gw = await start();
    const refreshed = client(gw.url, { instanceId: "refreshed", presenceRefreshMs: 200, presenceDelta });
    const plain = client(gw.url, { instanceId: "plain", presenceDelta });
    await plain.connect();
    await refreshed.connect();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // The gateway has the plain client's row fresh (keep-alive), its mirror does not.
    const listed = (await plain.systemPresence()).find((r) => r.instanceId === "plain")!;
    expect(plain.gatewayClock.ageMs(listed)).toBeLessThan(1_500);
    expect(plain.gatewayClock.ageMs(plain.presence.get("plain")!), "no refresh: the row ages in the mirror").toBeGreaterThan(2_000);
    const fresh = (instanceId: string) => refreshed.gatewayClock.ageMs(refreshed.presence.get(instanceId)!) < 1_500;
    await waitFor(() => fresh("plain") && fresh("refreshed"), "the refreshed mirror has both rows fresh", scaled(3_000));
  });

  it("is checked: > 0 and at most a timer's longest wait", () => {
    const base = { url: "ws://127.0.0.1:1", client: { id: "x", version: "1", platform: "linux", mode: "ui" } };
    expect(() => createPresenceClient({ ...base, presenceRefreshMs: 0 })).toThrow(/presenceRefreshMs/);
    expect(() => createPresenceClient({ ...base, presenceRefreshMs: 3_000_000_000 })).toThrow(/presenceRefreshMs must be at most 2147483647 ms/);
  });
});
