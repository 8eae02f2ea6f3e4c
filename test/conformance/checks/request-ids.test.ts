// b1-request-ids sends request ids whose numeral JSON changes (1e400, -0, 1e-400, 1.00000000000000001,
// 9007199254740993) in raw frames. The answer's id is judged from its raw text: id null (the reference
// gateway, on both bindings) and the numeral exactly as written (JSON-RPC 2.0: "the same value as the
// request") pass; the value JSON.parse read, written back, as OpenClaw 2026.9.6's dispatch answers
// (`id: parsed.id ?? "invalid"`), fails at /id, saying so: the client gets an id it never sent.
// The fake gateways below answer each way, over jsonrpc and over openclaw's native frames.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { decodeEchoedId, ECHOED_ID, lossyIdMismatch, rawAnswerWaits } from "../../../src/conformance/run/raw-ids.js";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { jsonRpcBinding } from "../../../src/transport/jsonrpc.js";
import { openClawBinding } from "../../../src/transport/openclaw.js";
import { fakeHelloOk, referenceGateway, runOptions } from "../gateways.js";

const scenario = loadScenarios().filter(({ scenario: s }) => s.id === "b1-request-ids");

/** How a fake gateway frames what it sends, per binding (each answer with its id first). */
const FRAMING = {
  jsonrpc: {
    greeting: undefined,
    /** JSON-RPC ids: a string or a safe integer, written as an integer. */
    usable: (id: unknown, text: string) => typeof id === "string" || (Number.isSafeInteger(id) && !Object.is(id, -0) && !/"id":\s*-?\d*[.eE]/.test(text)),
    result: (id: unknown, result: unknown) => ({ jsonrpc: "2.0", id, result }),
    refuseId: (id: unknown) => ({ jsonrpc: "2.0", id, error: { code: -32600, message: "invalid request", data: { code: "INVALID_REQUEST", errors: [{ path: "/id", message: "must be a string" }] } } }),
    unknownMethod: (id: unknown, method: string) => ({ jsonrpc: "2.0", id, error: { code: -32601, message: `unknown method: ${method}`, data: { code: "METHOD_NOT_FOUND" } } }),
    hello: (rows: object[]) => fakeHelloOk(rows),
  },
  /** OpenClaw's native frames, as 2026.1.x sends them: a challenge with nonce and ts (no capabilities), protocol 3. */
  openclaw: {
    greeting: { type: "event", event: "connect.challenge", payload: { nonce: "fake-nonce", ts: 0 } },
    /** OpenClaw's RequestFrame: the id is a non-empty string, so every numeric id is refused. */
    usable: (id: unknown) => typeof id === "string" && id !== "",
    result: (id: unknown, payload: unknown) => ({ type: "res", id, ok: true, payload }),
    /** Worded as OpenClaw 2026.x refuses it (reports/interop). */
    refuseId: (id: unknown) => ({ type: "res", id, ok: false, error: { code: "INVALID_REQUEST", message: "invalid request frame: at /id: must be string" } }),
    unknownMethod: (id: unknown, method: string) => ({ type: "res", id, ok: false, error: { code: "INVALID_REQUEST", message: `unknown method: ${method}` } }),
    hello: (rows: object[]) => ({ ...fakeHelloOk(rows), protocol: 3 }),
  },
} as const;

interface IdGatewayOptions {
  binding?: keyof typeof FRAMING;
  /** false: run every request, whatever its id (the answer still carries the id as `answerId` says). */
  refuse?: boolean;
}

/**
 * A gateway that refuses unusable ids with INVALID_REQUEST, over `binding` (FRAMING: JSON-RPC, or
 * OpenClaw's native frames after a `connect.challenge`); its
 * answer carries the id as JSON.parse read it (`parsed`, written back by JSON.stringify: OpenClaw's
 * `id: parsed?.id ?? "invalid"`), or the request's numeral copied from its text (`as written`).
 * A beacon it runs (`system-event`) adds a row to its list.
 */
async function idGateway(answerId: "parsed" | "as written", { binding = "jsonrpc", refuse = true }: IdGatewayOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const framing = FRAMING[binding];
  const self = { reason: "self", mode: "gateway", host: "fake", version: "0", platform: "test", deviceFamily: "Test" };
  server.on("connection", (ws: WebSocket) => {
    let instanceId: string | undefined;
    const beacons: object[] = [];
    if (framing.greeting) ws.send(JSON.stringify({ ...framing.greeting, payload: { ...framing.greeting.payload, ts: Date.now() } }));
    ws.on("message", (data) => {
      const text = String(data);
      const req = JSON.parse(text) as { id: unknown; method: string; params?: { client?: { instanceId?: string }; instanceId?: string; text?: string } };
      const numeral = /"id":(-?[0-9][0-9.eE+-]*)/.exec(text)?.[1];
      const id = numeral === undefined ? req.id : "<id>";
      const answer = (frame: object) =>
        ws.send(numeral === undefined ? JSON.stringify(frame) : JSON.stringify(frame).replace('"id":"<id>"', `"id":${answerId === "parsed" ? JSON.stringify(req.id) : numeral}`));
      if (refuse && !framing.usable(req.id, text)) return answer(framing.refuseId(id));
      if (req.method === "connect") instanceId = req.params?.client?.instanceId;
      const rows = [{ ...self, ts: Date.now() }, { instanceId, reason: "connect", ts: Date.now() }, ...beacons];
      if (req.method === "connect") answer(framing.result(id, framing.hello(rows)));
      else if (req.method === "system-presence") answer(framing.result(id, rows));
      else if (req.method === "system-event") {
        beacons.push({ instanceId: req.params?.instanceId, text: req.params?.text, ts: Date.now() });
        answer(framing.result(id, { ok: true }));
      } else answer(framing.unknownMethod(id, req.method));
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

  describe("over the openclaw binding (native frames; every numeric id is refused there)", () => {
    /** The openclaw steps and the numeral each sends. */
    const SENT = { "7-send": "1e400", "8-send": "-0", "9-send": "1e-400", "10-send": "1.00000000000000001" } as const;
    const runOver = async (fake: { url: string }) => {
      const result = await runConformance({ url: fake.url, binding: "openclaw", scenarios: scenario });
      const s = result.scenarios[0]!;
      /** The text of the first frame received after a check's raw request (a passed check keeps no frames: read the wire log). */
      const answerText = (check: keyof typeof SENT) => {
        const sent = s.wire.findIndex((f) => f.dir === "send" && f.text.startsWith(`{"type":"req","id":${SENT[check]},`));
        return sent < 0 ? undefined : s.wire.slice(sent + 1).find((f) => f.dir === "recv")?.text;
      };
      return { result, s, answerText };
    };

    it("passes a gateway that refuses them with the id exactly as written: each step's /id check and its INVALID_REQUEST expectation pass, no W1 finding", async () => {
      const fake = await idGateway("as written", { binding: "openclaw" });
      try {
        const { result, s, answerText } = await runOver(fake);
        expect(s.checks.map((c) => [c.id, c.status, c.message])).toEqual(["1-connect", "7-send", "8-send", "9-send", "10-send", "11-list"].map((id) => [id, "passed", undefined]));
        expect(s.status).toBe("passed");
        for (const [check, numeral] of Object.entries(SENT)) {
          // Each passed check judged this answer: the numeral as sent (which the binding cannot decode: the
          // harness did, as ECHOED_ID) on the INVALID_REQUEST refusal the step expects.
          expect(answerText(check as keyof typeof SENT)).toBe(`{"type":"res","id":${numeral},"ok":false,"error":{"code":"INVALID_REQUEST","message":"invalid request frame: at /id: must be string"}}`);
        }
        expect(result.wireFindings).toEqual([]);
      } finally {
        await fake.close();
      }
    });

    it("fails a gateway that refuses them with the parsed id written back, as OpenClaw does: /id at -0 and 1e-400 (0) and 1.00000000000000001 (1); 1e400's null passes", async () => {
      const fake = await idGateway("parsed", { binding: "openclaw" });
      try {
        const { result, s, answerText } = await runOver(fake);
        const parsed = (numeral: string, value: string) =>
          `/id: the request's id was written ${numeral}, which JSON does not give back unchanged; the answer carries ${value}, the value JSON.parse read from it written back, not the id as sent: an id the client did not send (answer with id null, as JSON-RPC 2.0 answers an invalid request, or with the numeral exactly as written)`;
        expect(s.checks.map((c) => [c.id, c.status, c.message])).toEqual([
          ["1-connect", "passed", undefined],
          ["7-send", "passed", undefined], // Infinity, written back by JSON as null
          ["8-send", "failed", parsed("-0", "0")],
          ["9-send", "failed", parsed("1e-400", "0")],
          ["10-send", "failed", parsed("1.00000000000000001", "1")],
          ["11-list", "passed", undefined],
        ]);
        expect(s.status).toBe("failed");
        const refusal = (id: string) => `{"type":"res","id":${id},"ok":false,"error":{"code":"INVALID_REQUEST","message":"invalid request frame: at /id: must be string"}}`;
        expect((Object.keys(SENT) as (keyof typeof SENT)[]).map(answerText)).toEqual([refusal("null"), refusal("0"), refusal("0"), refusal("1")]);
        // 0 and 1 decode as ids: the finding is the check's, not a W1 one.
        expect(result.wireFindings).toEqual([]);
      } finally {
        await fake.close();
      }
    });

    it("still expects the refusal: a gateway that echoes the ids as written but runs the requests fails each step's expectation (not /id), and its beacon shows in the list", async () => {
      const fake = await idGateway("as written", { binding: "openclaw", refuse: false });
      try {
        const { s, answerText } = await runOver(fake);
        expect(s.status).toBe("failed");
        for (const [check, numeral] of Object.entries(SENT)) {
          expect(s.checks.find((c) => c.id === check)).toMatchObject({ status: "failed", message: expect.stringMatching(/^expected error \{"name":"INVALID_REQUEST"\}, got a result: /) });
          expect(answerText(check as keyof typeof SENT)?.startsWith(`{"type":"res","id":${numeral},"ok":true,`)).toBe(true);
        }
        expect(s.checks.find((c) => c.id === "11-list")).toMatchObject({ status: "failed", message: expect.stringMatching(/b1-id-rounded/) });
      } finally {
        await fake.close();
      }
    });
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
      { kind: "error", id: ECHOED_ID, error: { name: "INVALID_REQUEST", code: -32600, message: "invalid", sent: { code: -32600, message: "invalid" } } },
    ]);
    expect(decodeEchoedId(openClawBinding, '{"type":"res","id":1e-400,"ok":false,"error":{"code":"INVALID_REQUEST","message":"invalid"}}', sent)).toMatchObject([{ kind: "error", id: ECHOED_ID }]);
    expect(decodeEchoedId(jsonRpcBinding, '{"jsonrpc":"2.0","id":1.00000000000000001,"result":{}}', sent)).toBeUndefined();
    expect(decodeEchoedId(jsonRpcBinding, '[{"jsonrpc":"2.0","id":1e-400,"result":{}}]', sent)).toBeUndefined();
  });
});
