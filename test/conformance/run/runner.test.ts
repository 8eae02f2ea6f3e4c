import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { ProgressEvent } from "../../../src/conformance/report/results.js";
import { progressPrinter } from "../../../src/conformance/report/pretty.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import type { Gateway } from "../../../src/server/index.js";
import { WebSocketServer } from "ws";
import { fakeHelloOk, referenceGateway, runOptions, wrongFakeGateway } from "../gateways.js";

const hanging: Scenario = {
  id: "hangs",
  title: "waits for an event that never comes",
  rules: ["E1"],
  level: "MUST",
  timeoutMs: 400,
  actors: { a: { client: { instanceId: "${run}-hang" } } },
  steps: [
    { step: "connect", actor: "a" },
    { step: "expectEvent", actor: "a", event: "never", withinMs: 60_000 },
  ],
};

const shouldFail: Scenario = {
  id: "should-fails",
  title: "a SHOULD check that fails",
  rules: ["E2"],
  level: "SHOULD",
  actors: { a: { client: { instanceId: "${run}-should" } } },
  steps: [
    { step: "connect", actor: "a" },
    { step: "list", actor: "a", contains: [{ instanceId: "${run}-nobody" }] },
  ],
};

describe("runConformance against the reference gateway", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await referenceGateway();
  });
  afterAll(() => gateway.close());

  it("fails a scenario that hangs, at its deadline, and goes on with the next", async () => {
    const events: ProgressEvent["type"][] = [];
    const selfRow = loadScenarios().filter(({ scenario }) => scenario.id === "p1-self-row");
    const result = await runConformance(runOptions(gateway, { scenarios: [hanging, ...selfRow], onProgress: (e) => events.push(e.type) }));
    const [hang, next] = result.scenarios;
    expect(hang.status).toBe("failed");
    expect(hang.checks.find((c) => c.id === "timeout")?.message).toBe(
      "the scenario did not finish within 400 ms (its own deadline, which timeoutMs does not change; waits not counted)",
    );
    expect(hang.durationMs).toBeLessThan(5000);
    expect(next.status).toBe("passed");
    expect(result.ok).toBe(false);
    expect(events).toEqual(["start", "scenario-start", "scenario-end", "scenario-start", "scenario-end", "end"]);
  });

  it("names the run's timeout option when a scenario without its own deadline runs out of the run's", async () => {
    const { timeoutMs: _own, ...noDeadline } = hanging;
    const result = await runConformance(runOptions(gateway, { scenarios: [noDeadline], timeoutMs: 300 }));
    expect(result.scenarios[0].checks.find((c) => c.id === "timeout")?.message).toBe(
      "the scenario did not finish within 300 ms (its deadline, timeoutMs; waits not counted)",
    );
  });

  it("refuses an only-selection the mode leaves out entirely (as the CLI does), before probing", async () => {
    await expect(runConformance(runOptions(gateway, { only: ["x1-connect-on-a-watch-on-b"] }))).rejects.toThrow('--only "x1-connect-on-a-watch-on-b" matches only cluster scenarios');
    await expect(runConformance(runOptions(gateway, { only: ["s1-ttl-expiry-real-time"] }))).rejects.toThrow(/matches only real-time scenarios: add --real-time/);
  });

  it("reports a SHOULD failure as a warning, and as a failure when strict", async () => {
    const lenient = await runConformance(runOptions(gateway, { scenarios: [shouldFail] }));
    expect(lenient.scenarios[0].status).toBe("warning");
    expect(lenient.scenarios[0].checks.find((c) => c.id === "2-list")).toMatchObject({ status: "warning", message: expect.stringMatching(/no row matches/) });
    expect(lenient.ok).toBe(true);
    const strict = await runConformance(runOptions(gateway, { scenarios: [shouldFail], strict: true }));
    expect(strict.scenarios[0].status).toBe("failed");
    expect(strict.ok).toBe(false);
  });

  it("attaches expected, actual and the frames exchanged to a failed check", async () => {
    const result = await runConformance(runOptions(gateway, { scenarios: [shouldFail], strict: true }));
    const check = result.scenarios[0].checks.find((c) => c.id === "2-list")!;
    expect(check.expected).toMatchObject({ contains: [{ instanceId: expect.stringMatching(/-nobody$/) }] });
    expect(Array.isArray(check.actual)).toBe(true);
    expect(check.frames?.map((f) => f.dir)).toEqual(["send", "recv"]);
    expect(check.frames?.[0].text).toContain('"system-presence"');
    expect(result.scenarios[0].wire.some((f) => f.text.includes('"connect"'))).toBe(true);
  });

  it("an expected error that never comes: the check says no error frame came, and in how long", async () => {
    // b1-oversized-frame against OpenClaw 2026.9.6, which sends no PAYLOAD_TOO_LARGE: said "no an error frame" before.
    const noError: Scenario = {
      id: "no-error",
      title: "expects an error the gateway never sends",
      rules: ["B3"],
      level: "MUST",
      actors: { a: { client: { instanceId: "${run}-quiet" } } },
      steps: [
        { step: "connect", actor: "a" },
        { step: "expectError", actor: "a", error: "PAYLOAD_TOO_LARGE", withinMs: 100 },
      ],
    };
    const result = await runConformance(runOptions(gateway, { scenarios: [noError] }));
    const check = result.scenarios[0].checks.find((c) => c.id === "2-expectError")!;
    expect(check).toMatchObject({ status: "failed", message: "no error frame within 100 ms" });
  });

  it("checks every received frame for the wire format (SPEC §11), apart from the scenario's own checks", async () => {
    const result = await runConformance(runOptions(gateway, { only: ["p1-self-row"] }));
    expect(result.scenarios[0].checks.map((c) => c.id)).toEqual(["1-connect", "2-list"]);
    expect(result.wireFindings).toEqual([]);
    expect(result.byRule).toMatchObject({ W1: { passed: 1, failed: 0 }, W2: { passed: 1, warnings: 0 } });
  });
});

describe("capabilities", () => {
  it("skips scenarios whose needs are not met, with the reason", async () => {
    const gateway = await referenceGateway(undefined, { testClock: false, token: null });
    try {
      const result = await runConformance({ url: gateway.url, only: ["s1-ttl-expiry", "h5-token", "h1-handshake-timeout", "p1-self-row"] });
      const byId = Object.fromEntries(result.scenarios.map((s) => [s.id, s]));
      expect(byId["s1-ttl-expiry"]).toMatchObject({ status: "skipped", reason: expect.stringContaining("testClock") });
      expect(byId["h5-token"]).toMatchObject({ status: "skipped", reason: "needs token" });
      expect(byId["h1-handshake-timeout"]).toMatchObject({ status: "skipped", reason: "needs handshakeTimeout" });
      expect(byId["p1-self-row"].status).toBe("passed");
      // How to get the test-clock scenarios run, in runConformance's words (the CLI says `serve --test-clock`).
      expect(result.missingCapabilities.testClock).toBe(
        "test.clock.advance answers METHOD_NOT_FOUND (a gateway started in test mode offers it, SPEC S3: the reference gateway's createGateway({ testClock: true }))",
      );
      expect(result.summary).toMatchObject({ skipped: 3, passed: 1 });
      expect(result.ok).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  it("turns a capability off on request (the scenarios that need it are skipped, with that reason)", async () => {
    const gateway = await referenceGateway();
    try {
      const result = await runConformance(runOptions(gateway, { only: ["p4-node-role"], capabilities: { nodeRole: false } }));
      expect(result.scenarios[0]).toMatchObject({ status: "skipped", reason: "needs nodeRole" });
      expect(result.missingCapabilities.nodeRole).toBe("turned off by the run options");
    } finally {
      await gateway.close();
    }
  });

  it("counts the scenarios of an opt-in extension the gateway does not offer as not applicable, not skipped", async () => {
    const gateway = await referenceGateway();
    try {
      const result = await runConformance(runOptions(gateway, { only: ["d1-delta-opt-in", "p1-self-row"], capabilities: { presenceDelta: false } }));
      expect(result.scenarios.find((s) => s.id === "d1-delta-opt-in")).toMatchObject({ status: "skipped", notApplicable: true, reason: expect.stringMatching(/^not applicable: .*presenceDelta/) });
      expect(result.summary).toMatchObject({ total: 2, passed: 1, skipped: 0, notApplicable: 1 });
      expect(result.byRule.D1).toBeUndefined();
      expect(result.ok).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  it("fails the run (and runs nothing) when the probe cannot connect", async () => {
    const gateway = await referenceGateway();
    try {
      const result = await runConformance({ url: gateway.url, token: "wrong", only: ["p1-self-row"] });
      expect(result.error).toMatch(/UNAUTHORIZED/);
      expect(result.scenarios[0]).toMatchObject({ status: "skipped", reason: expect.stringMatching(/probe connect refused/) });
      expect(result.ok).toBe(false);
    } finally {
      await gateway.close();
    }
  });
});

describe("against a gateway that gets the frames wrong", () => {
  it("reports a W2 finding for the extra row field and a W1 finding for the wrong error code, once each, with the frames as evidence", async () => {
    const fake = await wrongFakeGateway();
    try {
      const result = await runConformance({ url: fake.url, only: ["p1-self-row", "b1-unknown-method"], waitReadyMs: 0 });
      expect(result.scenarios.find((s) => s.id === "p1-self-row")!.status).toBe("passed");
      const extra = result.wireFindings.find((f) => f.rule === "W2")!;
      expect(extra).toMatchObject({ path: "/presence/*/clientId", keyword: "additionalProperties", status: "warning", message: "is not allowed (unknown property)" });
      expect(extra.evidence.text).toContain("not-in-the-contract");
      const code = result.wireFindings.find((f) => f.rule === "W1")!;
      expect(code).toMatchObject({ path: "/error/code", status: "failed", schemas: ["error-codes"], message: "METHOD_NOT_FOUND must have code -32601 (SPEC §10), got -32000" });
      expect(code.scenarios).toContain("b1-unknown-method");
      const unknown = result.scenarios.find((s) => s.id === "b1-unknown-method")!;
      expect(unknown.checks.find((c) => c.id === "2-send")?.message).toMatch(/expected code -32601 for METHOD_NOT_FOUND, got -32000/);
      expect(result).toMatchObject({ behaviourOk: false, wireFormatOk: false, ok: false });
    } finally {
      await fake.close();
    }
  });
});

describe("P1: the self row's ip", () => {
  it.each([
    ["vm", "failed"],
    ["127.0.0.1", "failed"],
    ["10.0.0.7", "passed"],
    [undefined, "passed"],
  ])("ip %s: the list check has %s", async (ip, status) => {
    const fake = await wrongFakeGateway(ip === undefined ? {} : { ip });
    try {
      const result = await runConformance({ url: fake.url, only: ["p1-self-row"] });
      const list = result.scenarios[0].checks.find((c) => c.id === "2-list")!;
      expect(list.status).toBe(status);
      if (status === "failed") expect(JSON.stringify(list.actual)).toContain(`"ip":"${ip}"`);
    } finally {
      await fake.close();
    }
  });
});

describe("a failed check's expected and actual values in the report", () => {
  it("cut every string over 2000 characters, saying how long it was, as the wire log does (the check judged it whole)", async () => {
    // OpenClaw 2026.9.6 accepts b1-oversized-frame's 600 KB beacon text: every later listing carried it,
    // and each failed list check's `actual` held the whole list (11 MB of JSON for one run).
    const big = "x".repeat(600_000);
    const fake = await wrongFakeGateway({ text: big, ip: "vm" });
    try {
      let printed = "";
      const result = await runConformance({ url: fake.url, only: ["p1-self-row"], waitReadyMs: 0, onProgress: progressPrinter((text) => (printed += text)) });
      const list = result.scenarios[0].checks.find((c) => c.id === "2-list")!;
      expect(list.status).toBe("failed");
      const [self] = list.actual as Array<Record<string, unknown>>;
      expect(self).toMatchObject({ ip: "vm", reason: "self", text: `${"x".repeat(2000)}… (600000 characters)` });
      // The terminal's actual: line is cut at 400 characters the same way: marked, with the whole length.
      const actual = JSON.stringify(list.actual);
      expect(printed).toContain(`\n        actual:   ${actual.slice(0, 400)}… (${actual.length} characters)\n`);
      expect(JSON.stringify(result).length).toBeLessThan(100_000);
      expect(list.message).toMatch(/nearest: the self row, which differs at \/ip: .*got "vm"$/);
    } finally {
      await fake.close();
    }
  });
});

describe("a step the gateway does not answer", () => {
  it("keeps the step's own title (it ran: the frame was sent) and says what did not come; 'could not run' stays for steps the harness could not start", async () => {
    // A gateway that accepts connect and then answers nothing (OpenClaw 2026.9.6 and a non-JSON frame:
    // the check read "send could not run" although the frame went out).
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    server.on("connection", (ws) =>
      ws.on("message", (data) => {
        const req = JSON.parse(String(data)) as { id: number | string; method: string };
        if (req.method === "connect") ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result: fakeHelloOk([{ reason: "self", mode: "gateway", host: "mute", ts: Date.now() }]) }));
      }),
    );
    const silent: Scenario = {
      id: "silent",
      title: "a request the gateway never answers",
      rules: ["M1"],
      level: "MUST",
      actors: { a: { client: { instanceId: "${run}-silent" } } },
      steps: [
        { step: "connect", actor: "a" },
        { step: "send", actor: "a", method: "system-presence" },
        { step: "list", actor: "a", contains: [{ reason: "self" }] },
      ],
    };
    const unknownVariable: Scenario = { ...silent, id: "unknown-variable", steps: [{ step: "connect", actor: "a" }, { step: "send", actor: "a", method: "system-presence", params: { x: "${nothing.here}" } }] };
    try {
      const { port } = server.address() as { port: number };
      const result = await runConformance({ url: `ws://127.0.0.1:${port}`, scenarios: [silent, unknownVariable], stepTimeoutMs: 300, waitReadyMs: 0 });
      const [mute, variable] = result.scenarios;
      expect(mute.checks.find((c) => c.id === "2-send")).toMatchObject({ status: "failed", title: "system-presence (a) is answered as expected", message: 'no answer to request "a-2" within 300 ms (1 later steps not run)' });
      expect(variable.checks.find((c) => c.id === "2-send")).toMatchObject({ status: "failed", title: "send could not run" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
