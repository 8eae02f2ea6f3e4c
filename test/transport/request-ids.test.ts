// Request ids that do not survive a JSON round trip (1e400 -> Infinity -> null, 9007199254740993 ->
// ...992, -0 -> 0): the SDK, both bindings, the harness and the recorder never produce or accept one.
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { createPresenceClient, FrameDecodeError, jsonRpcBinding, openClawBinding } from "../../src/index.js";
import { hasLossyNumber, parseRecording, RecordingFormatError } from "../../src/record/recording.js";
import { startRecordingProxy } from "../../src/record/proxy.js";
import { assertRoundTripId, isRoundTripId, requestIdProblem } from "../../src/transport/request-id.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** What JSON.parse makes of the numerals a new user tries. */
const LOSSY: Array<[string, unknown]> = [
  ["1e400", JSON.parse("1e400")],
  ["-1e400", JSON.parse("-1e400")],
  ["9007199254740993", JSON.parse("9007199254740993")],
  ["-9007199254740993", JSON.parse("-9007199254740993")],
  ["1e21", JSON.parse("1e21")],
  ["1.5e300", JSON.parse("1.5e300")],
  ["-0", JSON.parse("-0")],
  ["-1e-400 (underflows to -0)", JSON.parse("-1e-400")],
];
const KEPT: unknown[] = [0, 1, -1, 42, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1.5, 1e-7, "x", "", "9007199254740993"];

describe("the request id rule", () => {
  it.each(LOSSY)("refuses %s, naming why", (_text, id) => {
    expect(requestIdProblem(id)).toMatch(/finite|2\^53|-0/);
    expect(isRoundTripId(id)).toBe(false);
    expect(() => assertRoundTripId(id)).toThrow(TypeError);
    // ... and each of them indeed does not come back as it was.
    const back = JSON.parse(JSON.stringify({ id })).id;
    expect(Object.is(back, id) && Number.isSafeInteger(Math.abs(id as number))).toBe(false);
  });

  it("keeps strings, safe integers and finite fractions, which come back unchanged", () => {
    for (const id of KEPT) {
      expect(requestIdProblem(id), String(id)).toBeUndefined();
      expect(Object.is(JSON.parse(JSON.stringify(id)), id)).toBe(true);
    }
    expect(requestIdProblem(null)).toBeUndefined(); // JSON-RPC allows it; the gateway answers with null
    expect(isRoundTripId(null)).toBe(false); // but nobody sends it to get an answer matched
    expect(requestIdProblem(true)).toBe("must be a string, a number or null");
  });
});

describe.each([
  ["jsonrpc", jsonRpcBinding, (id: string) => `{"jsonrpc":"2.0","id":${id},"result":[]}`, (id: string) => `{"jsonrpc":"2.0","id":${id},"error":{"code":-32603,"message":"x"}}`],
  ["openclaw", openClawBinding, (id: string) => `{"type":"res","id":${id},"ok":true,"payload":[]}`, (id: string) => `{"type":"res","id":${id},"ok":false,"error":{"code":"UNAVAILABLE","message":"x"}}`],
] as const)("the %s binding", (_name, binding, result, error) => {
  it("never encodes a request with such an id", () => {
    for (const [, id] of LOSSY) expect(() => binding.encodeRequest(id as number, "system-presence", undefined)).toThrow(/request id .* must/);
    expect(binding.encodeRequest(7, "system-presence", undefined)).toContain("7");
  });

  it("refuses an answer whose id did not survive, with a message naming it", () => {
    for (const text of ["1e400", "9007199254740993", "-0"]) {
      for (const frame of [result(text), error(text)]) {
        expect(() => binding.decode(frame), frame).toThrow(FrameDecodeError);
        expect(() => binding.decode(frame)).toThrow(/id (Infinity|9007199254740992|-0) must/);
      }
    }
    expect(binding.decode(result("9007199254740991"))[0]).toMatchObject({ kind: "result", id: 9007199254740991 });
  });
});

describe("the SDK client", () => {
  it("does not settle a request with an answer whose id was mangled, and says why", async () => {
    // A gateway that answers connect properly, then echoes every other id as 1e400.
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
    await new Promise<void>((r) => wss.once("listening", () => r()));
    wss.on("connection", (socket) =>
      socket.on("message", (data) => {
        const m = JSON.parse(String(data));
        if (m.method === "connect") {
          const hello = { type: "hello-ok", protocol: 1, server: { version: "t", connId: "c" }, features: { methods: [], events: [] }, snapshot: { presence: [], stateVersion: { presence: 0 }, uptimeMs: 0 }, policy: { maxPayload: 524288, maxBufferedBytes: 1048576, tickIntervalMs: 30000 } };
          socket.send(JSON.stringify({ jsonrpc: "2.0", id: m.id, result: hello }));
        } else socket.send(`{"jsonrpc":"2.0","id":1e400,"result":[]}`);
      }),
    );
    const port = (wss.address() as { port: number }).port;
    const client = createPresenceClient({ url: `ws://127.0.0.1:${port}`, client: { id: "t", version: "1", platform: "linux", mode: "ui" }, reconnect: false });
    cleanups.push(() => client.close());
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    await client.connect();
    await expect(client.systemPresence({}, { timeoutMs: 300 })).rejects.toMatchObject({ kind: "timeout" });
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/answer id Infinity must be a finite number/)]);
  });
});

describe("the recorder", () => {
  it("keeps a frame holding a number JSON would not write back as text, so the recording is what was sent", async () => {
    const upstream = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    cleanups.push(() => new Promise<void>((r) => upstream.close(() => r())));
    await new Promise<void>((r) => upstream.once("listening", () => r()));
    upstream.on("connection", (s) => s.on("message", () => s.send(`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad id"}}`)));
    const out: string[] = [];
    const proxy = await startRecordingProxy({ port: 0, upstream: `ws://127.0.0.1:${(upstream.address() as { port: number }).port}`, write: (l) => out.push(l) });
    cleanups.push(() => proxy.close());
    const ws = new WebSocket(proxy.url);
    cleanups.push(() => ws.terminate());
    await new Promise((r) => ws.once("open", r));
    const frames = [
      `{"jsonrpc":"2.0","id":1e400,"method":"system-presence"}`,
      `{"jsonrpc":"2.0","id":9007199254740993,"method":"system-presence"}`,
      `{"jsonrpc":"2.0","id":7,"method":"system-event","params":{"lastInputSeconds":-0}}`,
      `{"jsonrpc":"2.0","id":8,"method":"system-presence"}`,
    ];
    for (const f of frames) {
      ws.send(f);
      await new Promise((r) => ws.once("message", r));
    }
    const sent = parseRecording(out.join("")).filter((l) => l.dir === "send");
    expect(sent.map((l) => l.text ?? null)).toEqual([frames[0], frames[1], frames[2], null]);
    expect(sent[3].frame).toEqual({ jsonrpc: "2.0", id: 8, method: "system-presence" });
  });

  it("refuses a recording whose frame id did not survive, naming the line", () => {
    const good = `{"conn":"c1","dir":"send","frame":{"jsonrpc":"2.0","id":"a","method":"x"}}`;
    const bad = `{"conn":"c1","dir":"send","frame":[{"jsonrpc":"2.0","id":1,"method":"x"},{"jsonrpc":"2.0","id":9007199254740993,"method":"x"}]}`;
    expect(() => parseRecording(`${good}\n${bad}\n`)).toThrow(RecordingFormatError);
    expect(() => parseRecording(`${good}\n${bad}\n`)).toThrow(/^line 2: frame\[1\] id 9007199254740992 must be an integer within/);
  });

  it("hasLossyNumber looks into nested values", () => {
    expect(hasLossyNumber({ a: [1, { b: JSON.parse("1e400") }] })).toBe(true);
    expect(hasLossyNumber({ a: [1, { b: 2.5, c: "1e400" }] })).toBe(false);
  });
});
