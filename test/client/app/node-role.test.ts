// A client with role "node" that sends beacons: SPEC H7 refuses a node both presence methods, whatever
// its scopes, on the reference gateway (both bindings) as on OpenClaw 2026.1.30 and 2026.9.6
// ("unauthorized role: node"). The error says so and what to do instead, rather than naming a
// scope (operator.write) that a node cannot be given.
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/index.js";
import { useReferenceGateways } from "../reference-fixture.js";
import { waitFor } from "../scripted-gateway.js";

const NODE_HINT = /role "node" may call neither system-event nor system-presence \(SPEC H7\), whatever its scopes: .* use a second client with role "operator" \(scope operator\.write\)/;

describe.each(["jsonrpc", "openclaw"] as const)("role node over %s", (binding) => {
  const { start, client } = useReferenceGateways(
    { binding },
    { binding, client: { id: "node-host", displayName: "build box", version: "1.0.0", platform: "linux", mode: "node" }, instanceId: "build-box-1" },
  );

  it("a beacon is FORBIDDEN, and the error says a node needs none and how to send one anyway", async () => {
    const gw = await start();
    const node = client(gw.url, { role: "node", scopes: ["operator.write"] });
    await node.connect();
    const failed: Array<{ error: Error; reason: string }> = [];
    node.startBeacons({ intervalMs: 60_000, onError: (error, reason) => failed.push({ error, reason }) });
    await waitFor(() => failed.length === 1, "the launch beacon's failure");
    const [{ error, reason }] = failed;
    expect(reason).toBe("launch");
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("FORBIDDEN");
    expect(error.message).toMatch(NODE_HINT);
    // The method is said once, though the reference gateway's own message starts with it too.
    expect(error.message).toMatch(/^system-event: FORBIDDEN: (role node may not call it|unauthorized role: node) \(/);
    expect(error.message).toMatch(/its row comes from its connection \(reason node-connected, SPEC P4\)/);
    // ... and the row is there, from the connection alone.
    const reader = client(gw.url, { client: { id: "bar", version: "1.0.0", platform: "linux", mode: "ui" }, instanceId: "bar" });
    await reader.connect();
    expect(reader.presence.get("build-box-1")).toMatchObject({ reason: "node-connected", roles: ["node"] });
  });

  it("system-presence names operator.read; an operator lacking a scope gets no node advice", async () => {
    const gw = await start();
    const node = client(gw.url, { role: "node" });
    await node.connect();
    const listing = await node.systemPresence().catch((e: Error) => e);
    expect(listing).toBeInstanceOf(GatewayError);
    expect((listing as Error).message).toMatch(/to send beacons or list presence, use a second client with role "operator" \(scope operator\.read\)/);

    const reader = client(gw.url, { role: "operator", scopes: ["operator.read"], instanceId: "reader" });
    await reader.connect();
    const beacon = await reader.systemEvent({ instanceId: "reader", reason: "periodic" }).catch((e: Error) => e);
    expect(beacon).toMatchObject({ code: "FORBIDDEN", missingScope: "operator.write" });
    expect((beacon as Error).message).toMatch(/^system-event: FORBIDDEN: missing scope: operator\.write/);
    expect((beacon as Error).message).not.toMatch(/role "node"/);
  });
});
