// Reconnect, backoff, fatal answers and the dead-connection watchdog, against a scripted server.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPresenceClient, GatewayError, type HelloOk, type PresenceClient, type StateChange } from "../../../src/index.js";
import { helloFor, startScriptedGateway, waitFor, type ScriptedGateway } from "../scripted-gateway.js";
import { scaled } from "../../support/timing.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };
const fast = { initialDelayMs: 20, maxDelayMs: 80 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("client reconnect", () => {
  let gw: ScriptedGateway;
  let client: PresenceClient | undefined;
  let states: StateChange[];
  const track = (c: PresenceClient) => {
    states = [];
    c.on("state", (s) => states.push(s));
    return (client = c);
  };
  beforeEach(async () => {
    gw = await startScriptedGateway();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await gw.close();
  });

  it("re-handshakes with the same instanceId, takes the new snapshot, and calls onReconnect", async () => {
    const reconnects: HelloOk[] = [];
    const c = track(createPresenceClient({ url: gw.url, client: info, reconnect: fast, onReconnect: (h) => void reconnects.push(h) }));
    gw.version = 50;
    await c.connect();
    expect(c.presence.version).toBe(50);
    gw.list = [{ host: "restarted", ts: Date.now() }];
    gw.version = 2; // a restarted gateway counts from the start again
    for (const s of gw.sockets) s.terminate();
    await waitFor(() => reconnects.length === 1, "onReconnect");
    const connects = gw.requests.filter((r) => r.method === "connect").map((r) => r.params.client.instanceId);
    expect(connects).toEqual([c.instanceId, c.instanceId]);
    expect(c.presence.version).toBe(2);
    expect(c.presence.entries).toEqual(gw.list);
    expect(reconnects[0].snapshot.stateVersion.presence).toBe(2);
    expect(states.map((s) => s.state)).toEqual(["connecting", "open", "reconnecting", "connecting", "open"]);
    expect(states[2]).toMatchObject({ reason: "connection closed (1006)", attempt: 1 });
    expect(states[2].delayMs).toBeGreaterThanOrEqual(10);
    expect(states[2].delayMs).toBeLessThanOrEqual(20);
    expect(states[4]).toMatchObject({ reconnected: true });
  });

  it("holds calls made while reconnecting and sends them once the connection is back", async () => {
    const c = track(createPresenceClient({ url: gw.url, client: info, reconnect: { initialDelayMs: 150, maxDelayMs: 150 } }));
    await c.connect();
    for (const s of gw.sockets) s.terminate();
    await waitFor(() => c.state === "reconnecting", "reconnecting");
    const result = await c.systemEvent({ reason: "queued" });
    expect(result).toEqual({ ok: true });
    const methods = gw.requests.map((r) => r.method);
    expect(methods).toEqual(["connect", "connect", "system-event"]);
  });

  it("stops on a fatal answer to a re-handshake (UNAUTHORIZED) with the gateway's error", async () => {
    const c = track(createPresenceClient({ url: gw.url, client: info, reconnect: fast }));
    await c.connect();
    gw.handlers.connect = () => ({ error: { code: -32002, message: "unauthorized", data: { code: "UNAUTHORIZED" } } });
    for (const s of gw.sockets) s.terminate();
    await waitFor(() => c.state === "closed", "closed");
    const last = states.at(-1)!;
    expect(last.error).toBeInstanceOf(GatewayError);
    expect(last.error).toMatchObject({ code: "UNAUTHORIZED" });
    expect(last.reason).toMatch(/^fatal: connect: UNAUTHORIZED: unauthorized/);
    await sleep(300); // several backoff periods: no new attempt
    expect(gw.requests.filter((r) => r.method === "connect")).toHaveLength(2);
    await expect(c.systemPresence()).rejects.toMatchObject({ kind: "closed" });
  });

  it("rejects connect() on PROTOCOL_MISMATCH and never retries, even with retry: true", async () => {
    gw.handlers.connect = () => ({
      error: { code: -32001, message: "protocol mismatch", data: { code: "PROTOCOL_MISMATCH", min: 3, max: 4 } },
    });
    const c = track(createPresenceClient({ url: gw.url, client: info, reconnect: fast }));
    const error = await c.connect({ retry: true }).catch((e) => e);
    expect(error).toMatchObject({ name: "GatewayError", code: "PROTOCOL_MISMATCH", data: { min: 3, max: 4 } });
    await sleep(200);
    expect(gw.requests).toHaveLength(1);
    expect(c.state).toBe("closed");
    await expect(c.connect()).rejects.toThrow(/client is closed/);
  });

  it("with retry: true waits for a gateway that is not up yet", async () => {
    const port = gw.port;
    await gw.close();
    const c = track(createPresenceClient({ url: `ws://127.0.0.1:${port}`, client: info, reconnect: fast }));
    const connecting = c.connect({ retry: true });
    await waitFor(() => states.filter((s) => s.state === "reconnecting").length >= 2, "two failed attempts");
    gw = await startScriptedGateway(port);
    expect((await connecting).type).toBe("hello-ok");
    expect(states.find((s) => s.state === "reconnecting")?.error?.message).toMatch(/ECONNREFUSED/);
  });

  it("gives up after maxAttempts failures in a row", async () => {
    const c = track(createPresenceClient({ url: gw.url, client: info, reconnect: { ...fast, maxAttempts: 3 } }));
    await c.connect();
    await gw.close();
    await waitFor(() => c.state === "closed", "closed", scaled(3000));
    // The dropped connection (up less than minUptimeMs) is failure 1, then two failed redials.
    expect(states.filter((s) => s.state === "reconnecting")).toHaveLength(2);
    expect(states.at(-1)!.reason).toMatch(/gave up after 3 attempts: cannot open/);
  });

  it("drops a connection that goes silent past 3 tick intervals and reconnects", async () => {
    gw.handlers.connect = () => helloFor(gw.list, gw.version, {
      features: { methods: [], events: ["presence", "tick"] },
      policy: { maxPayload: 524288, maxBufferedBytes: 1048576, tickIntervalMs: 40 },
    });
    const ticks: unknown[] = [];
    const c = track(createPresenceClient({ url: gw.url, client: info, reconnect: fast }));
    c.on("tick", (t) => ticks.push(t));
    await c.connect();
    gw.notify("tick", { ts: 123 });
    await waitFor(() => states.some((s) => s.state === "reconnecting"), "the watchdog to fire", scaled(3000));
    expect(ticks).toEqual([{ ts: 123 }]);
    expect(states.find((s) => s.state === "reconnecting")!.reason).toMatch(/nothing received for \d+ ms/);
    await waitFor(() => states.filter((s) => s.state === "open").length === 2, "the reconnect");
  });

  it("treats an error with id null during the handshake as the answer to connect", async () => {
    gw.handlers.connect = (req) => {
      req.socket.send(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: "handshake timeout" } }));
      return "silent";
    };
    const c = track(createPresenceClient({ url: gw.url, client: info, reconnect: fast }));
    await expect(c.connect()).rejects.toMatchObject({ name: "GatewayError", code: "NOT_CONNECTED", message: /handshake timeout/ });
  });

  it("gives up on a handshake nobody answers after connectTimeoutMs", async () => {
    gw.handlers.connect = () => "silent";
    const c = track(createPresenceClient({ url: gw.url, client: info, connectTimeoutMs: 100 }));
    await expect(c.connect()).rejects.toMatchObject({ kind: "timeout", message: /connect: no answer within 100 ms/ });
    expect(c.state).toBe("closed");
  });
});
