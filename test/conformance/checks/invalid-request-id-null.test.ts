/**
 * JSON-RPC 2.0 §5 answers an invalid request with id null ("if there was an error in detecting the id
 * in the Request object (e.g. Parse error/Invalid Request)"), so a gateway may answer
 * `{"jsonrpc":"2.0","id":"b1-no-method"}` (no method) with id null even though the id is readable.
 * b1-malformed-frames takes that answer (it used to wait for the id and say "no answer ... within
 * 3000 ms" although an answer had come). An answer with another id to a request whose answer must
 * carry its id is said as that, not as no answer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import { fakeHelloOk } from "../gateways.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * A JSON-RPC gateway that refuses every invalid frame with id null (as many JSON-RPC libraries do) and
 * lists its self row and a row per connect; `presenceIdNull`: it also answers system-presence with id
 * null, as a result (wrong: no JSON-RPC answer at all, since only errors may carry id null) or an error.
 */
async function idNullGateway(presenceIdNull?: "result" | "error"): Promise<string> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const joined: Record<string, unknown>[] = [];
  const rows = () => [{ reason: "self", mode: "gateway", host: "fake", ts: Date.now() }, ...joined];
  const refuse = (name: string, code: number) => ({ jsonrpc: "2.0", id: null, error: { code, message: name.toLowerCase(), data: { code: name, errors: [{ path: "", message: "bad" }] } } });
  server.on("connection", (ws: WebSocket) => {
    ws.on("message", (data) => {
      let req: { id?: unknown; method?: unknown; params?: { client?: { instanceId?: string } } };
      try {
        req = JSON.parse(String(data)) as typeof req;
      } catch {
        return ws.send(JSON.stringify(refuse("PARSE_ERROR", -32700)));
      }
      if (req === null || typeof req !== "object" || typeof req.method !== "string") return ws.send(JSON.stringify(refuse("INVALID_REQUEST", -32600)));
      if (req.method === "connect") joined.push({ instanceId: req.params?.client?.instanceId, reason: "connect", ts: Date.now() });
      if (req.method === "system-presence" && presenceIdNull === "error") return ws.send(JSON.stringify(refuse("INTERNAL_ERROR", -32603)));
      const id = req.method === "system-presence" && presenceIdNull ? null : req.id;
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, result: req.method === "connect" ? fakeHelloOk(rows()) : rows() }));
    });
  });
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe("an invalid request with a readable id, refused with id null", () => {
  it("passes b1-malformed-frames: the id-null INVALID_REQUEST is taken as the answer", async () => {
    const url = await idNullGateway();
    const result = await runConformance({ url, only: ["b1-malformed-frames"], waitReadyMs: 0 });
    const scenario = result.scenarios[0]!;
    expect(scenario.checks.map((c) => [c.title, c.status, c.message ?? ""])).toContainEqual(["a request without method", "passed", ""]);
    expect(scenario.status).toBe("passed");
  });
});

const rawList: Scenario = {
  id: "raw-list",
  title: "a raw system-presence is answered with its id",
  rules: ["M1"],
  level: "MUST",
  actors: { a: { client: { instanceId: "${run}-raw" } } },
  steps: [
    { step: "connect", actor: "a" },
    { step: "send", actor: "a", raw: '{"jsonrpc":"2.0","id":"raw-1","method":"system-presence"}', expect: { result: { $type: "array" } }, timeoutMs: 300 },
  ],
};

describe("a request answered with a frame that is no answer (a result with id null)", () => {
  it("is not said to be unanswered alone: the message says what came instead, and the frame is shown", async () => {
    const url = await idNullGateway("result");
    const result = await runConformance({ url, scenarios: [rawList], waitReadyMs: 0 });
    const [check] = result.scenarios[0]!.checks.filter((c) => c.status === "failed");
    expect(check!.message).toBe('no answer to request "raw-1" within 300 ms; after it the gateway sent a frame that is no answer: neither a response nor a notification');
    expect(check!.frames?.map((f) => f.dir)).toEqual(["send", "recv"]);
  });
});

describe("a request answered with an error of another id (null)", () => {
  it("names the id the answer carried", async () => {
    const url = await idNullGateway("error");
    const result = await runConformance({ url, scenarios: [rawList], waitReadyMs: 0 });
    const [check] = result.scenarios[0]!.checks.filter((c) => c.status === "failed");
    expect(check!.message).toBe('no answer to request "raw-1" within 300 ms; the gateway did answer after it, but with id null, not the request\'s id "raw-1"');
  });
});
