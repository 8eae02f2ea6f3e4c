// The openclaw binding against every frame recorded from real OpenClaw gateways.
import { describe, expect, it } from "vitest";
import { FrameDecodeError } from "../../src/transport/frames.js";
import { decodeOpenClawFrame, encodeOpenClawRequest, OPENCLAW_PROTOCOL } from "../../src/transport/openclaw.js";
import { allRecordedLines } from "./recordings.js";

describe("recorded OpenClaw frames through the openclaw binding", () => {
  const lines = allRecordedLines().filter((l) => l.frame);
  const received = lines.filter((l) => l.dir === "recv");
  const sent = lines.filter((l) => l.dir === "send");

  it("decodes every received frame of both releases", () => {
    expect(new Set(received.map((l) => l.release)).size).toBe(2);
    expect(received.length).toBeGreaterThan(300);
    for (const line of received) {
      const decoded = decodeOpenClawFrame(JSON.stringify(line.frame));
      expect(decoded).toHaveLength(1);
      expect(decoded[0]!.kind).toBe(line.frame!.type === "event" ? "event" : line.frame!.ok ? "result" : "error");
    }
  });

  it("encodes every recorded request exactly as the recorder sent it", () => {
    expect(sent.length).toBeGreaterThan(50);
    for (const line of sent) {
      const f = line.frame!;
      expect(JSON.parse(encodeOpenClawRequest(f.id, f.method, f.params))).toEqual(f);
    }
  });

  it("answers carry the id of the request they answer", () => {
    const requested = new Set(sent.map((l) => `${l.file}|${l.frame!.id}`));
    const answers = received.filter((l) => l.frame!.type === "res");
    expect(answers.length).toBeGreaterThan(50);
    for (const line of answers) {
      const [frame] = decodeOpenClawFrame(JSON.stringify(line.frame));
      if (frame!.kind === "event") throw new Error("expected an answer");
      expect(requested.has(`${line.file}|${frame!.id}`), `${line.file} ${String(frame!.id)}`).toBe(true);
    }
  });

  it("presence events get seq, the frame's stateVersion.presence, and SPEC E1's payload shape", () => {
    const presence = received.filter((l) => l.frame!.type === "event" && l.frame!.event === "presence");
    expect(presence.length).toBeGreaterThan(100);
    for (const line of presence) {
      const f = line.frame!;
      expect(f.payload.stateVersion, "OpenClaw itself sends no stateVersion in the payload").toBeUndefined();
      const [frame] = decodeOpenClawFrame(JSON.stringify(f));
      expect(frame).toEqual({
        kind: "event",
        event: "presence",
        seq: f.seq,
        stateVersion: f.stateVersion.presence,
        payload: { presence: f.payload.presence, stateVersion: { presence: f.stateVersion.presence } },
      });
    }
  });

  it("events without a stateVersion (health excepted) decode without one", () => {
    const others = received.filter((l) => l.frame!.type === "event" && !l.frame!.stateVersion);
    expect(others.length).toBeGreaterThan(40);
    for (const line of others) {
      const [frame] = decodeOpenClawFrame(JSON.stringify(line.frame));
      expect(frame).toEqual({ kind: "event", event: line.frame!.event, payload: line.frame!.payload, ...(line.frame!.seq !== undefined ? { seq: line.frame!.seq } : {}) });
    }
  });

  it("every recorded hello-ok negotiated a protocol the binding offers", () => {
    const hellos = received.filter((l) => l.frame!.payload?.type === "hello-ok");
    expect(hellos.length).toBeGreaterThan(30);
    const byRelease = new Map<string, Set<number>>();
    for (const line of hellos) {
      const protocol = line.frame!.payload.protocol as number;
      expect(protocol).toBeGreaterThanOrEqual(OPENCLAW_PROTOCOL.min);
      expect(protocol).toBeLessThanOrEqual(OPENCLAW_PROTOCOL.max);
      byRelease.set(line.release, (byRelease.get(line.release) ?? new Set()).add(protocol));
    }
    expect(Object.fromEntries([...byRelease].map(([r, s]) => [r, [...s]]))).toEqual({
      "openclaw-2026.1.30": [3],
      "openclaw-2026.9.6": [4],
    });
  });

  it("maps every recorded error onto a SPEC §10 name", () => {
    const expected: Record<string, { name: string; data: Record<string, unknown> }> = {
      "missing scope: operator.admin": { name: "FORBIDDEN", data: { missingScope: "operator.admin" } },
      "missing scope: operator.read": { name: "FORBIDDEN", data: { missingScope: "operator.read" } },
      "text required": { name: "INVALID_PARAMS", data: { errors: [{ path: "/text", message: "text required", keyword: "required" }] } },
      "invalid system-event params: at root: unexpected property 'bogus'": {
        name: "INVALID_PARAMS",
        data: { errors: [{ path: "/bogus", message: "unexpected property 'bogus'", keyword: "additionalProperties" }] },
      },
      "invalid system-event params: at /lastInputSeconds: must be number": {
        name: "INVALID_PARAMS",
        data: { errors: [{ path: "/lastInputSeconds", message: "must be number" }] },
      },
    };
    const errors = received.filter((l) => l.frame!.type === "res" && l.frame!.ok === false);
    expect(errors.length).toBeGreaterThanOrEqual(7);
    const seen = new Set<string>();
    for (const line of errors) {
      const [frame] = decodeOpenClawFrame(JSON.stringify(line.frame));
      if (frame!.kind !== "error") throw new Error("expected an error");
      const want = expected[line.frame!.error.message];
      expect(want, `no expectation for ${line.frame!.error.message}`).toBeDefined();
      seen.add(line.frame!.error.message);
      expect(frame!.error.name).toBe(want!.name);
      expect(frame!.error.data).toMatchObject({ code: want!.name, ...want!.data, native: line.frame!.error });
    }
    expect([...seen].sort()).toEqual(Object.keys(expected).sort());
  });
});

describe("openclaw frame decoding rejects what is not an OpenClaw frame, saying why", () => {
  const cases: Array<[string, RegExp]> = [
    ["{not json", /not JSON/],
    ["[1,2]", /not an OpenClaw frame object/],
    ['{"type":"hello"}', /unknown frame type "hello"/],
    ['{"type":"res","ok":true,"payload":{}}', /without a string id/],
    ['{"type":"res","id":"1","ok":false,"error":{"message":"x"}}', /"ok": false with \{code, message\}/],
    ['{"type":"event","payload":{}}', /without an event name/],
  ];
  it.each(cases)("%s", (text, message) => {
    expect(() => decodeOpenClawFrame(text)).toThrow(FrameDecodeError);
    expect(() => decodeOpenClawFrame(text)).toThrow(message);
  });

  it("numeric request ids travel as strings and come back as numbers; other strings stay strings", () => {
    expect(JSON.parse(encodeOpenClawRequest(7, "system-presence", {}))).toEqual({ type: "req", id: "7", method: "system-presence", params: {} });
    expect(JSON.parse(encodeOpenClawRequest("a-1", "system-presence", undefined))).toEqual({ type: "req", id: "a-1", method: "system-presence" });
    expect(decodeOpenClawFrame('{"type":"res","id":"7","ok":true,"payload":[]}')).toEqual([{ kind: "result", id: 7, result: [] }]);
    expect(decodeOpenClawFrame('{"type":"res","id":"07","ok":true,"payload":[]}')).toEqual([{ kind: "result", id: "07", result: [] }]);
    expect(decodeOpenClawFrame('{"type":"res","id":"a-1","ok":true}')).toEqual([{ kind: "result", id: "a-1", result: undefined }]);
  });
});
