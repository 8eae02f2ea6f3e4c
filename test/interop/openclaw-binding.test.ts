// The openclaw binding's handshake preparation over a real socket: a loopback server that sends
// OpenClaw's connect.challenge and checks the signed device block the way OpenClaw does.
import { createHash, createPublicKey, verify } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { ConnectParams } from "../../src/protocol/connect.js";
import { buildDeviceAuthPayload, type DeviceAuthVersion } from "../../src/transport/device-identity.js";
import { generateNodeDeviceIdentity, nodeDeviceIdentity } from "../../src/transport/device-identity-node.js";
import { createOpenClawBinding, type OpenClawBindingOptions } from "../../src/transport/openclaw.js";
import { mapOpenClawError } from "../../src/transport/openclaw-errors.js";

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** Accepts one connection, sends `challenge` (unless null), resolves with the connect params received. */
async function challengeServer(challenge: Record<string, unknown> | null) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => wss.once("listening", r));
  cleanups.push(() => wss.close());
  const received = new Promise<{ params: any; origin?: string }>((resolve) => {
    wss.on("connection", (ws, req) => {
      if (challenge) ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: challenge }));
      ws.on("message", (d) => resolve({ params: JSON.parse(String(d)).params, origin: req.headers.origin }));
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, received };
}

const base: ConnectParams = { minProtocol: 3, maxProtocol: 4, client: { id: "actor-a", version: "1", platform: "Linux", deviceFamily: "Desktop", mode: "test", instanceId: "inst-a" }, auth: { token: "tok" } };

/** Runs prepareConnect over a real client socket and sends the result, as the SDK does. */
async function prepareOver(url: string, options: OpenClawBindingOptions, params: ConnectParams = base) {
  const binding = createOpenClawBinding({ challengeTimeoutMs: 500, ...options });
  const ws = new WebSocket(url, { headers: binding.upgradeHeaders?.(url, params) ?? {} });
  cleanups.push(() => ws.terminate());
  const events: Array<{ event: string; payload: unknown }> = [];
  const waiters: Array<(e: { event: string; payload: unknown }) => void> = [];
  ws.on("message", (d) => {
    for (const f of binding.decode(String(d))) if (f.kind === "event") (waiters.shift() ?? ((e) => events.push(e)))({ event: f.event, payload: f.payload });
  });
  await new Promise((r) => ws.once("open", r));
  const wire = await binding.prepareConnect!(params, {
    waitForEvent: (event, ms) =>
      new Promise((resolve, reject) => {
        const early = events.find((e) => e.event === event);
        if (early) return resolve(early.payload);
        const t = setTimeout(() => reject(new Error(`no ${event} event within ${ms} ms`)), ms);
        waiters.push((e) => (clearTimeout(t), resolve(e.payload)));
      }),
  });
  ws.send(binding.encodeRequest(1, "connect", wire));
  return wire;
}

function verifies(params: any, version: DeviceAuthVersion, token: string): boolean {
  const d = params.device;
  if (createHash("sha256").update(Buffer.from(d.publicKey, "base64url")).digest("hex") !== d.id) return false;
  const payload = buildDeviceAuthPayload(version, {
    deviceId: d.id, clientId: params.client.id, clientMode: params.client.mode, role: params.role ?? "operator", scopes: params.scopes ?? [],
    signedAtMs: d.signedAt, token, nonce: d.nonce, platform: params.client.platform, deviceFamily: params.client.deviceFamily,
  });
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: d.publicKey }, format: "jwk" });
  return verify(null, Buffer.from(payload), key, Buffer.from(d.signature, "base64url"));
}

describe("openclaw binding: connect preparation", () => {
  it("2026.9.x-style challenge: maps the client, fills SPEC scopes, signs v3 over the challenge's nonce", async () => {
    const server = await challengeServer({ nonce: "n-9", ts: 1, capabilities: ["x"] });
    const changes: string[][] = [];
    await prepareOver(server.url, { onClientMapped: (c) => changes.push(c) });
    const { params, origin } = await server.received;
    expect(params.client).toEqual({ ...base.client, id: "test", displayName: "actor-a" });
    expect(params.scopes).toEqual(["operator.read", "operator.write"]);
    expect(params.device.nonce).toBe("n-9");
    expect(Math.abs(params.device.signedAt - Date.now())).toBeLessThan(60_000);
    expect(verifies(params, "v3", "tok")).toBe(true);
    expect(verifies(params, "v2", "tok")).toBe(false);
    expect(origin).toBeUndefined();
    expect(changes).toEqual([[
      'client.id "actor-a" -> "test"',
      'client.displayName set to "actor-a" (keeps the row\'s host)',
      'scopes absent -> ["operator.read","operator.write"] (SPEC H7 default; OpenClaw\'s is none)',
    ]]);
  });

  it("2026.1.x-style challenge (no capabilities): unsigned by default; a given identity signs v2", async () => {
    const plain = await challengeServer({ nonce: "n-1", ts: 1 });
    await prepareOver(plain.url, {});
    expect((await plain.received).params.device).toBeUndefined();

    const identity = await nodeDeviceIdentity(await generateNodeDeviceIdentity());
    const signed = await challengeServer({ nonce: "n-2", ts: 1 });
    await prepareOver(signed.url, { device: identity });
    const { params } = await signed.received;
    expect(params.device.id).toBe(identity.deviceId);
    expect(verifies(params, "v2", "tok")).toBe(true);
  });

  it("auto identities: one per signed client; another platform, scope set or a missing instanceId gets another", async () => {
    const binding = createOpenClawBinding();
    const context = { waitForEvent: async () => ({ nonce: "n", ts: 1, capabilities: [] }) };
    const deviceOf = async (p: ConnectParams) => ((await binding.prepareConnect!(p, context)).device as { id: string }).id;
    const first = await deviceOf(base);
    expect(await deviceOf(base)).toBe(first);
    expect(await deviceOf({ ...base, client: { ...base.client, platform: "macos" } })).not.toBe(first);
    expect(await deviceOf({ ...base, scopes: ["operator.admin"] })).not.toBe(first);
    const { instanceId: _omit, ...anonymous } = base.client;
    const a = await deviceOf({ ...base, client: anonymous });
    expect(await deviceOf({ ...base, client: anonymous })).not.toBe(a);
  });

  it("a caller's device block goes out as given; device: null connects unsigned even on 2026.9.x", async () => {
    const binding = createOpenClawBinding();
    const context = { waitForEvent: async () => ({ nonce: "n", ts: 1, capabilities: [] }) };
    const unsigned = await binding.prepareConnect!({ ...base, device: null }, context);
    expect("device" in unsigned).toBe(false);
    const own = { id: "x", publicKey: "y", signature: "z", signedAt: 1, nonce: "n" };
    expect((await binding.prepareConnect!({ ...base, device: own }, context)).device).toEqual(own);
  });

  it("webchat-ui and control-ui ids send an Origin whatever their mode", () => {
    const binding = createOpenClawBinding();
    const url = "ws://127.0.0.1:1234";
    expect(binding.upgradeHeaders!(url, { ...base, client: { ...base.client, id: "webchat-ui", mode: "cli" } })).toEqual({ Origin: "http://127.0.0.1:1234" });
    expect(binding.upgradeHeaders!(url, { ...base, client: { ...base.client, id: "openclaw-control-ui", mode: "ui" } })).toEqual({ Origin: "http://127.0.0.1:1234" });
    expect(binding.upgradeHeaders!(url, { ...base, client: { ...base.client, id: "cli", mode: "cli" } })).toBeUndefined();
    expect(binding.upgradeHeaders!("wss://gw.example/x", { ...base, client: { ...base.client, mode: "webchat" } })).toEqual({ Origin: "https://gw.example" });
  });

  it("device: false never signs; known ids and modes pass unchanged; explicit scopes are kept", async () => {
    const server = await challengeServer({ nonce: "n", ts: 1, capabilities: [] });
    const params: ConnectParams = { ...base, client: { ...base.client, id: "gateway-client", mode: "backend" }, scopes: ["operator.read"] };
    const wire = await prepareOver(server.url, { device: false }, params);
    expect(wire).toEqual(params);
  });

  it("webchat clients send an Origin derived from the gateway URL (or the given one, or none)", async () => {
    const params: ConnectParams = { ...base, client: { ...base.client, mode: "webchat" } };
    const a = await challengeServer({ nonce: "n", ts: 1 });
    await prepareOver(a.url, {}, params);
    expect((await a.received).origin).toBe(a.url.replace("ws:", "http:"));
    expect((await a.received).params.client.id).toBe("webchat-ui");
    const b = await challengeServer({ nonce: "n", ts: 1 });
    await prepareOver(b.url, { origin: "https://app.example" }, params);
    expect((await b.received).origin).toBe("https://app.example");
    const c = await challengeServer({ nonce: "n", ts: 1 });
    await prepareOver(c.url, { origin: false }, params);
    expect((await c.received).origin).toBeUndefined();
  });

  it("modes and blank ids go out as given (OpenClaw refusing them is a finding); an unknown mode's id is gateway-client", async () => {
    const server = await challengeServer({ nonce: "n", ts: 1 });
    await prepareOver(server.url, { device: false }, { ...base, client: { ...base.client, mode: "kiosk" } });
    expect((await server.received).params.client).toMatchObject({ id: "gateway-client", mode: "kiosk", displayName: "actor-a" });
    const blank = await challengeServer({ nonce: "n", ts: 1 });
    await prepareOver(blank.url, { device: false }, { ...base, client: { ...base.client, id: "  " } });
    expect((await blank.received).params.client.id).toBe("  ");
  });

  it("a second connect on one connection reuses the challenge already received (latestEvent)", async () => {
    const binding = createOpenClawBinding({ challengeTimeoutMs: 50 });
    const wire = await binding.prepareConnect!(base, {
      waitForEvent: () => Promise.reject(new Error("consumed already")),
      latestEvent: (event) => (event === "connect.challenge" ? { nonce: "first", ts: 1, capabilities: [] } : undefined),
    });
    expect((wire.device as { nonce: string }).nonce).toBe("first");
  });

  it("tells the handshake context what it changed, and why (the harness lists it per actor)", async () => {
    const binding = createOpenClawBinding();
    const told: string[] = [];
    await binding.prepareConnect!(base, {
      waitForEvent: () => Promise.resolve({ nonce: "n", ts: 1, capabilities: [] }),
      adapted: (change, reason) => told.push(`${change} | ${reason}`),
    });
    expect(told).toEqual([
      expect.stringMatching(/^client\.id "actor-a" -> "test" \| OpenClaw accepts only/),
      expect.stringMatching(/^client\.displayName set to "actor-a"/),
      expect.stringMatching(/^scopes \["operator\.read","operator\.write"\] sent explicitly \| SPEC H7's default/),
      expect.stringMatching(/^signed with an in-memory device identity \(v3\) \| the challenge lists capabilities/),
    ]);
  });

  it("fails clearly without a challenge, or with one that has no nonce", async () => {
    const silent = await challengeServer(null);
    await expect(prepareOver(silent.url, {})).rejects.toThrow("no connect.challenge event within 500 ms");
    const empty = await challengeServer({ ts: 1 });
    await expect(prepareOver(empty.url, {})).rejects.toThrow("connect.challenge carried no nonce");
  });
});

describe("openclaw error codes -> SPEC §10 names (frames observed from the peers)", () => {
  const cases: Array<[Record<string, unknown>, string, Record<string, unknown>]> = [
    [{ code: "INVALID_REQUEST", message: "unknown method: nope" }, "METHOD_NOT_FOUND", { method: "nope" }],
    [{ code: "INVALID_REQUEST", message: "protocol mismatch", details: { code: "PROTOCOL_MISMATCH", clientMinProtocol: 9, clientMaxProtocol: 9, expectedProtocol: 4, minimumProbeProtocol: 3 } }, "PROTOCOL_MISMATCH", { min: 4, max: 4 }],
    [{ code: "INVALID_REQUEST", message: "protocol mismatch", details: { expectedProtocol: 3 } }, "PROTOCOL_MISMATCH", { min: 3, max: 3 }],
    [{ code: "INVALID_REQUEST", message: "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)", details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED" } }, "FORBIDDEN", {}],
    [{ code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" }, "NOT_CONNECTED", {}],
    [{ code: "NOT_PAIRED", message: "pairing required: device is not approved yet", details: { code: "PAIRING_REQUIRED" } }, "UNAUTHORIZED", {}],
    [{ code: "INVALID_REQUEST", message: "device signature invalid" }, "UNAUTHORIZED", {}],
    [{ code: "INVALID_REQUEST", message: "unauthorized: gateway token mismatch (set gateway.remote.token)" }, "UNAUTHORIZED", {}],
    [{ code: "INVALID_REQUEST", message: "unauthorized: gateway token missing (provide gateway auth token)", details: { code: "AUTH_TOKEN_MISSING", authReason: "token_missing" } }, "UNAUTHORIZED", {}],
    [{ code: "INVALID_REQUEST", message: "unauthorized: device token rejected (pair/repair this device, or provide gateway token)" }, "UNAUTHORIZED", {}],
    [{ code: "INVALID_REQUEST", message: "unauthorized" }, "UNAUTHORIZED", {}],
    // Role refusals (server-methods.ts, both releases): H7's FORBIDDEN, not H5's UNAUTHORIZED.
    [{ code: "INVALID_REQUEST", message: "unauthorized role: node" }, "FORBIDDEN", {}],
    [{ code: "INVALID_REQUEST", message: "unauthorized role: operator" }, "FORBIDDEN", {}],
    [{ code: "INVALID_REQUEST", message: "missing scope: operator.admin" }, "FORBIDDEN", { missingScope: "operator.admin" }],
    [{ code: "RATE_LIMITED", message: "slow down", retryAfterMs: 250 }, "RATE_LIMITED", { retryAfterMs: 250 }],
    [{ code: "UNAVAILABLE", message: "gateway starting" }, "INTERNAL_ERROR", {}],
    [{ code: "INVALID_REQUEST", message: "invalid connect params: at /client/id: must be equal to one of the allowed values" }, "INVALID_PARAMS", { errors: [{ path: "/client/id", message: "must be equal to one of the allowed values" }] }],
    [{ code: "INVALID_REQUEST", message: "invalid role" }, "INVALID_PARAMS", {}],
    [{ code: "INVALID_REQUEST", message: "something else" }, "INVALID_REQUEST", {}],
    [{ code: "NOT_LINKED", message: "not linked" }, "NOT_LINKED", {}],
  ];
  it.each(cases)("%j -> %s", (native, name, data) => {
    const mapped = mapOpenClawError(native as never);
    expect(mapped.name).toBe(name);
    // OpenClaw sends no number; none is made up from the name.
    expect(mapped.code).toBeUndefined();
    expect(mapped.message).toBe(native.message);
    expect(mapped.data).toMatchObject({ code: name, native, ...data });
  });

  it("a role refusal is FORBIDDEN without a missingScope: OpenClaw names no scope, and none is made up", () => {
    for (const role of ["node", "operator"]) {
      const mapped = mapOpenClawError({ code: "INVALID_REQUEST", message: `unauthorized role: ${role}` });
      expect(mapped.data).toEqual({ code: "FORBIDDEN", native: { code: "INVALID_REQUEST", message: `unauthorized role: ${role}` } });
    }
  });
});
