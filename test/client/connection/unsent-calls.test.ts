// A call made while the client has no open connection waits for one, within its timeout. When the
// timeout comes first the call was never sent: its error says so, and why (connect() not called, the
// gateway unreachable while reconnecting, a failed connect()), instead of "no answer", which sent a
// reader to look for a slow gateway. Real gateway and closed ports on loopback.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, TransportError, type PresenceClient, type PresenceClientOptions, type StateChange } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { waitFor } from "../scripted-gateway.js";

/** A loopback URL nothing listens on: a gateway's port, once it is closed. */
async function closedPortUrl(): Promise<string> {
  const gw = await createGateway({ port: 0 });
  await gw.close();
  return gw.url;
}

describe("calls that time out before a connection opened", () => {
  const clients: PresenceClient[] = [];
  const gateways: Gateway[] = [];
  const client = (url: string, extra: Partial<PresenceClientOptions> = {}) => {
    const c = createPresenceClient({ url, client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" }, ...extra });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  it("before connect() was called: not sent, connect() was not called", async () => {
    const gw = await createGateway({ port: 0 });
    gateways.push(gw);
    const c = client(gw.url);
    const error = await c.systemPresence(undefined, { timeoutMs: 150 }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: "timeout", message: "system-presence: not sent within 150 ms: the client is not connected: connect() was not called" });
    // Once connected, the same call goes out and is answered.
    await c.connect();
    expect((await c.systemPresence()).length).toBeGreaterThan(0);
  });

  it("while reconnecting to a gateway that went away: the reason of the last failure", async () => {
    const gw = await createGateway({ port: 0 });
    const c = client(gw.url, { reconnect: { initialDelayMs: 3000, maxDelayMs: 3000, jitter: 0 } });
    await c.connect();
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    await gw.close();
    await waitFor(() => c.state === "reconnecting", "the reconnecting state");
    const error = await c.systemEvent({ reason: "periodic" }, { timeoutMs: 300 }).catch((e) => e);
    expect(states.map((s) => s.state)).toEqual(["reconnecting"]); // no attempt meanwhile (3 s delay)
    expect(error).toMatchObject({
      kind: "timeout",
      message: "system-event: not sent within 300 ms: the client is reconnecting (connection closed (1001 gateway shutting down))",
    });
  });

  it("after a connect() that failed: the client is closed, with why (URL secrets redacted), and connect() may be called again", async () => {
    const url = await closedPortUrl();
    const c = client(`${url}/?token=s3cret-in-url`);
    await expect(c.connect()).rejects.toMatchObject({ kind: "closed" });
    const error = await c.systemPresence(undefined, { timeoutMs: 150 }).catch((e) => e);
    expect(error).toMatchObject({
      kind: "timeout",
      message: `system-presence: not sent within 150 ms: the client is closed (cannot open ${url}/?token=<REDACTED>: ECONNREFUSED): connect() may be called again`,
    });
  });

  it("a call after close() names its method", async () => {
    const gw = await createGateway({ port: 0 });
    gateways.push(gw);
    const c = client(gw.url);
    await c.connect();
    await c.close();
    await expect(c.systemPresence()).rejects.toMatchObject({ kind: "closed", message: "system-presence: client closed" });
  });
});

