// Against the reference gateway: timeouts, aborts and pending calls on close, over a client whose
// inbound frames are held back (a client that stopped reading).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPresenceClient, GatewayError, TransportError, type PresenceClient } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { LossySocket } from "../lossy-socket.js";

describe("client requests against the reference gateway", () => {
  let gw: Gateway;
  let client: PresenceClient;
  let socket: LossySocket;
  beforeEach(async () => {
    gw = await createGateway({ port: 0 });
    client = createPresenceClient({
      url: gw.url,
      client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" },
      WebSocket: LossySocket,
      reconnect: false,
    });
    await client.connect();
    socket = LossySocket.all.at(-1)!;
  });
  afterEach(async () => {
    await client.close();
    await gw.close();
  });

  it("times out when the answer does not come in time, then goes on normally", async () => {
    socket.holding = true;
    const error = await client.systemPresence({}, { timeoutMs: 200 }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: "timeout", message: "system-presence: no answer within 200 ms" });
    socket.holding = false; // the late answer arrives and is ignored
    const list = await client.systemPresence();
    expect(list.some((e) => e.instanceId === client.instanceId)).toBe(true);
  });

  it("aborts a call in flight", async () => {
    socket.holding = true;
    const controller = new AbortController();
    const call = client.systemEvent({ reason: "periodic" }, { signal: controller.signal }).catch((e) => e);
    setTimeout(() => controller.abort(), 50);
    expect(await call).toMatchObject({ name: "TransportError", kind: "aborted", message: "system-event: aborted after it was sent (the gateway may still act on it)" });
    socket.holding = false;
  });

  it("rejects every pending call with TransportError closed when the gateway goes away", async () => {
    socket.holding = true;
    const calls = [client.systemPresence(), client.systemEvent({ reason: "periodic" }), client.systemPresence()].map((p) =>
      p.catch((e: unknown) => e),
    );
    await gw.close();
    for (const result of await Promise.all(calls)) {
      expect(result).toBeInstanceOf(TransportError);
      expect(result).toMatchObject({ kind: "closed", message: expect.stringMatching(/connection closed \(1001 gateway shutting down\)/) });
    }
    expect(client.state).toBe("closed");
  });

  it("gets the gateway's errors as GatewayError with the SPEC §10 name and data", async () => {
    const error = await client.request("system-event", { instanceId: "x".repeat(129) }).catch((e) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe("INVALID_PARAMS");
    expect(error.rpcCode).toBe(-32602);
    expect(JSON.stringify(error.data)).toMatch(/instanceId/);
    const unknown = await client.request("no.such.method" as never, undefined).catch((e) => e);
    expect(unknown).toMatchObject({ code: "METHOD_NOT_FOUND", rpcCode: -32601 });
  });

  it("gets RATE_LIMITED with retryAfterMs after a flood of beacons", async () => {
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => client.systemEvent({ reason: "periodic" })));
    const limited = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toBeInstanceOf(GatewayError);
    expect(limited[0].code).toBe("RATE_LIMITED");
    expect(limited[0].retryAfterMs).toBeGreaterThan(0);
  });
});
