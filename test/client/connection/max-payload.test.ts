// A request over the gateway's maxPayload (hello-ok policy.maxPayload, in UTF-8 bytes) is refused by
// the client before it is sent: the gateway would answer PAYLOAD_TOO_LARGE and close the connection
// with 1009 (SPEC B3), failing every other call in flight and forcing a reconnect, while the caller's
// own call read only "connection closed (1009 payload too large)". Reference gateway on loopback.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, GatewayError, type PresenceClient, type StateChange } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";

describe("requests over the gateway's maxPayload", () => {
  let gw: Gateway;
  let client: PresenceClient;
  afterEach(async () => {
    await client.close();
    await gw.close();
  });

  it("reject with a RangeError naming the sizes, nothing sent; the connection and other calls go on", async () => {
    gw = await createGateway({ port: 0, maxPayload: 4096 });
    client = createPresenceClient({ url: gw.url, client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" }, instanceId: "desk-1" });
    const hello = await client.connect();
    expect(hello.policy.maxPayload).toBe(4096);
    const states: StateChange[] = [];
    client.on("state", (s) => states.push(s));
    const gatewayErrors: Error[] = [];
    client.on("error", (e) => gatewayErrors.push(e));

    // 2,100 two-byte characters: 2,100 UTF-16 units but over 4,096 bytes in UTF-8.
    const [big, listing] = await Promise.all([
      client.systemEvent({ instanceId: "desk-1", reason: "periodic", text: "é".repeat(2100) }).catch((e: unknown) => e),
      client.systemPresence(),
    ]);
    expect(big).toBeInstanceOf(RangeError);
    expect((big as Error).message).toMatch(
      /^system-event: the request is 4\d{3} bytes, over the gateway's maxPayload of 4096 bytes \(hello-ok policy\.maxPayload\): not sent \(the gateway would answer PAYLOAD_TOO_LARGE and close the connection, SPEC B3\)$/,
    );
    expect(listing.some((row) => row.instanceId === "desk-1")).toBe(true);

    // Under the limit in bytes, it is sent: the gateway judges it (text over SPEC B3's 1024 characters).
    const under = await client.systemEvent({ instanceId: "desk-1", reason: "periodic", text: "é".repeat(1500) }).catch((e: unknown) => e);
    expect(under).toBeInstanceOf(GatewayError);
    expect((under as GatewayError).code).toBe("INVALID_PARAMS");

    expect(client.state).toBe("open");
    expect(states).toEqual([]); // never closed, never reconnected
    expect(gatewayErrors).toEqual([]); // no PAYLOAD_TOO_LARGE from the gateway
    expect(gw.metrics().rejections ?? 0).toBe(0);
  });
});
