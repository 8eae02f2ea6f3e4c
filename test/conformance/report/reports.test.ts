import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";
import { formatHtml, formatJson, formatJUnit, formatSummary } from "../../../src/conformance/report/formats.js";
import type { RunResult } from "../../../src/conformance/report/results.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import type { Gateway } from "../../../src/server/index.js";
import { referenceGateway, runOptions } from "../gateways.js";

const NASTY = `<script>alert("x")</script> & 'quotes' ]]>`;

/** A SHOULD scenario that fails (so: a warning), with markup in its title and in what it sends. */
const warning: Scenario = {
  id: "nasty-warning",
  title: NASTY,
  rules: ["E2"],
  level: "SHOULD",
  actors: { a: { client: { instanceId: "${run}-nasty", displayName: NASTY } } },
  steps: [
    { step: "connect", actor: "a" },
    { step: "list", actor: "a", contains: [{ host: "</td></tr><script>never</script>" }] },
  ],
};

const builtin = loadScenarios().filter(({ scenario }) => ["k1-case-merge", "p1-self-row", "p4-node-role"].includes(scenario.id));

interface JUnitCase {
  "@_classname": string;
  "@_name": string;
  "@_time": string;
  failure?: { "@_message": string; "#text"?: string };
  skipped?: { "@_message": string };
  "system-out"?: string;
}

function parseJUnit(xml: string) {
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === "testcase" }).parse(xml) as {
    testsuites: { "@_tests": string; "@_failures": string; "@_skipped": string; testsuite: { testcase: JUnitCase[]; properties: unknown } };
  };
  return { suites: parsed.testsuites, cases: parsed.testsuites.testsuite.testcase };
}

describe("reports of a run with a failure, a warning, a skip and a pass", () => {
  let gateway: Gateway;
  let result: RunResult;
  beforeAll(async () => {
    gateway = await referenceGateway("caseSensitiveKeys");
    result = await runConformance(runOptions(gateway, { scenarios: [...builtin, warning], capabilities: { nodeRole: false } }));
  });
  afterAll(() => gateway.close());

  it("JUnit XML parses, with one testcase per scenario (and the probe) and the right counts", () => {
    const { suites, cases } = parseJUnit(formatJUnit(result));
    expect(suites).toMatchObject({ "@_tests": "5", "@_failures": "1", "@_skipped": "1" });
    const byId = Object.fromEntries(cases.map((c) => [c["@_name"].split(":")[0], c]));
    expect(byId["k1-case-merge"]["@_classname"]).toBe("conformance.K1");
    expect(byId["k1-case-merge"].failure?.["@_message"]).toMatch(/expected 1, got 2/);
    expect(byId["k1-case-merge"].failure?.["#text"]).toMatch(/CASE-.*MERGE/);
    expect(byId["p4-node-role"].skipped?.["@_message"]).toBe("needs nodeRole");
    expect(byId["p1-self-row"].failure).toBeUndefined();
    expect(Number(byId["p1-self-row"]["@_time"])).toBeGreaterThanOrEqual(0);
    expect(byId["nasty-warning"]["@_name"]).toBe(`nasty-warning: ${NASTY}`);
    expect(byId["nasty-warning"]["system-out"]).toMatch(/^WARNING \(SHOULD\)/);
  });

  it("JSON parses back to the result, with checks and wire logs", () => {
    const parsed = JSON.parse(formatJson(result)) as RunResult;
    expect(parsed).toEqual(JSON.parse(JSON.stringify(result)));
    expect(parsed.summary).toMatchObject({ total: 4, passed: 1, failed: 1, warnings: 1, skipped: 1 });
    expect(parsed.byRule.K1).toMatchObject({ failed: 1 });
    const k1 = parsed.scenarios.find((s) => s.id === "k1-case-merge")!;
    expect(k1.checks.find((c) => c.status === "failed")?.frames?.length).toBeGreaterThan(0);
    expect(k1.wire.filter((f) => f.dir === "send").length).toBeGreaterThan(2);
    expect(parsed.ok).toBe(false);
  });

  it("HTML is self-contained and escapes everything from scenarios and the wire", () => {
    const html = formatHtml(result);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/<(link|img|iframe)\b/);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;");
    expect(html).toContain("k1-case-merge");
    expect(html).toMatch(/wire log \(\d+ frames\)/);
  });

  it("the pretty summary has a line per rule and the verdict", () => {
    const text = formatSummary(result);
    expect(text).toMatch(/^ {2}K1 +0 +1 +0 +0 +0 {2}MUST/m);
    expect(text).toMatch(/^ {2}P4 +0 +0 +0 +1 +0/m);
    expect(text).toMatch(/FAIL/);
  });

  it("tells the binding's own translation (client ids, scopes, signing) apart from what the gateway needed", () => {
    const [a, b, c] = result.scenarios.filter((scenario) => scenario.status !== "skipped");
    const translated = [{ actor: "a", change: 'openclaw binding: client.id "conformance" -> "test"', reason: "OpenClaw's client ids" }];
    const needed = [{ actor: "a", step: "2-send", change: "scopes + operator.admin", reason: "the gateway answered FORBIDDEN" }, ...translated];
    const adapted: RunResult = { ...result, binding: "openclaw", scenarios: [{ ...a!, adaptations: translated }, { ...b!, adaptations: translated }, { ...c!, adaptations: needed }] };
    const text = formatSummary(adapted);
    expect(text).toMatch(/^Adapted: 1 scenario sent more than SPEC asks, because the gateway needs it/m);
    expect(text).toMatch(/^Translated by the openclaw binding only: 2 scenarios \(client ids, default scopes sent explicitly, device signing; nothing the gateway asked for\)$/m);
    const html = formatHtml(adapted);
    expect(html.match(/adapted \(1\): the binding's own translation on every connect/g)).toHaveLength(2);
    expect(html).toContain("adapted (2): sent more than SPEC asks, because the gateway needs it");
  });

  it("a baseline turns the failure into a known one, reported as skipped in JUnit", async () => {
    const known = await runConformance(runOptions(gateway, { scenarios: builtin, expectedFailures: ["k1-case-merge"], capabilities: { nodeRole: false } }));
    expect(known.ok).toBe(true);
    expect(known.summary).toMatchObject({ failed: 0, knownFailures: 1, staleBaseline: [] });
    const k1 = parseJUnit(formatJUnit(known)).cases.find((c) => c["@_name"].startsWith("k1-case-merge"))!;
    expect(k1.skipped?.["@_message"]).toMatch(/known failure/);
  });

  it("a baseline entry that passes, or names nothing, is stale and fails the run", async () => {
    const stale = await runConformance(runOptions(gateway, { scenarios: builtin, expectedFailures: ["k1-case-merge", "p1-self-row", "p1-self-row:9-nope", "no-such-scenario"], capabilities: { nodeRole: false } }));
    expect(stale.summary.staleBaseline).toEqual(["p1-self-row (now passes)", "p1-self-row:9-nope (no such check)", "no-such-scenario (no such scenario)"]);
    expect(stale.ok).toBe(false);
    const { suites } = parseJUnit(formatJUnit(stale));
    expect(suites["@_failures"]).toBe("3");
  });
});
