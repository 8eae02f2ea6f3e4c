import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../../src/conformance/scenario/fixtures.js";
import { runConformance } from "../../src/conformance/run/runner.js";
import { jsonRpcBinding } from "../../src/transport/jsonrpc.js";
import type { ProgressEvent } from "../../src/conformance/report/results.js";
import type { Scenario } from "../../src/conformance/scenario/scenario.js";
import type { Gateway } from "../../src/server/index.js";
import { referenceGateway, runOptions, wrongFakeGateway } from "./gateways.js";

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
    expect(hang.checks.find((c) => c.id === "timeout")?.message).toMatch(/did not finish within 400 ms/);
    expect(hang.durationMs).toBeLessThan(5000);
    expect(next.status).toBe("passed");
    expect(result.ok).toBe(false);
    expect(events).toEqual(["start", "scenario-start", "scenario-end", "scenario-start", "scenario-end", "end"]);
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

  it("validates every received frame as checks of their own", async () => {
    const result = await runConformance(runOptions(gateway, { only: ["p1-self-row"] }));
    const ids = result.scenarios[0].checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(["frames:HelloOk", "frames:SystemPresenceResult"]));
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
      expect(result.missingCapabilities.testClock).toMatch(/test\.clock\.advance/);
      expect(result.summary).toMatchObject({ skipped: 3, passed: 1 });
      expect(result.ok).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  it("treats a binding's known limits as missing capabilities", async () => {
    const gateway = await referenceGateway();
    try {
      const binding = { ...jsonRpcBinding, knownLimits: { nodeRole: "node connections need pairing" } };
      const result = await runConformance(runOptions(gateway, { binding, only: ["p4-node-role"] }));
      expect(result.scenarios[0]).toMatchObject({ status: "skipped", reason: "needs nodeRole" });
      expect(result.missingCapabilities.nodeRole).toBe("jsonrpc binding: node connections need pairing");
      const forced = await runConformance(runOptions(gateway, { binding, only: ["p4-node-role"], capabilities: { nodeRole: true } }));
      expect(forced.scenarios[0].status).toBe("passed");
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
  it("fails the frame schema check and the error-code check, with the frames as evidence", async () => {
    const fake = await wrongFakeGateway();
    try {
      const result = await runConformance({ url: fake.url, only: ["p1-self-row", "b1-unknown-method"] });
      const self = result.scenarios.find((s) => s.id === "p1-self-row")!;
      const hello = self.checks.find((c) => c.id === "frames:HelloOk")!;
      expect(hello).toMatchObject({ status: "failed", level: "MUST", rules: ["H4"] });
      expect(hello.message).toMatch(/\/snapshot\/presence\/0\/clientId is not allowed/);
      expect(hello.frames?.[0].text).toContain("not-in-the-contract");
      const unknown = result.scenarios.find((s) => s.id === "b1-unknown-method")!;
      expect(unknown.checks.find((c) => c.id === "2-send")?.message).toMatch(/expected code -32601 for METHOD_NOT_FOUND, got -32000/);
      expect(unknown.checks.find((c) => c.id === "frames:error-codes")?.status).toBe("failed");
      expect(result.ok).toBe(false);
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
