/** Gateways the conformance tests run against: the reference one (optionally with a fault) and a deliberately wrong fake. */
import { WebSocketServer, type WebSocket } from "ws";
import { createGateway, type Gateway, type GatewayFaultName } from "../../src/server/index.js";
import { EMBEDDED } from "../../src/cli/commands/conform.js";
import type { ConformanceOptions } from "../../src/conformance/run/runner.js";
import type { Scenario } from "../../src/conformance/scenario/scenario.js";

export const TOKEN = "conformance-test-token";
/**
 * The settings of conform's embedded gateway (src/cli/commands/conform.ts EMBEDDED): timeouts short
 * enough that the handshake-timeout and tick scenarios run in a test, and no overload shedding (a run
 * connects for seconds from the gateway's own process; shedding has its own tests,
 * test/server/hardening/overload.test.ts and crowd-flood.test.ts).
 */
export const FAST = EMBEDDED;

export async function referenceGateway(fault?: GatewayFaultName, extra: { testClock?: boolean; token?: string | null } = {}): Promise<Gateway> {
  return createGateway({
    host: "127.0.0.1",
    port: 0,
    testClock: extra.testClock ?? true,
    token: extra.token === null ? undefined : (extra.token ?? TOKEN),
    ...FAST,
    ...(fault ? { faults: { [fault]: true } } : {}),
  });
}

/** A scenario that plants one row (`${run}-planted`) and lists it: findings in that row are its own. */
export const planter: Scenario = {
  id: "planter",
  title: "plants a row",
  rules: ["P2"],
  level: "MUST",
  actors: { a: { client: { instanceId: "${run}-planted" } } },
  steps: [
    { step: "connect", actor: "a" },
    { step: "list", actor: "a", contains: [{ instanceId: "${run}-planted" }] },
  ],
};

/** Run options that match referenceGateway(). */
export function runOptions(gateway: { url: string }, more: Partial<ConformanceOptions> = {}): ConformanceOptions {
  return { url: gateway.url, token: TOKEN, handshakeTimeoutMs: FAST.handshakeTimeoutMs, ...more };
}

/** The hello-ok of the fake gateways: system-presence and presence events only, the given rows as snapshot. */
export function fakeHelloOk(rows: object[]): object {
  return {
    type: "hello-ok",
    protocol: 1,
    server: { version: "0", connId: "c1" },
    features: { methods: ["system-presence"], events: ["presence"] },
    snapshot: { presence: rows, stateVersion: { presence: 1 }, uptimeMs: 1 },
    policy: { maxPayload: 1000, maxBufferedBytes: 1000, tickIntervalMs: 60000 },
  };
}

/**
 * A tiny JSON-RPC gateway that gets things wrong on purpose: its rows carry a field the contract
 * does not have (as OpenClaw's do), and its METHOD_NOT_FOUND comes with the wrong numeric code.
 * `self` adds fields to its self row (e.g. an `ip`).
 */
export async function wrongFakeGateway(self: Record<string, unknown> = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const rows = [{ reason: "self", mode: "gateway", host: "fake", version: "0", platform: "test", deviceFamily: "Test", ts: Date.now(), clientId: "not-in-the-contract", ...self }];
  server.on("connection", (ws: WebSocket) => {
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { id: number | string; method: string };
      const answer = (body: object) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, ...body }));
      if (req.method === "connect") answer({ result: fakeHelloOk(rows) });
      else if (req.method === "system-presence") answer({ result: rows.map((r) => ({ ...r, ts: Date.now() })) });
      else answer({ error: { code: -32000, message: "no such method", data: { code: "METHOD_NOT_FOUND" } } });
    });
  });
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A fake gateway that answers every method but connect and system-presence with `error`, written as
 * the binding writes errors: jsonrpc `{code: number, message, data}`, openclaw (after a
 * `connect.challenge`, as 2026.1.x frames it) `{code: string, message, details?}`. Its list holds
 * its self row and each connection's row. With `nodeError`, a connection whose connect asked for role
 * `node` gets that error for every later request, as OpenClaw checks the role before the method.
 * For a flood (system-event with text `flood <i>`): the first `acceptBeacons` are answered
 * `{ok: true}`, the rest with `error`, or, when `error` is a list, its `i % length`th entry.
 * `challengeAfterMs`: the openclaw challenge comes that late (a slow OpenClaw), not as the socket opens.
 */
export async function errorFakeGateway(
  binding: "jsonrpc" | "openclaw",
  error: object | object[],
  { nodeError, acceptBeacons = 0, challengeAfterMs = 0 }: { nodeError?: object; acceptBeacons?: number; challengeAfterMs?: number } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const rows: Record<string, unknown>[] = [{ reason: "self", mode: "gateway", host: "fake", version: "0", platform: "test", deviceFamily: "Test", ts: Date.now() }];
  const errors = Array.isArray(error) ? error : [error];
  server.on("connection", (ws: WebSocket) => {
    const challenge = () => ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "fake-nonce", ts: Date.now() } }));
    if (binding === "openclaw" && challengeAfterMs > 0) setTimeout(challenge, challengeAfterMs);
    else if (binding === "openclaw") challenge();
    let role: unknown;
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { id: number | string; method: string; params?: { client?: { instanceId?: string }; role?: unknown; text?: unknown } };
      const ok = (result: unknown) => ws.send(JSON.stringify(binding === "openclaw" ? { type: "res", id: req.id, ok: true, payload: result } : { jsonrpc: "2.0", id: req.id, result }));
      const fail = (e: object) => ws.send(JSON.stringify(binding === "openclaw" ? { type: "res", id: req.id, ok: false, error: e } : { jsonrpc: "2.0", id: req.id, error: e }));
      const flood = req.method === "system-event" && typeof req.params?.text === "string" ? /^flood (\d+)$/.exec(req.params.text) : null;
      const i = flood ? Number(flood[1]) : 0;
      if (req.method === "connect") {
        role = req.params?.role;
        rows.push({ ...rows[0], reason: "connect", mode: "ui", instanceId: req.params?.client?.instanceId });
        ok({ ...fakeHelloOk(rows), ...(binding === "openclaw" ? { protocol: 3 } : {}) });
      } else if (nodeError && role === "node") fail(nodeError);
      else if (req.method === "system-presence") ok(rows.map((r) => ({ ...r, ts: Date.now() })));
      else if (flood && i < acceptBeacons) ok({ ok: true });
      else fail(errors[i % errors.length]!);
    });
  });
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
