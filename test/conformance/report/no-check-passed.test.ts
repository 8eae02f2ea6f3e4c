// A scenario whose checks are all SHOULD-level and all fail (a recorded fixture replayed against a
// gateway that refuses its first connect) is no pass "with warnings": it fails, in every report, and
// fails the run; a scenario with some passes and SHOULD warnings keeps its warning.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatHtml, formatJUnit, formatSummary, progressPrinter } from "../../../src/conformance/report/formats.js";
import type { RunResult } from "../../../src/conformance/report/results.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import type { Gateway } from "../../../src/server/index.js";
import { cliResult } from "../../support/cli.js";
import { referenceGateway, runOptions, TOKEN } from "../gateways.js";

/** Expects the connect to be refused (the reference gateway accepts it), then a row nobody made. */
const nothingPasses: Scenario = {
  id: "nothing-passes",
  title: "every check is SHOULD-level and fails",
  rules: ["H4", "M1"],
  level: "SHOULD",
  actors: { a: { client: { instanceId: "${run}-np" } } },
  steps: [
    { step: "connect", actor: "a", expect: { error: "UNAUTHORIZED" } },
    { step: "list", actor: "a", contains: [{ instanceId: "${run}-nobody" }] },
  ],
};

/** One check passes, one SHOULD check fails: still a warning. */
const somePass: Scenario = { ...nothingPasses, id: "some-pass", title: "one pass, one SHOULD warning", steps: [{ step: "connect", actor: "a" }, nothingPasses.steps[1]!] };

describe("a scenario none of whose checks passed (only SHOULD warnings)", () => {
  let gateway: Gateway;
  let result: RunResult;
  let progress = "";
  beforeAll(async () => {
    gateway = await referenceGateway();
    const print = progressPrinter((text) => (progress += text));
    result = await runConformance(runOptions(gateway, { scenarios: [nothingPasses, somePass], onProgress: print }));
  });
  afterAll(() => gateway.close());

  it("fails (JSON: status failed, noCheckPassed, the checks stay warnings) and fails the run", () => {
    const [none, some] = result.scenarios;
    expect(none).toMatchObject({ id: "nothing-passes", status: "failed", noCheckPassed: true });
    expect(none!.checks.map((c) => c.status)).toEqual(["warning", "warning"]);
    expect(some).toMatchObject({ id: "some-pass", status: "warning" });
    expect(some!.noCheckPassed).toBeUndefined();
    expect(result.summary).toMatchObject({ passed: 0, failed: 1, warnings: 1 });
    expect(result.byRule.H4).toMatchObject({ failed: 1, warnings: 1 });
    expect(result).toMatchObject({ behaviourOk: false, ok: false });
  });

  it("reads as a failure in the text, HTML and JUnit reports", () => {
    expect(progress).toMatch(/✗ nothing-passes \d+ ms \(no check passed, only 2 SHOULD warnings\)/);
    expect(progress).toMatch(/! some-pass \d+ ms\n/);
    const text = formatSummary(result);
    expect(text).toMatch(/^FAIL: behaviour: 1 scenario failed, where only SHOULD checks failed and none passed \(see above\)$/m);
    expect(text).not.toMatch(/PASS/);
    const html = formatHtml(result);
    expect(html).toContain('<span class="failed">FAIL</span>');
    expect(html).toContain("Failed: no check passed, only 2 SHOULD warnings");
    const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === "testcase" }).parse(formatJUnit(result)) as {
      testsuites: { "@_failures": string; testsuite: { testcase: { "@_name": string; failure?: { "@_message": string; "@_type": string; "#text": string }; "system-out"?: string }[] } };
    };
    expect(xml.testsuites["@_failures"]).toBe("1");
    const none = xml.testsuites.testsuite.testcase.find((c) => c["@_name"].startsWith("nothing-passes"))!;
    expect(none.failure).toMatchObject({ "@_message": "no check passed, only 2 SHOULD warnings", "@_type": "SHOULD" });
    expect(none.failure!["#text"]).toMatch(/1-connect .*\n[\s\S]*2-list/);
    expect(none["system-out"]).toBeUndefined();
    const some = xml.testsuites.testsuite.testcase.find((c) => c["@_name"].startsWith("some-pass"))!;
    expect(some.failure).toBeUndefined();
    expect(some["system-out"]).toMatch(/^WARNING \(SHOULD\)/);
  });

  it("a baseline of some of its checks leaves it failed; of all of them, a known failure", async () => {
    const partly = await runConformance(runOptions(gateway, { scenarios: [nothingPasses], expectedFailures: ["nothing-passes:1-connect"] }));
    expect(partly.scenarios[0]).toMatchObject({ status: "failed", noCheckPassed: true });
    expect(partly.ok).toBe(false);
    const wholly = await runConformance(runOptions(gateway, { scenarios: [nothingPasses], expectedFailures: ["nothing-passes"] }));
    expect(wholly.scenarios[0]).toMatchObject({ status: "passed", baselined: true });
    expect(wholly.scenarios[0]!.noCheckPassed).toBeUndefined();
    expect(wholly.ok).toBe(true);
  });

  it("when strict, its checks are failures of their own (no noCheckPassed mark)", async () => {
    const strict = await runConformance(runOptions(gateway, { scenarios: [nothingPasses], strict: true }));
    expect(strict.scenarios[0]!.status).toBe("failed");
    expect(strict.scenarios[0]!.noCheckPassed).toBeUndefined();
  });

  it("conform exits 1 on such a fixture", async () => {
    const dir = mkdtempSync(join(tmpdir(), "no-check-passed-"));
    try {
      const file = join(dir, "nothing-passes.json");
      writeFileSync(file, JSON.stringify(nothingPasses));
      const { code, stdout } = await cliResult(["conform", "--no-color", "--url", gateway.url, "--token", TOKEN, "--fixtures", file]);
      expect(stdout).toMatch(/FAIL: behaviour: 1 scenario failed, where only SHOULD checks failed and none passed \(see above\)$/m);
      expect(code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
