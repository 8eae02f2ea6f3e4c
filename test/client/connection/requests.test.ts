// Timeouts, aborts, closes and gateway errors, against a scripted JSON-RPC server on loopback.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPresenceClient, GatewayError, TransportError, type PresenceClient } from "../../../src/index.js";
import { startScriptedGateway, waitFor, type ScriptedGateway } from "../scripted-gateway.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

describe("client requests", () => {
  let gw: ScriptedGateway;
  let client: PresenceClient;
  beforeEach(async () => {
    gw = await startScriptedGateway();
    client = createPresenceClient({ url: gw.url, client: info, requestTimeoutMs: 2000, reconnect: false });
  });
  afterEach(async () => {
    await client.close();
    await gw.close();
  });

  it("sends the same instanceId, token, role and scopes in connect, and resolves to hello-ok", async () => {
    const c = createPresenceClient({
      url: gw.url,
      client: { ...info, displayName: "Desk" },
      instanceId: "Fixed-ID",
      token: "s3cret",
      role: "operator",
      scopes: ["operator.read"],
    });
    const hello = await c.connect();
    expect(hello.type).toBe("hello-ok");
    expect(c.state).toBe("open");
    const params = gw.requests.find((r) => r.method === "connect")!.params;
    expect(params).toEqual({
      minProtocol: 1,
      maxProtocol: 1,
      client: { ...info, displayName: "Desk", instanceId: "Fixed-ID" },
      role: "operator",
      scopes: ["operator.read"],
      auth: { token: "s3cret" },
      caps: ["presence.delta"],
    });
    expect(await c.connect()).toBe(hello); // already open: the same hello
    await c.close();
  });

  it("rejects with TransportError timeout after the default, or the per-call, timeout", async () => {
    await client.connect();
    gw.handlers["system-presence"] = () => "silent";
    const started = Date.now();
    const error = await client.systemPresence({}, { timeoutMs: 150 }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/system-presence: no answer within 150 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    // The handshake gets its own, generous limit (it defaults to requestTimeoutMs: 100 ms failed the
    // connect itself at load 15-35); the request after it is what times out at 100 ms.
    const quick = createPresenceClient({ url: gw.url, client: info, requestTimeoutMs: 100, connectTimeoutMs: 20_000, reconnect: false });
    await quick.connect();
    await expect(quick.systemPresence()).rejects.toMatchObject({ name: "TransportError", kind: "timeout", message: expect.stringMatching(/no answer within 100 ms/) });
    await quick.close();
  });

  it("rejects with TransportError aborted when the signal fires, before or after the send", async () => {
    await client.connect();
    gw.handlers["system-presence"] = () => "silent";
    const controller = new AbortController();
    const pending = client.systemPresence({}, { signal: controller.signal });
    await waitFor(() => gw.requests.some((r) => r.method === "system-presence"), "the request to arrive");
    controller.abort(new Error("user left"));
    const error = await pending.catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe("aborted");
    expect((error.cause as Error).message).toBe("user left");
    // Whether the gateway got it, and why it was aborted, in the message.
    expect(error.message).toBe("system-presence: aborted after it was sent (the gateway may still act on it): user left");

    const before = gw.requests.length;
    await expect(client.systemEvent({ reason: "x" }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      kind: "aborted",
      message: "system-event: aborted before it was sent",
    });
    expect(gw.requests.length).toBe(before); // never sent
    // A call queued while not connected, ended by AbortSignal.timeout().
    const idle = createPresenceClient({ url: gw.url, client: info });
    await expect(idle.systemPresence(undefined, { signal: AbortSignal.timeout(30) })).rejects.toMatchObject({
      kind: "aborted",
      message: "system-presence: aborted before it was sent: timed out (the signal's timeout)",
    });
    await idle.close();
  });

  it("rejects every pending call with TransportError closed when the socket closes", async () => {
    await client.connect();
    gw.handlers["system-presence"] = () => "silent";
    gw.handlers["system-event"] = () => "silent";
    const calls = [client.systemPresence(), client.systemEvent({ reason: "a" }), client.systemPresence()];
    await waitFor(() => gw.requests.length >= 4, "three requests to arrive");
    for (const s of gw.sockets) s.terminate();
    const results = await Promise.allSettled(calls);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const reason = (r as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(TransportError);
      expect(reason.kind).toBe("closed");
      expect(reason.message).toMatch(/connection closed \(1006\)/);
    }
  });

  it("rejects pending calls, and later ones, when the client is closed", async () => {
    await client.connect();
    gw.handlers["system-presence"] = () => "silent";
    const pending = client.systemPresence().catch((e) => e);
    await waitFor(() => gw.requests.length >= 2, "the request to arrive");
    await client.close();
    expect(await pending).toMatchObject({ name: "TransportError", kind: "closed", message: expect.stringMatching(/client closed/) });
    await expect(client.systemPresence()).rejects.toMatchObject({ kind: "closed" });
    await expect(client.connect()).rejects.toThrow("connect: the client is closed for good (close() was called): create a new client to connect again");
    expect(() => client.startBeacons()).toThrow("startBeacons: the client is closed for good (close() was called): create a new client to connect again");
    expect(client.state).toBe("closed");
  });

  it("turns error answers into GatewayError with the SPEC §10 name and data", async () => {
    await client.connect();
    gw.handlers["system-event"] = () => ({
      error: { code: -32004, message: "rate limited", data: { code: "RATE_LIMITED", retryAfterMs: 750 } },
    });
    const error = await client.systemEvent({ reason: "periodic" }).catch((e) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "RATE_LIMITED", rpcCode: -32004, method: "system-event", retryAfterMs: 750 });
    expect(error.message).toBe("system-event: RATE_LIMITED: rate limited");

    gw.handlers["system-presence"] = () => ({ error: { code: -32003, message: "forbidden" } });
    // No data.code: the name is read from the number, and the message says so rather than show a name never sent.
    await expect(client.systemPresence()).rejects.toMatchObject({ code: "FORBIDDEN", rpcCode: -32003, data: undefined, message: "system-presence: -32003 (FORBIDDEN in SPEC §10): forbidden" });
  });

  it("keeps rpcCode a number: a code that is not one (a string, \"\") stays in the message, never in rpcCode", async () => {
    await client.connect();
    gw.handlers["system-presence"] = () => ({ error: { code: "BUSY", message: "try later" } });
    await expect(client.systemPresence()).rejects.toMatchObject({ code: "BUSY", rpcCode: undefined, message: "system-presence: BUSY: try later" });
    // An empty data.code names nothing: the name is read from the number, and the message says so (not "system-presence: : no").
    gw.handlers["system-presence"] = () => ({ error: { code: -32003, message: "no", data: { code: "" } } });
    await expect(client.systemPresence()).rejects.toMatchObject({ code: "FORBIDDEN", rpcCode: -32003, message: "system-presence: -32003 (FORBIDDEN in SPEC §10): no" });
    gw.handlers["system-presence"] = () => ({ error: { code: "", message: "no" } });
    await expect(client.systemPresence()).rejects.toMatchObject({ code: "(empty code)", rpcCode: undefined, message: "system-presence: (empty code): no" });
  });

  it("rejects params it cannot encode without breaking the connection", async () => {
    await client.connect();
    await expect(client.request("system-event", { reason: 1n } as never)).rejects.toThrow(/BigInt/);
    expect(await client.systemPresence()).toEqual(gw.list);
  });

  it("fails connect() with a clear error when nothing listens, and allows a later connect()", async () => {
    const port = gw.port;
    await gw.close();
    const states: string[] = [];
    const c = createPresenceClient({ url: `ws://127.0.0.1:${port}`, client: info });
    c.on("state", (s) => states.push(s.state));
    await expect(c.connect()).rejects.toMatchObject({ kind: "closed", message: expect.stringMatching(/cannot open .*ECONNREFUSED/) });
    expect(states).toEqual(["connecting", "closed"]);
    gw = await startScriptedGateway(port);
    expect((await c.connect()).type).toBe("hello-ok");
    await c.close();
  });
});
