// Recording -> fixture: the committed fixtures are what the converter makes of their recordings,
// they are valid scenarios, volatile values are normalised, and expectations are the recorded answers.
import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { checkScenario } from "../../src/conformance/scenario/fixtures.js";
import type { Scenario, Step } from "../../src/conformance/scenario/scenario.js";
import { recordingToScenario } from "../../src/record/fixture.js";
import { parseRecording, RecordingFormatError } from "../../src/record/recording.js";
import { fixtureTag } from "../../src/record/rows.js";
import { RECORDINGS_ROOT, recordingFiles } from "./recordings.js";

const FIXTURES = new URL("../../fixtures/recorded/", import.meta.url);
const fixture = (name: string): Scenario => JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8"));

interface Source {
  name: string;
  recording: URL;
  source: string;
  label: string;
}

/** Each committed fixture and the recording it was made from (as scripts/interop/convert-all.ts pairs them). */
function sources(): Source[] {
  const ours = readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => ({ name: f.replace(/\.jsonl$/, ""), label: f.replace(/\.jsonl$/, ""), recording: new URL(f, FIXTURES), source: f }));
  const shared = recordingFiles().map((file) => {
    const [release, name] = file.replace(/\.jsonl$/, "").split("/");
    return { name: `${release}-${name}`, label: `${release} ${name}`, recording: new URL(file, RECORDINGS_ROOT), source: `${release}/${name}.jsonl` };
  });
  return [...ours, ...shared];
}

function convert(s: Source): Scenario {
  return recordingToScenario(parseRecording(readFileSync(s.recording, "utf8")), { name: s.label, source: s.source });
}

describe("committed fixtures", () => {
  it.each(sources().map((s) => [s.name, s] as const))("%s is the converter's output and a valid scenario", (name, s) => {
    const scenario = convert(s);
    expect(fixture(name), "regenerate with scripts/interop/convert-all.ts").toEqual(scenario);
    expect(() => checkScenario(scenario, `${name}.json`)).not.toThrow();
  });
});

function stepsOf(name: string, kind: Step["step"]) {
  return fixture(name).steps.filter((s) => s.step === kind) as any[];
}

describe("what the conversion keeps and what it normalises", () => {
  it("own instanceIds get the run and fixture prefix, letter case kept; OpenClaw's two ABC-1/abc-1 rows stay a recorded fact", () => {
    const s = fixture("openclaw-2026.9.6-c-instanceId-case");
    const prefix = `\${run}-${fixtureTag("openclaw-2026.9.6 c-instanceId-case")}-`;
    expect(s.actors.upper!.client!.instanceId).toBe(`${prefix}ABC-1`);
    expect(s.actors.lower!.client!.instanceId).toBe(`${prefix}abc-1`);
    const listing = stepsOf("openclaw-2026.9.6-c-instanceId-case", "list")[0];
    expect(listing.where).toEqual({ instanceId: { $regex: `^${prefix}`, $flags: "i" } });
    expect(listing.count).toBe(2);
  });

  it("error answers become SPEC names, with the missing scope", () => {
    const sends = stepsOf("openclaw-2026.9.6-f-system-event-beacons", "send");
    const errors = sends.filter((s) => s.expect?.error).map((s) => s.expect.error);
    expect(errors).toContainEqual({ name: "FORBIDDEN", data: { missingScope: "operator.admin" } });
    expect(errors).toContain("INVALID_PARAMS");
    const old = stepsOf("openclaw-2026.1.30-f-system-event-beacons", "send").filter((s) => s.expect?.error).map((s) => s.expect.error);
    expect(old).toContainEqual({ name: "FORBIDDEN", data: { missingScope: "operator.admin" } });
  });

  it("no fixture carries a device block, nonce, connId, token or a literal timestamp", () => {
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith(".json"))) {
      const text = readFileSync(new URL(file, FIXTURES), "utf8");
      for (const needle of ['"device": {', '"nonce"', '"signedAt"', '"publicKey"', '"connId": "', '"token": "', '"ts": 1']) expect(text, `${file} ${needle}`).not.toContain(needle);
    }
  });

  it("OpenClaw connects recorded without a device replay unsigned (device: null); signed ones let the binding sign", () => {
    const s = fixture("openclaw-2026.9.6-a-webchat-with-instanceId");
    expect(s.actors["webchat-nodevice"]!.extra).toEqual({ device: null });
    expect(s.actors.webchat1!.extra).toBeUndefined();
  });

  it("cli connections are actors, but no expected row is a cli row (OpenClaw records none)", () => {
    const s = fixture("openclaw-2026.1.30-d-cli-and-ephemeral-modes");
    expect(Object.values(s.actors).some((a) => a.client?.mode === "cli")).toBe(true);
    expect(JSON.stringify(s.steps)).not.toMatch(/"mode":"cli"/);
  });

  it("clients closing become disconnect steps, pushes expectEvent steps", () => {
    const s = fixture("openclaw-2026.9.6-a-webchat-with-instanceId");
    expect(s.steps.filter((x) => x.step === "disconnect").length).toBeGreaterThanOrEqual(2);
    const push = s.steps.find((x) => x.step === "expectEvent") as any;
    expect(push).toMatchObject({ event: "presence", match: { presence: { $contains: expect.any(Array) } } });
  });
});

describe("the rules a fixture cites are the rules its steps check", () => {
  it("P6 only when a later listing, push or snapshot shows the row of a client the recording closed: a disconnect step alone checks nothing of it", () => {
    // Both sdk-beacons recordings close their clients last (a cli client, which has no row, and a reader): nothing shows a row after.
    for (const name of ["openclaw-2026.9.6-sdk-beacons", "openclaw-2026.1.30-sdk-beacons"]) {
      const s = fixture(name);
      expect(s.steps.some((x) => x.step === "disconnect")).toBe(true);
      expect(s.rules, name).not.toContain("P6");
    }
    // The app leaves and the observer lists it as disconnect: P6 is checked there.
    const lifecycle = fixture("openclaw-2026.9.6-sdk-app-lifecycle");
    expect(lifecycle.rules).toContain("P6");
    const disconnect = lifecycle.steps.findIndex((x) => x.step === "disconnect");
    expect(JSON.stringify(lifecycle.steps.slice(disconnect + 1))).toMatch(/"reason":"disconnect"/);
  });
});

describe("late pushes", () => {
  it("a push that still shows a client connected after the recording closed it is not expected (a coalescing gateway never sends it)", () => {
    let dt = 0;
    const line = (conn: string, dir: string, body: object) => JSON.stringify({ ts: "2026-11-24T00:00:00.000Z", ms: 1795485184763 + dt, dt: dt++, t: dt, conn, dir, ...body });
    const connect = (conn: string, instanceId: string) => [
      line(conn, "meta", { event: "open", url: "ws://127.0.0.1:18789/" }),
      line(conn, "send", { frame: { jsonrpc: "2.0", id: `${conn}-1`, method: "connect", params: { minProtocol: 1, maxProtocol: 1, client: { id: "app", version: "1", platform: "linux", mode: "ui", instanceId } } } }),
      line(conn, "recv", { frame: { jsonrpc: "2.0", id: `${conn}-1`, result: { type: "hello-ok", protocol: 1, server: { version: "1", connId: conn }, features: { methods: [], events: [] }, snapshot: { presence: [], stateVersion: { presence: 0 }, uptimeMs: 0 }, policy: { maxPayload: 1, maxBufferedBytes: 1, tickIntervalMs: 1 } } } }),
    ];
    const push = (conn: string, rows: object[]) => line(conn, "recv", { frame: { jsonrpc: "2.0", method: "presence", params: { presence: rows, stateVersion: { presence: dt } } } });
    const close = (conn: string) => line(conn, "meta", { event: "close", code: 1000, reason: "client closed", by: "client" });
    const recording = [
      ...connect("watch", "w"),
      ...connect("a", "a"),
      ...connect("b", "b"),
      close("a"),
      close("b"),
      // Sent for a's close, received after b's: b still shows "connect".
      push("watch", [{ instanceId: "a", reason: "disconnect", ts: 1 }, { instanceId: "b", reason: "connect", ts: 1 }]),
      push("watch", [{ instanceId: "a", reason: "disconnect", ts: 1 }, { instanceId: "b", reason: "disconnect", ts: 2 }]),
      line("watch", "send", { frame: { jsonrpc: "2.0", id: "watch-2", method: "system-presence" } }),
      line("watch", "recv", { frame: { jsonrpc: "2.0", id: "watch-2", result: [] } }),
    ].join("\n");
    const scenario = recordingToScenario(parseRecording(recording), { name: "late", source: "late.jsonl" });
    const pushes = scenario.steps.filter((x) => x.step === "expectEvent") as Extract<Step, { step: "expectEvent" }>[];
    // Consecutive pushes collapse into the last one anyway; a stale last one is dropped.
    expect(pushes).toHaveLength(1);
    expect(JSON.stringify(pushes[0]!.match)).toContain('"reason":"disconnect"');
    expect(JSON.stringify(pushes[0]!.match)).not.toMatch(/"instanceId":"[^"]*-b","reason":"connect"/);
    const stale = recordingToScenario(parseRecording(recording.split("\n").filter((_, i) => i !== 12).join("\n")), { name: "late", source: "late.jsonl" });
    expect(stale.steps.filter((x) => x.step === "expectEvent")).toHaveLength(0);
  });
});

describe("recording format errors name the line", () => {
  it.each([
    ["{nope", /line 1: not JSON/],
    ['{"dir":"send","frame":{}}', /line 1: missing "conn"/],
    ['{"conn":"a","dir":"sideways"}', /line 1: "dir" must be send, recv, meta or note/],
    ['\n{"conn":"a","dir":"recv"}', /line 2: a recv line needs "frame" or "text"/],
  ])("%s", (text, message) => {
    expect(() => parseRecording(text)).toThrow(RecordingFormatError);
    expect(() => parseRecording(text)).toThrow(message);
  });

  it("a recording without requests or with unknown frames is refused", () => {
    expect(() => recordingToScenario(parseRecording('{"conn":"a","dir":"meta","event":"open"}'), { name: basename("x") })).toThrow(/cannot tell the binding/);
  });
});
