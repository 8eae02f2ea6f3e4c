// The openclaw binding on the wire (SPEC T2): challenge, negotiation, hello-ok, events, errors, bad frames.
import { describe, expect, it } from "vitest";
import { validate } from "../../../../src/validation/index.js";
import { list, rowOf, WireClient, connectParams } from "../../helpers.js";
import { ocConnect, ocConnectParams, OcClient, startOpenClawGateway, type OcEvent, type OcRes } from "./helpers.js";

describe("openclaw binding: handshake", () => {
  it("sends connect.challenge first, with a fresh nonce per connection", async () => {
    const gw = await startOpenClawGateway();
    const a = await OcClient.open(gw.url);
    const b = await OcClient.open(gw.url);
    const first = a.frames.length > 0 ? a.frames[0] : await a.waitFor(() => true);
    expect(first).toMatchObject({ type: "event", event: "connect.challenge", payload: { nonce: expect.any(String), ts: expect.any(Number), capabilities: [] } });
    expect(first).not.toHaveProperty("seq");
    const [na, nb] = [await a.nonce(), await b.nonce()];
    expect(na).toMatch(/^[0-9a-f-]{36}$/);
    expect(na).not.toBe(nb);
  });

  it("negotiates protocol 4, or 3 for a 2026.1.x client; hello-ok in OpenClaw's shape is SPEC H4's plus fields", async () => {
    const gw = await startOpenClawGateway({ token: "T" });
    const { hello: v4 } = await ocConnect(gw, { instanceId: "four", token: "T" });
    expect(v4.protocol).toBe(4);
    expect(validate("HelloOk", v4).ok).toBe(true);
    expect(v4).toMatchObject({
      type: "hello-ok",
      server: { version: expect.any(String), connId: expect.any(String) },
      features: { methods: ["connect", "system-event", "system-presence", "presence.resync"], events: ["presence", "presence.delta", "tick"] },
      snapshot: { stateVersion: { presence: expect.any(Number), health: 0 }, health: { ok: true }, authMode: "token", uptimeMs: expect.any(Number) },
      auth: { method: "token", role: "operator", scopes: ["operator.read", "operator.write"] },
      policy: { maxPayload: 524288, tickIntervalMs: 15000 },
    });
    const { hello: v3 } = await ocConnect(gw, { instanceId: "three", token: "T", min: 3, max: 3 });
    expect(v3.protocol).toBe(3);
    expect(rowOf((v3.snapshot as { presence: [] }).presence, "three")?.reason).toBe("connect");
  });

  it("refuses a protocol range without 3 or 4: PROTOCOL_MISMATCH in OpenClaw's shape, then close 1002", async () => {
    const gw = await startOpenClawGateway();
    const client = await OcClient.open(gw.url);
    const res = await client.req("connect", ocConnectParams({ min: 5, max: 9 }));
    expect(res).toMatchObject({
      ok: false,
      error: { code: "INVALID_REQUEST", message: "protocol mismatch", details: { code: "PROTOCOL_MISMATCH", minProtocol: 3, maxProtocol: 4, expectedProtocol: 4 } },
    });
    expect((await client.closed).code).toBe(1002);
  });

  it("accepts OpenClaw's extra connect fields and client ids and modes outside OpenClaw's enums", async () => {
    const gw = await startOpenClawGateway();
    const params = ocConnectParams({ instanceId: "watch-1", id: "my-own-client", mode: "smartwatch" });
    const client = params.client as Record<string, unknown>;
    Object.assign(client, { buildId: "b1", timeZone: "Europe/Vienna" });
    Object.assign(params, { caps: [], commands: ["x"], permissions: { a: true }, pathEnv: "/bin", locale: "da", userAgent: "ua", modelCatalog: {} });
    const c = await OcClient.open(gw.url);
    const hello = await c.payload<{ snapshot: { presence: [] } }>("connect", params);
    expect(rowOf(hello.snapshot.presence, "watch-1")).toMatchObject({ host: "my-own-client", mode: "smartwatch" });
    expect(rowOf(hello.snapshot.presence, "watch-1")).not.toHaveProperty("timeZone");
  });

  it("refuses a missing or wrong token the way OpenClaw words it, then closes 1008", async () => {
    const gw = await startOpenClawGateway({ token: "T" });
    const missing = await OcClient.open(gw.url);
    expect(await missing.req("connect", ocConnectParams())).toMatchObject({
      ok: false,
      error: { code: "INVALID_REQUEST", message: /^unauthorized: gateway token missing/, details: { code: "AUTH_TOKEN_MISSING" } },
    });
    expect((await missing.closed).code).toBe(1008);
    const wrong = await OcClient.open(gw.url);
    const res = await wrong.req("connect", ocConnectParams({ token: "nope" }));
    expect(res.error).toMatchObject({ message: /^unauthorized: gateway token mismatch/, details: { code: "AUTH_TOKEN_MISMATCH", canRetryWithDeviceToken: false } });
    expect(JSON.stringify(res)).not.toContain('"T"');
  });

  it("answers a request before connect, and a second connect, without recording anything", async () => {
    const gw = await startOpenClawGateway();
    const client = await OcClient.open(gw.url);
    expect(await client.req("system-presence")).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" } });
    await client.payload("connect", ocConnectParams({ instanceId: "once" }));
    expect(await client.req("connect", ocConnectParams({ instanceId: "twice" }))).toMatchObject({ ok: false, error: { message: /already connected/ } });
    const rows = await client.payload<Array<{ instanceId?: string }>>("system-presence");
    expect(rows.map((r) => r.instanceId).filter(Boolean)).toEqual(["once"]);
  });

  it("a silent client gets the handshake-timeout error with id null, then close 1008", async () => {
    const gw = await startOpenClawGateway({ handshakeTimeoutMs: 100 });
    const client = await OcClient.open(gw.url);
    const res = (await client.waitFor((f) => f.type === "res")) as unknown as OcRes;
    expect(res).toEqual({ type: "res", id: null, ok: false, error: { code: "INVALID_REQUEST", message: "handshake timeout" } });
    expect((await client.closed).code).toBe(1008);
  });
});

describe("openclaw binding: methods and errors", () => {
  it("answers unknown methods, invalid params, missing scopes and the rate limit with OpenClaw's codes and details", async () => {
    const gw = await startOpenClawGateway({ rateLimit: { burst: 2, perSecond: 0.5 } });
    const { client } = await ocConnect(gw, { instanceId: "caller" });
    expect((await client.req("nope")).error).toEqual({ code: "INVALID_REQUEST", message: "unknown method: nope" });
    const bad = await client.req("system-event", { text: "x", bogus: 1, lastInputSeconds: "soon" });
    expect(bad.error?.code).toBe("INVALID_REQUEST");
    expect(bad.error?.message).toMatch(/^invalid system-event params: /);
    expect(bad.error?.message).toContain("at root: unexpected property 'bogus'");
    expect(bad.error?.message).toContain("at /lastInputSeconds: must be integer");
    expect(bad.error?.details).toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ path: "/bogus" })]) });
    await client.payload("system-event", { text: "two" });
    const limited = await client.req("system-event", { text: "three" });
    expect(limited.error).toMatchObject({ code: "RATE_LIMITED", retryable: true, retryAfterMs: expect.any(Number) });
    expect(limited.error!.retryAfterMs).toBeGreaterThan(0);

    const { client: reader } = await ocConnect(gw, { instanceId: "reader", scopes: ["operator.read"] });
    expect((await reader.req("system-event", { text: "x" })).error).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.write",
      details: { code: "MISSING_SCOPE", missingScope: "operator.write", requiredScopes: ["operator.write", "operator.admin"] },
    });
    const { client: node } = await ocConnect(gw, { instanceId: "a-node", role: "node", mode: "node" });
    expect((await node.req("system-presence")).error).toMatchObject({ code: "FORBIDDEN", message: "unauthorized role: node", details: { missingScope: "operator.read" } });
  });

  it("bad frames get OpenClaw-shaped errors, never crash the gateway nor change the list (SPEC B1)", async () => {
    const gw = await startOpenClawGateway();
    const { client } = await ocConnect(gw, { instanceId: "steady" });
    const before = await client.payload<unknown[]>("system-presence");
    const bad: Array<[string | Buffer, boolean, RegExp, string | null]> = [
      ["{nojson", false, /^parse error: not JSON/, null],
      ["[1,2]", false, /^invalid request frame: at root: must be a req frame object, got an array/, null],
      ['"req"', false, /got string/, null],
      ['{"type":"event","id":"e1","method":"x"}', false, /at \/type: must be "req"/, "e1"],
      ['{"type":"req","method":"system-presence"}', false, /at \/id: must be a non-empty string/, null],
      ['{"type":"req","id":"x1","method":""}', false, /at \/method/, "x1"],
      ['{"type":"req","id":"x2","method":"system-presence","extra":1}', false, /unexpected property 'extra'/, "x2"],
      [Buffer.from('{"type":"req","id":"b","method":"system-presence"}'), true, /binary frames are not accepted/, null],
    ];
    for (const [frame, binary, message, id] of bad) {
      const from = client.frames.length;
      client.sendRaw(frame, binary);
      const res = (await client.waitFor((f) => client.frames.indexOf(f) >= from && f.type === "res")) as unknown as OcRes;
      expect(res, String(frame)).toMatchObject({ id, ok: false, error: { code: "INVALID_REQUEST", message } });
    }
    // details.errors names each problem at its JSON path, as the jsonrpc binding's data.errors does.
    const from = client.frames.length;
    client.sendRaw('{"type":"event","id":1e400,"method":"connect","extra":1}');
    const res = (await client.waitFor((f) => client.frames.indexOf(f) >= from && f.type === "res")) as unknown as OcRes;
    expect(res.error).toMatchObject({
      message: `invalid request frame: at /type: must be "req"; at /id: must be a non-empty string; at root: unexpected property 'extra'`,
      details: { errors: [{ path: "/type", message: 'must be "req"' }, { path: "/id", message: "must be a non-empty string" }, { path: "", message: "unexpected property 'extra'" }] },
    });
    expect(await client.payload("system-presence")).toHaveLength(before.length);
    expect(gw.metrics().connections).toBe(1);
  });

  it("an oversized frame gets a payload-too-large error with id null, then close 1009", async () => {
    const gw = await startOpenClawGateway({ maxPayload: 1024 });
    const { client } = await ocConnect(gw, { instanceId: "big" });
    client.sendRaw(JSON.stringify({ type: "req", id: "big", method: "system-event", params: { text: "x".repeat(2000) } }));
    const res = (await client.waitFor((f) => f.type === "res" && f.id === null)) as unknown as OcRes;
    expect(res.error).toMatchObject({ code: "INVALID_REQUEST", message: /^payload too large: frame of \d+ bytes exceeds maxPayload \(1024 bytes\)/ });
    expect((await client.closed).code).toBe(1009);
  });
});

describe("openclaw binding: events", () => {
  it("presence and tick events carry seq per connection (1, 2, ...) and stateVersion {presence, health} on the frame", async () => {
    const gw = await startOpenClawGateway({ tickIntervalMs: 50 });
    const { client: a } = await ocConnect(gw, { mode: "cli", id: "watch-a" });
    await a.waitFor((f) => f.event === "tick");
    const { client: b } = await ocConnect(gw, { instanceId: "joiner" });
    await a.waitFor((f) => f.event === "presence");
    await b.payload("system-event", { text: "hi" });
    await a.waitFor((f) => f.event === "presence" && JSON.stringify(f).includes('"hi"'));
    await b.waitFor((f) => f.event === "tick");
    for (const client of [a, b]) {
      const events = client.frames.filter((f) => f.type === "event" && f.event !== "connect.challenge") as unknown as OcEvent[];
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      for (const e of events.filter((x) => x.event === "presence")) {
        expect(e.stateVersion).toEqual({ presence: expect.any(Number), health: 0 });
        expect(e.payload).not.toHaveProperty("stateVersion");
        expect(validate("PresenceEntry", (e.payload.presence as unknown[])[0]).ok).toBe(true);
      }
      for (const e of events.filter((x) => x.event === "tick")) expect(e).not.toHaveProperty("stateVersion");
    }
    const versions = a.events("presence").map((e) => e.stateVersion!.presence);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
  });
});

describe("both bindings over one store", () => {
  it("every client sees every row, and pushes reach both listeners", async () => {
    const { createGateway } = await import("../../../../src/server/index.js");
    const gw = await createGateway({ listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
    try {
      const [rpcUrl, ocUrl] = gw.listeners.map((l) => l.url);
      const rpc = await WireClient.open(rpcUrl!);
      await rpc.result("connect", connectParams({ instanceId: "via-jsonrpc" }));
      const oc = await OcClient.open(ocUrl!);
      await oc.payload("connect", ocConnectParams({ instanceId: "via-openclaw" }));
      await rpc.waitFor((f) => JSON.stringify(f).includes('"via-openclaw"'));
      await rpc.result("system-event", { text: "from jsonrpc" });
      await oc.waitFor((f) => f.event === "presence" && JSON.stringify(f).includes("from jsonrpc"));
      expect(rowOf(await list(rpc), "via-openclaw")?.reason).toBe("connect");
      const rows = await oc.payload<Array<{ instanceId?: string }>>("system-presence");
      expect(rowOf(rows as never, "via-jsonrpc")?.text).toBe("from jsonrpc");
      rpc.terminate();
      oc.terminate();
    } finally {
      await gw.close();
    }
  });
});
