// b1-request-ids sends request ids whose numeral JSON changes (1e400, -0, 1e-400, 1.00000000000000001,
// 9007199254740993) in raw frames. A gateway must refuse them with id null (the reference gateway does,
// on both bindings); one that refuses them but answers with the parsed id, as OpenClaw 2026.9.6's
// dispatch does (`id: parsed.id ?? "invalid"`), fails at /id: the client gets an id it never sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { runConformance } from "../../src/conformance/run/runner.js";
import { rawAnswerWaits } from "../../src/conformance/run/raw-ids.js";
import { loadScenarios } from "../../src/conformance/scenario/fixtures.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { fakeHelloOk, referenceGateway, runOptions } from "./gateways.js";

const scenario = loadScenarios().filter(({ scenario: s }) => s.id === "b1-request-ids");

/** A JSON-RPC gateway that refuses unusable ids as it should, except that its answer carries the id as JSON.parse read it. */
async function parsedIdGateway(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const self = { reason: "self", mode: "gateway", host: "fake", version: "0", platform: "test", deviceFamily: "Test" };
  server.on("connection", (ws: WebSocket) => {
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { id: unknown; method: string; params?: { client?: { instanceId?: string } } };
      const answer = (body: object) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, ...body }));
      const usable = typeof req.id === "string" || (Number.isSafeInteger(req.id) && !Object.is(req.id, -0) && !/"id":\s*-?\d*[.eE]/.test(String(data)));
      if (!usable) return answer({ error: { code: -32600, message: "invalid request", data: { code: "INVALID_REQUEST", errors: [{ path: "/id", message: "must be a string" }] } } });
      const rows = [{ ...self, ts: Date.now() }, { instanceId: req.params?.client?.instanceId, reason: "connect", ts: Date.now() }];
      if (req.method === "connect") answer({ result: fakeHelloOk(rows) });
      else if (req.method === "system-presence") answer({ result: [{ ...self, ts: Date.now() }] });
      else answer({ error: { code: -32601, message: "no such method", data: { code: "METHOD_NOT_FOUND" } } });
    });
  });
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("b1-request-ids: lossy request-id numerals", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await referenceGateway();
  });
  afterAll(() => gateway.close());

  it("the harness waits for any answer to a frame whose id numeral JSON changes, and for the id otherwise", () => {
    expect(rawAnswerWaits('{"jsonrpc":"2.0","id":1e-400,"method":"m"}')).toEqual([{ id: null, lossy: "1e-400" }]);
    expect(rawAnswerWaits('{"jsonrpc":"2.0","id":1.00000000000000001,"method":"m"}')).toEqual([{ id: null, lossy: "1.00000000000000001" }]);
    expect(rawAnswerWaits('{"type":"req","id":-0,"method":"m"}')).toEqual([{ id: null, lossy: "-0" }]);
    expect(rawAnswerWaits('{"jsonrpc":"2.0","id":1.50,"method":"m"}')).toEqual([{ id: 1.5 }]);
    expect(rawAnswerWaits('{"jsonrpc":"2.0","id":true,"method":"m"}')).toEqual([{ id: null }]);
    expect(rawAnswerWaits('[{"jsonrpc":"2.0","id":1e-400,"method":"m"},{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":7,"method":"m"}]')).toEqual([{ id: null }, { id: 7 }]);
    expect(rawAnswerWaits("not json")).toEqual([{ id: null }]);
  });

  it("passes on the reference gateway, over jsonrpc and over openclaw (every step of its binding checked)", async () => {
    const jsonrpc = await runConformance(runOptions(gateway, { scenarios: scenario }));
    expect(jsonrpc.scenarios[0]!.status).toBe("passed");
    expect(jsonrpc.scenarios[0]!.checks.map((c) => c.id)).toEqual(["1-connect", "2-send", "3-send", "4-send", "5-send", "6-send", "11-list"]);
    const native = await createGateway({ host: "127.0.0.1", port: 0, binding: "openclaw", testClock: true, token: "t" });
    try {
      const result = await runConformance({ url: native.url, binding: "openclaw", token: "t", scenarios: scenario });
      expect(result.scenarios[0]!.status).toBe("passed");
      expect(result.scenarios[0]!.checks.map((c) => c.id)).toEqual(["1-connect", "7-send", "8-send", "9-send", "10-send", "11-list"]);
    } finally {
      await native.close();
    }
  });

  it("fails a gateway that refuses them but answers with the parsed id (0 for -0 and 1e-400, 1 for 1.00000000000000001)", async () => {
    const fake = await parsedIdGateway();
    try {
      const result = await runConformance({ url: fake.url, scenarios: scenario });
      const s = result.scenarios[0]!;
      expect(s.status).toBe("failed");
      const message = (id: string) => s.checks.find((c) => c.id === id)?.message;
      expect(message("2-send")).toBeUndefined(); // 1e400: JSON writes Infinity back as null
      expect(message("3-send")).toMatch(/^\/id: the request's id was written -0, .*the answer carries 0, an id the client did not send/);
      expect(message("4-send")).toMatch(/^\/id: the request's id was written 1e-400, .*the answer carries 0/);
      expect(message("5-send")).toMatch(/^\/id: the request's id was written 1\.00000000000000001, .*the answer carries 1\b/);
      // 9007199254740993 comes back as ...992, which no client can decode: no answer to match, and a W1 finding.
      expect(message("6-send")).toMatch(/could not run|no answer/i);
      expect(result.wireFindings.some((f) => f.rule === "W1" && /9007199254740992/.test(f.message))).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
