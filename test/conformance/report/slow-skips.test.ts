// Scenarios skipped for long waits: conform's human output and the HTML report name --slow once (which
// scenarios, and which waits), while each report keeps every skip's own reason and every capability's.
import { describe, expect, it } from "vitest";
import { formatReport, formatSummary, progressPrinter } from "../../../src/conformance/report/formats.js";
import type { RunResult } from "../../../src/conformance/report/results.js";
import { detectCapabilities } from "../../../src/conformance/run/capabilities.js";
import { runConformance, type ConformanceOptions } from "../../../src/conformance/run/runner.js";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import { createGateway } from "../../../src/server/index.js";

/** A scenario of a user's fixtures that declares long waits of its own, and needs a token too. */
const ownSlow = (requires: Scenario["requires"]): Scenario => ({
  id: "my-slow-one",
  title: "waits long (declared)",
  rules: ["P1"],
  level: "MUST",
  requires,
  actors: { a: {} },
  steps: [{ step: "connect", actor: "a" }],
});

/** The human output of a run, as conform prints it: progress, then the summary. */
async function humanRun(options: ConformanceOptions): Promise<{ result: RunResult; text: string }> {
  let text = "";
  const result = await runConformance({ ...options, onProgress: progressPrinter((t) => (text += t)) });
  return { result, text: text + formatSummary(result) };
}

/** The reference gateway with its defaults: ticks every 15 s, a 10 s handshake timeout, no token. */
async function withDefaultGateway(test: (url: string) => Promise<void>): Promise<void> {
  const gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true });
  try {
    await test(gateway.url);
  } finally {
    await gateway.close();
  }
}

const builtIn = (...ids: string[]) => loadScenarios().filter(({ scenario }) => ids.includes(scenario.id));

describe("scenarios that need --slow", () => {
  it("are named in one line, with their waits; the start block and reports keep the precise reasons", async () => {
    await withDefaultGateway(async (url) => {
      const scenarios = [...builtIn("e3-tick", "h1-handshake-timeout", "p1-self-row"), { scenario: ownSlow(["slow", "token"]), source: "" }];
      const { result, text } = await humanRun({ url, scenarios, waitReadyMs: 0 });
      // Each progress line says what the summary's --slow line says (not `needs tick`), then that line.
      expect(text.split("\n").filter((line) => line.includes("--slow"))).toEqual([
        expect.stringMatching(/^\[1\/4\] - e3-tick \(needs --slow\)$/),
        expect.stringMatching(/^\[2\/4\] - h1-handshake-timeout \(needs --slow\)$/),
        expect.stringMatching(/^\[4\/4\] - my-slow-one \(needs --slow; also needs token\)$/),
        "3 skipped scenarios need --slow (waits longer than 5 s): e3-tick (ticks every 15 s), h1-handshake-timeout (a 10 s handshake timeout; --handshake-timeout MS if the gateway's differs), my-slow-one (long waits of its own; also needs token)",
      ]);
      // The line comes right after the counts it explains.
      expect(text).toMatch(/^Scenarios: 4 — 1 passed, .* 3 skipped, .*\n3 skipped scenarios need --slow /m);
      expect(text).not.toMatch(/^ {2}without (tick|handshakeTimeout|slow):/m);
      expect(text).toMatch(/^ {2}without token: no token given/m);

      const reasons = Object.fromEntries(result.scenarios.map((s) => [s.id, s.reason]));
      expect(reasons).toEqual({ "e3-tick": "needs tick", "h1-handshake-timeout": "needs handshakeTimeout", "p1-self-row": undefined, "my-slow-one": "needs slow, token" });
      // What is long, not what to do: --slow is said once, in the needsSlow line.
      expect(result.missingCapabilities).toMatchObject({
        tick: "policy.tickIntervalMs is 15000 (> 5000 ms)",
        handshakeTimeout: "the handshake timeout is taken to be 10000 ms (> 5000 ms)",
        slow: "not a slow run",
      });
      expect(result.needsSlow).toEqual({
        waitLimitMs: 5000,
        scenarios: [
          { id: "e3-tick", waits: ["ticks every 15 s"] },
          { id: "h1-handshake-timeout", waits: ["a 10 s handshake timeout; --handshake-timeout MS if the gateway's differs"] },
          { id: "my-slow-one", waits: ["long waits of its own"], alsoNeeds: ["token"] },
        ],
      });
      expect(formatReport(result, "junit")).toContain('<skipped message="needs tick"');
      // The HTML report says --slow once, in the line the terminal prints, and keeps every reason.
      const html = formatReport(result, "html");
      expect(html.match(/--slow/g)).toHaveLength(1);
      expect(html).toContain(`<p>3 skipped scenarios need --slow (waits longer than 5 s): e3-tick (ticks every 15 s), h1-handshake-timeout (a 10 s handshake timeout; --handshake-timeout MS if the gateway&#39;s differs), my-slow-one (long waits of its own; also needs token)</p>`);
      for (const reason of ["tick: policy.tickIntervalMs is 15000 (&gt; 5000 ms)", "handshakeTimeout: the handshake timeout is taken to be 10000 ms (&gt; 5000 ms)", "slow: not a slow run", "Skipped: needs tick", "Skipped: needs handshakeTimeout", "Skipped: needs slow, token"]) {
        expect(html).toContain(reason);
      }
    });
  });

  it("a --slow run says nothing about it and runs them", async () => {
    await withDefaultGateway(async (url) => {
      const { result, text } = await humanRun({ url, scenarios: [ownSlow(["slow"])], slow: true, waitReadyMs: 0 });
      expect(result.scenarios[0]!.status).toBe("passed");
      expect(result.needsSlow).toBeUndefined();
      expect(text).not.toContain("--slow");
    });
  });

  it("a run that needs no long wait prints no line, though the gateway's waits are long", async () => {
    await withDefaultGateway(async (url) => {
      const { result, text } = await humanRun({ url, scenarios: builtIn("p1-self-row"), waitReadyMs: 0 });
      expect(result.needsSlow).toBeUndefined();
      expect(text).not.toContain("--slow");
    });
  });
});

describe("detectCapabilities: what only --slow adds", () => {
  const base = { url: "ws://127.0.0.1:1", bindingName: "jsonrpc", token: undefined, slow: false, handshakeTimeoutMs: 10_000 };
  const hello = (policy: object) => ({ features: { methods: [], events: ["presence", "tick"] }, policy });

  it("long waits a slow run would make, each in words", () => {
    const caps = detectCapabilities({ ...base, hello: hello({ tickIntervalMs: 30_000 }) });
    expect(caps.onlyWithSlow).toEqual({ tick: "ticks every 30 s", handshakeTimeout: "a 10 s handshake timeout; --handshake-timeout MS if the gateway's differs", slow: "long waits of its own" });
    expect(detectCapabilities({ ...base, slow: true, hello: hello({ tickIntervalMs: 30_000 }) }).onlyWithSlow).toEqual({});
  });

  it("not what --slow cannot fix: no tick interval, a capability turned off, short waits", () => {
    const caps = detectCapabilities({ ...base, handshakeTimeoutMs: 1000, hello: hello({}), overrides: { slow: false } });
    expect(caps.onlyWithSlow).toEqual({});
    expect(caps.missing.tick).toBe("policy.tickIntervalMs is absent, not a number of ms");
    expect(caps.missing.slow).toBe("turned off by the run options");
    expect(caps.available.has("handshakeTimeout")).toBe(true);
  });
});
