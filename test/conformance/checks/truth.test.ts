/**
 * The harness tells the truth about gateways that differ from the reference in ways that are not a
 * scenario's behaviour (issue 9): extra row fields are one wire-format finding (W2), not red scenarios;
 * a gateway that is still starting is waited for; a hidden test clock is caught; a gateway that needs
 * a text on beacons gets one (reported per actor), except where the missing text is the point.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../src/conformance/report/results.js";
import { ScenarioContext, type RunConfig } from "../../../src/conformance/run/context.js";
import { formatSummary } from "../../../src/conformance/report/pretty.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { WireConnection } from "../../../src/conformance/run/wire.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { jsonRpcBinding } from "../../../src/transport/jsonrpc.js";
import { FAST, planter, referenceGateway, runOptions, TOKEN } from "../gateways.js";

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** Beside `planter`, a scenario that only looks (a cli client has no row). */
const watcher: Scenario = {
  id: "watcher",
  title: "only looks",
  rules: ["M1"],
  level: "MUST",
  actors: { w: { client: { mode: "cli" } } },
  steps: [
    { step: "connect", actor: "w" },
    { step: "list", actor: "w", contains: [{ instanceId: "${run}-planted" }] },
  ],
};

describe("extra row fields (OpenClaw 2026.9.x's clientId, onlineSince, user)", () => {
  it("are one W2 finding per field, not failed scenarios; behaviour stays green", async () => {
    gateway = await referenceGateway("extraRowFields");
    const result = await runConformance(runOptions(gateway, { only: ["p3-cli-never-listed", "h5-token", "t1-json-text-frames", "k1-case-merge"] }));
    expect(result.scenarios.map((s) => `${s.id}: ${s.status}`)).toEqual(["h5-token: passed", "k1-case-merge: passed", "p3-cli-never-listed: passed", "t1-json-text-frames: passed"]);
    const paths = result.wireFindings.map((f) => `${f.rule} ${f.path} ${f.keyword}`);
    expect(paths).toEqual(expect.arrayContaining(["W2 /presence/*/clientId additionalProperties", "W2 /presence/*/onlineSince additionalProperties", "W2 /presence/*/user additionalProperties"]));
    expect(result.wireFindings.every((f) => f.rule === "W2" && f.status === "warning")).toBe(true);
    const clientId = result.wireFindings.find((f) => f.path === "/presence/*/clientId")!;
    // Once, however many frames carried it: hello-ok snapshots, listings and pushes alike.
    expect(result.wireFindings.filter((f) => f.path === "/presence/*/clientId")).toHaveLength(1);
    expect(clientId.frames).toBeGreaterThan(10);
    expect(clientId.schemas).toEqual(expect.arrayContaining(["HelloOk", "SystemPresenceResult", "PresenceEvent"]));
    expect(clientId.paths).toEqual(expect.arrayContaining(["/snapshot/presence/*/clientId", "/*/clientId", "/presence/*/clientId"]));
    expect(clientId.evidence.text).toContain('"clientId":"extra-client-id"');
    expect(result.byRule.W2).toMatchObject({ warnings: 3, failed: 0 });
    expect(result.byRule.W1).toMatchObject({ passed: 1, failed: 0 });
    expect(result.byRule.P3).toMatchObject({ passed: 1, failed: 0 });
    expect(result).toMatchObject({ behaviourOk: true, wireFormatOk: true, ok: true });
    expect(result.summary).toMatchObject({ wireWarnings: 3, wireFailures: 0 });

    const strict = await runConformance(runOptions(gateway, { only: ["p1-self-row"], strict: true }));
    expect(strict.scenarios[0]!.status).toBe("passed");
    expect(strict).toMatchObject({ behaviourOk: true, wireFormatOk: false, ok: false });
    expect(strict.wireFindings.every((f) => f.status === "failed")).toBe(true);
  });

  it("a row's finding is attributed to the scenario that planted it, not to every scenario that listed it", async () => {
    gateway = await referenceGateway("extraRowFields");
    const result = await runConformance(runOptions(gateway, { scenarios: [planter, watcher] }));
    expect(result.scenarios.map((s) => s.status)).toEqual(["passed", "passed"]);
    const clientId = result.wireFindings.find((f) => f.path === "/presence/*/clientId")!;
    // The self row was first seen by the probe; the planted row belongs to `planter`; `watcher` planted nothing.
    expect(clientId.scenarios.sort()).toEqual(["planter", "probe"]);
    expect(clientId.plantedBy).toEqual(["planter"]);
  });
});

/** An `equals` that leaves out contract fields the connect row holds (host, version, platform, ...). */
const tooFewFields: Scenario = {
  id: "equals-too-few",
  title: "expects a connect row with fewer fields than it has",
  rules: ["P2"],
  level: "MUST",
  actors: { a: { client: { instanceId: "${run}-eq" } } },
  steps: [
    { step: "connect", actor: "a" },
    { step: "list", actor: "a", where: { instanceId: "${run}-eq" }, equals: [{ instanceId: "${run}-eq", reason: "connect" }] },
  ],
};

describe("an equals list step (k2-beacon-instanceid-creates-row) on a gateway that adds fields to every row", () => {
  it("compares the contract's fields: the added fields are W2 findings, not a K2 failure (SPEC §11)", async () => {
    gateway = await referenceGateway("extraRowFields");
    const result = await runConformance(runOptions(gateway, { only: ["k2-beacon-instanceid-creates-row"] }));
    const scenario = result.scenarios[0]!;
    expect(scenario.checks.filter((c) => c.status !== "passed").map((c) => c.message)).toEqual([]);
    expect(scenario.status).toBe("passed");
    expect(result.wireFindings.map((f) => `${f.rule} ${f.status} ${f.path}`)).toEqual(
      expect.arrayContaining(["W2 warning /presence/*/clientId", "W2 warning /presence/*/onlineSince", "W2 warning /presence/*/user"]),
    );
    expect(result).toMatchObject({ behaviourOk: true, ok: true });
  });

  it("still fails on a contract field the row holds beyond the expected row, naming it and not the added fields", async () => {
    gateway = await referenceGateway("extraRowFields");
    const result = await runConformance(runOptions(gateway, { scenarios: [tooFewFields] }));
    const equals = result.scenarios[0]!.checks.find((c) => c.status === "failed")!;
    expect(equals.message).toMatch(
      /^\/equals: no exact row \(ts and fields beyond the contract ignored\) for \{"instanceId":"[0-9a-f]+-eq","reason":"connect"\}; nearest: the row of instanceId "[0-9a-f]+-eq", which differs at \/host: not in the expected row, got "conformance"; \/version: not in the expected row, got "1\.0\.0"; \/platform: not in the expected row, got "conformance", and \d+ more; \/equals: unexpected row\(s\) /,
    );
    expect(equals.message).not.toMatch(/clientId|onlineSince|gateway-owner/);
    expect(result.scenarios[0]!.status).toBe("failed");
  });
});

describe("a gateway that is still starting (retryable error, retryAfterMs, close 1013)", () => {
  it("is waited for, with progress, and then checked", async () => {
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, token: TOKEN, ...FAST, faults: { startsSlowly: true } });
    const events: ProgressEvent[] = [];
    const started = Date.now();
    const result = await runConformance(runOptions(gateway, { only: ["p1-self-row"], onProgress: (e) => events.push(e) }));
    expect(result.error).toBeUndefined();
    expect(result.scenarios[0]!.status).toBe("passed");
    expect(result.probe.attempts).toBeGreaterThan(2);
    expect(result.probe.waitedMs).toBeGreaterThan(2000);
    expect(Date.now() - started).toBeLessThan(15_000);
    const waits = events.filter((e) => e.type === "waiting-ready");
    expect(waits[0]).toMatchObject({ type: "waiting-ready", reason: expect.stringContaining("gateway starting; retry shortly"), retryInMs: 500 });
    expect(result.ok).toBe(true);
  });

  it("fails to start the run (no scenario) when it is not ready within --wait-ready", async () => {
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, token: TOKEN, ...FAST, faults: { startsSlowly: true } });
    const result = await runConformance(runOptions(gateway, { only: ["p1-self-row"], waitReadyMs: 700 }));
    // The gateway answered, so it runs: it kept saying it is starting (runConformance's option named).
    const notReady = ` (not ready within waitReadyMs: 700: ${result.probe.attempts} attempts in `;
    expect(result.error).toContain(notReady);
    expect(result.error).toMatch(/^probe connect refused: INTERNAL_ERROR: gateway starting; retry shortly \(not ready .* \d\.\d s; it may need a longer wait\)$/);
    expect(result.scenarios[0]!.status).toBe("skipped");
    expect(result.ok).toBe(false);
  });

  it("names the gateway's own error code when its binding's differs from SPEC's name (openclaw UNAVAILABLE)", async () => {
    gateway = await createGateway({ host: "127.0.0.1", port: 0, binding: "openclaw", testClock: true, token: TOKEN, ...FAST, faults: { startsSlowly: true } });
    const result = await runConformance(runOptions(gateway, { binding: "openclaw", only: ["p1-self-row"], waitReadyMs: 300 }));
    expect(result.error).toMatch(/probe connect refused: UNAVAILABLE \(INTERNAL_ERROR in SPEC §10\): gateway starting; retry shortly/);
  });

  it("waits for a port that refuses TCP until something listens", async () => {
    const placeholder = await referenceGateway();
    const url = placeholder.url;
    const port = Number(new URL(url).port);
    await placeholder.close();
    const later = setTimeout(() => {
      void createGateway({ host: "127.0.0.1", port, testClock: true, token: TOKEN, ...FAST }).then((g) => (gateway = g));
    }, 1200);
    try {
      const result = await runConformance({ url, token: TOKEN, handshakeTimeoutMs: FAST.handshakeTimeoutMs, only: ["p1-self-row"] });
      expect(result.error).toBeUndefined();
      expect(result.probe.attempts).toBeGreaterThan(1);
      expect(result.scenarios[0]!.status).toBe("passed");
    } finally {
      clearTimeout(later);
    }
  });
});

describe("a gateway whose test.clock.advance works but is not advertised (SPEC S3)", () => {
  it("is caught by the probe, and its clock is still used", async () => {
    gateway = await referenceGateway("hiddenTestClock");
    const result = await runConformance(runOptions(gateway, { only: ["s3-clock-advance", "p1-self-row-survives-ttl"] }));
    const probe = result.probe.result!;
    const check = probe.checks.find((c) => c.id === "advertises-test.clock.advance")!;
    expect(check).toMatchObject({ status: "failed", rules: ["S3"], message: expect.stringMatching(/test\.clock\.advance works but hello-ok\.features\.methods does not list it/) });
    expect(result.capabilities).toContain("testClock");
    // The clock works, so the scenarios that need one run; s3-clock-advance also sees it unlisted.
    expect(result.scenarios.map((s) => `${s.id}: ${s.status}`)).toEqual(["p1-self-row-survives-ttl: passed", "s3-clock-advance: failed"]);
    expect(result.scenarios[1]!.checks.find((c) => c.status === "failed")?.message).toMatch(/features\/methods: no item matches "test\.clock\.advance"/);
    expect(result.byRule.S3?.failed).toBe(2);
    expect(result.summary.probeFailures).toBe(1);
    expect(result).toMatchObject({ behaviourOk: false, ok: false });
  });

  it("an advertised clock that answers passes the probe", async () => {
    gateway = await referenceGateway();
    const result = await runConformance(runOptions(gateway, { only: ["p1-self-row"] }));
    expect(result.probe.result!.checks.map((c) => `${c.id}: ${c.status}`)).toEqual([
      "no-push-before-hello-ok: passed",
      "advertises-system-presence: passed",
      "advertises-system-event: passed",
      "advertises-test.clock.advance: passed",
    ]);
  });
});

describe("a gateway that pushes to a connection before its hello-ok (SPEC E1, H4)", () => {
  it("is caught by the probe, naming the event", async () => {
    gateway = await referenceGateway("pushBeforeHelloOk");
    const result = await runConformance(runOptions(gateway, { only: ["p1-self-row"] }));
    const check = result.probe.result!.checks.find((c) => c.id === "no-push-before-hello-ok")!;
    expect(check).toMatchObject({
      status: "failed",
      rules: ["E1", "H4"],
      message: `the probe's connection got 1 "tick" event before the answer to its connect: a gateway sends hello-ok first and pushes only after it (add the connection to the push fan-out once its hello-ok is written)`,
    });
    // It pushes early on every connect: the scenario's connection got one too (the run's check of them).
    const scenarios = result.probe.result!.checks.find((c) => c.id === "no-push-before-hello-ok-in-scenarios")!;
    expect(scenarios.message).toMatch(/^actor "a" of p1-self-row got 1 "tick" event before the answer to its connect \(1 of the 1 connections of the scenarios, in 1 scenario\)/);
    expect(result.scenarios[0]!.status).toBe("passed");
    expect(result.summary.probeFailures).toBe(2);
    expect(result).toMatchObject({ behaviourOk: false, ok: false });
    // The verdict says what the probe found (it said "1 advertised/working mismatch" of any probe failure).
    expect(formatSummary(result).trimEnd().split("\n").pop()).toBe("FAIL: the probe: events pushed before hello-ok (see above)");
  });
});

describe("a gateway that needs a text on beacons (as OpenClaw does)", () => {
  it("gets one where the step sends none (listed per actor and step), but not where the missing text is the point", async () => {
    gateway = await referenceGateway("beaconTextRequired");
    const result = await runConformance(runOptions(gateway, { only: ["p5-tunneled-reconnect-keeps-ip", "m2-system-event"] }));
    expect(result.probe.needs).toEqual([expect.stringMatching(/^system-event needs a non-empty text \(system-event \{\} \(text-less\): INVALID_PARAMS: text required\)$/)]);
    const p5 = result.scenarios.find((s) => s.id === "p5-tunneled-reconnect-keeps-ip")!;
    expect(p5.status).toBe("passed");
    expect(p5.adaptations).toEqual([
      { actor: "app", step: "2-send", change: expect.stringMatching(/^text "conformance beacon \w+ p5-tunneled-reconnect-keeps-ip" added$/), reason: expect.stringMatching(/refuses a system-event without text .*SPEC M2 makes text optional/) },
      { actor: "app", step: "7-send", change: expect.stringMatching(/^text ".*" added$/), reason: expect.any(String) },
    ]);
    const m2 = result.scenarios.find((s) => s.id === "m2-system-event")!;
    expect(m2.status).toBe("failed");
    expect(m2.adaptations).toBeUndefined();
    const textless = m2.checks.find((c) => c.id === "4-send")!;
    expect(textless).toMatchObject({ status: "failed", message: expect.stringMatching(/expected a result, got error INVALID_PARAMS .*text required/) });
    expect(textless.frames?.[0]?.text).not.toContain('"text"');
    expect(result.byRule.M2?.failed).toBe(1);
  });

  it("a SPEC gateway needs nothing: no adaptation anywhere", async () => {
    gateway = await referenceGateway();
    const result = await runConformance(runOptions(gateway, { only: ["p5-tunneled-reconnect-keeps-ip", "m2-system-event", "b2-rate-limit"] }));
    expect(result.probe.needs).toEqual([]);
    expect(result.scenarios.flatMap((s) => s.adaptations ?? [])).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

describe("an actor whose connection is closing (OpenClaw closing after a refused connect, or the harness)", () => {
  it("is said to be closing, then closed with its code; never 'no connect/open step before'", async () => {
    gateway = await referenceGateway();
    const ctx = new ScenarioContext(planter, { url: gateway.url, urls: [gateway.url], binding: jsonRpcBinding, token: TOKEN, stepTimeoutMs: 1000, capabilities: new Set(), runId: "r", handshakeTimeoutMs: FAST.handshakeTimeoutMs, needs: {}, ttlMs: 1000 } as RunConfig);
    const conn = await WireConnection.open(gateway.url, "a", jsonRpcBinding, ctx.log, undefined, 1000);
    ctx.track("a", conn);
    expect(ctx.connection("a")).toBe(conn);
    const closed = new Promise<void>((resolve) => conn.socket.once("close", () => resolve()));
    conn.socket.close(4000, "test");
    // The close handshake has begun (CLOSING): no code yet, but the actor did connect.
    expect(() => ctx.connection("a")).toThrow('actor "a" is closing (its close handshake has begun)');
    await closed;
    expect(() => ctx.connection("a")).toThrow('actor "a" was closed (4000)');
    expect(() => ctx.connection("b")).toThrow('actor "b" is not open (no connect/open step before)');
  });
});

/**
 * A list step whose later steps build on it (`assume: {passes: true}`): a P6 check after a disconnect,
 * before the steps that judge the reconnect. Its failure stands, charged to its own rules; the later
 * steps are not run, so their rules are not charged with it.
 */
const keptThenReconnect = (instanceId: string): Scenario => ({
  id: "kept-then-reconnect",
  title: "a closed connection's row is kept; the reconnect finds its beacon's ip",
  rules: ["P5"],
  level: "MUST",
  actors: { observer: { client: { mode: "cli" } }, app: { client: { instanceId: "${run}-kept" } } },
  steps: [
    { step: "connect", actor: "observer" },
    { step: "connect", actor: "app" },
    { step: "send", actor: "app", method: "system-event", params: { instanceId: "${run}-kept", ip: "203.0.113.7" }, expect: { result: { $exact: { ok: true } } } },
    { step: "disconnect", actor: "app" },
    {
      id: "kept",
      step: "list",
      actor: "observer",
      contains: [{ instanceId, reason: "disconnect" }],
      eventuallyMs: 500,
      rules: ["P6"],
      assume: { passes: true, because: "the reconnect below must find this row" },
    },
    { step: "connect", actor: "app" },
    { step: "list", actor: "app", contains: [{ instanceId: "${run}-kept", ip: "203.0.113.7" }] },
  ],
});

describe("a list step the later steps build on (assume: {passes: true})", () => {
  it("when it fails: that check stands with its own rules, and the later steps are not run", async () => {
    gateway = await referenceGateway();
    const result = await runConformance(runOptions(gateway, { scenarios: [keptThenReconnect("${run}-not-this-one")] }));
    const scenario = result.scenarios[0]!;
    expect(scenario.status).toBe("failed");
    expect(scenario.checks.map((c) => `${c.id} ${c.status} ${c.rules.join(",")}`)).toEqual(["1-connect passed P5", "2-connect passed P5", "3-send passed P5", "kept failed P6"]);
    expect(scenario.checks[3]!.message).toMatch(/^\/contains\/0: no row matches \{"instanceId":"[0-9a-f]+-not-this-one","reason":"disconnect"\}.* \(2 later steps not run: the reconnect below must find this row\)$/);
  });

  it("when it passes: the scenario goes on, and is judged by every step", async () => {
    gateway = await referenceGateway("loopbackWipesIp");
    const result = await runConformance(runOptions(gateway, { scenarios: [keptThenReconnect("${run}-kept")] }));
    const scenario = result.scenarios[0]!;
    expect(scenario.checks.map((c) => `${c.id} ${c.status}`)).toEqual(["1-connect passed", "2-connect passed", "3-send passed", "kept passed", "6-connect passed", "7-list failed"]);
    expect(scenario.status).toBe("failed");
  });
});
