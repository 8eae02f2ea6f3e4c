// b1-request-ids sends request ids whose numeral JSON changes (1e400, -0, 1e-400, 1.00000000000000001,
// 9007199254740993) in raw frames. The answer's id is judged from its raw text: id null (the reference
// gateway, on both bindings) and the numeral exactly as written (JSON-RPC 2.0: "the same value as the
// request") pass; the value JSON.parse read, written back, as OpenClaw 2026.9.6's dispatch answers
// (`id: parsed.id ?? "invalid"`), fails at /id, saying so: the client gets an id it never sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { runConformance } from "../../src/conformance/run/runner.js";
import { decodeEchoedId, ECHOED_ID, lossyIdMismatch, rawAnswerWaits } from "../../src/conformance/run/raw-ids.js";
import { loadScenarios } from "../../src/conformance/scenario/fixtures.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { jsonRpcBinding } from "../../src/transport/jsonrpc.js";
import { openClawBinding } from "../../src/transport/openclaw.js";
import { fakeHelloOk, referenceGateway, runOptions } from "./gateways.js";

const scenario = loadScenarios().filter(({ scenario: s }) => s.id === "b1-request-ids");

/**
 * A JSON-RPC gateway that refuses unusable ids with INVALID_REQUEST; its answer carries the id as
 * JSON.parse read it (`parsed`, written back by JSON.stringify), or the request's numeral copied from
 * its text (`as written`).
 */
async function idGateway(answerId: "parsed" | "as written"): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const self = { reason: "self", mode: "gateway", host: "fake", version: "0", platform: "test", deviceFamily: "Test" };
  server.on("connection", (ws: WebSocket) => {
    let instanceId: string | undefined;
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { id: unknown; method: string; params?: { client?: { instanceId?: string } } };
      const numeral = /"id":(-?[0-9][0-9.eE+-]*)/.exec(String(data))?.[1];
      const answer = (body: object) => {
        const text = JSON.stringify({ jsonrpc: "2.0", id: numeral === undefined ? req.id : "<id>", ...body });
        ws.send(numeral === undefined ? text : text.replace('"id":"<id>"', `"id":${answerId === "parsed" ? JSON.stringify(req.id) : numeral}`));
      };
      const usable = typeof req.id === "string" || (Number.isSafeInteger(req.id) && !Object.is(req.id, -0) && !/"id":\s*-?\d*[.eE]/.test(String(data)));
      if (!usable) return answer({ error: { code: -32600, message: "invalid request", data: { code: "INVALID_REQUEST", errors: [{ path: "/id", message: "must be a string" }] } } });
      if (req.method === "connect") instanceId = req.params?.client?.instanceId;
      const rows = [{ ...self, ts: Date.now() }, { instanceId, reason: "connect", ts: Date.now() }];
      if (req.method === "connect") answer({ result: fakeHelloOk(rows) });
      else if (req.method === "system-presence") answer({ result: rows });
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
    const fake = await idGateway("parsed");
    try {
      const result = await runConformance({ url: fake.url, scenarios: scenario });
      const s = result.scenarios[0]!;
      expect(s.status).toBe("failed");
      const message = (id: string) => s.checks.find((c) => c.id === id)?.message;
      expect(message("2-send")).toBeUndefined(); // 1e400: JSON writes Infinity back as null
      const parsed = (numeral: string, value: string) =>
        `/id: the request's id was written ${numeral}, which JSON does not give back unchanged; the answer carries ${value}, the value JSON.parse read from it written back, not the id as sent: an id the client did not send (answer with id null, as JSON-RPC 2.0 answers an invalid request, or with the numeral exactly as written)`;
      expect(message("3-send")).toBe(parsed("-0", "0"));
      expect(message("4-send")).toBe(parsed("1e-400", "0"));
      expect(message("5-send")).toBe(parsed("1.00000000000000001", "1"));
      // 9007199254740993 comes back as ...992, which no client can decode: no answer to match, and a W1 finding.
      expect(message("6-send")).toMatch(/could not run|no answer/i);
      expect(result.wireFindings.some((f) => f.rule === "W1" && /9007199254740992/.test(f.message))).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it("passes a gateway that refuses them with the id exactly as written (the same value as the request), with no W1 finding", async () => {
    const fake = await idGateway("as written");
    try {
      const result = await runConformance({ url: fake.url, scenarios: scenario });
      const s = result.scenarios[0]!;
      expect(s.checks.filter((c) => c.status !== "passed").map((c) => `${c.id}: ${c.message}`)).toEqual([]);
      expect(s.status).toBe("passed");
      // Its answers are in the wire log as the gateway wrote them.
      const answers = s.wire.filter((f) => f.dir === "recv").map((f) => f.text);
      for (const numeral of ["1e400", "-0", "1e-400", "1.00000000000000001", "9007199254740993"]) expect(answers.some((t) => t.includes(`"id":${numeral},`))).toBe(true);
      expect(result.wireFindings.filter((f) => f.status === "failed")).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it("names what the answer's raw text carries: null, the numeral as written, the parsed value, or another id", () => {
    const wait = { id: null, lossy: "1e-400" };
    const answer = (id: string) => ({ text: `{"jsonrpc":"2.0","id":${id},"error":{"code":-32600,"message":"invalid"}}` });
    expect(lossyIdMismatch(wait, null, answer("null"))).toEqual([]);
    expect(lossyIdMismatch(wait, ECHOED_ID, answer("1e-400"))).toEqual([]);
    expect(lossyIdMismatch(wait, 0, answer("0"))[0]?.message).toMatch(/carries 0, the value JSON\.parse read from it written back, not the id as sent/);
    expect(lossyIdMismatch(wait, 0, answer("0.0"))[0]?.message).toMatch(/carries 0\.0, neither the id as sent nor null/);
    expect(lossyIdMismatch(wait, "1e-400", answer('"1e-400"'))[0]?.message).toMatch(/carries "1e-400", neither the id as sent nor null/);
    expect(lossyIdMismatch({ id: null, lossy: "-0" }, 0, answer("0"))[0]?.message).toMatch(/carries 0, the value JSON\.parse read/);
    expect(lossyIdMismatch({ id: null, lossy: "-0" }, ECHOED_ID, answer("-0"))).toEqual([]);
    // A request id that survives JSON is matched by id, not judged here.
    expect(lossyIdMismatch({ id: 7 }, 0, answer("0"))).toEqual([]);
  });

  it("decodes an answer echoing a lossy numeral this connection sent as written, on both bindings, and nothing else", () => {
    const sent = new Set(["1e-400"]);
    expect(decodeEchoedId(jsonRpcBinding, '{"jsonrpc":"2.0","id":1e-400,"error":{"code":-32600,"message":"invalid"}}', sent)).toEqual([
      { kind: "error", id: ECHOED_ID, error: { name: "INVALID_REQUEST", code: -32600, message: "invalid" } },
    ]);
    expect(decodeEchoedId(openClawBinding, '{"type":"res","id":1e-400,"ok":false,"error":{"code":"INVALID_REQUEST","message":"invalid"}}', sent)).toMatchObject([{ kind: "error", id: ECHOED_ID }]);
    expect(decodeEchoedId(jsonRpcBinding, '{"jsonrpc":"2.0","id":1.00000000000000001,"result":{}}', sent)).toBeUndefined();
    expect(decodeEchoedId(jsonRpcBinding, '[{"jsonrpc":"2.0","id":1e-400,"result":{}}]', sent)).toBeUndefined();
  });
});
