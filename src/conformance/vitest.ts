/**
 * Run the conformance suite inside your own Vitest run, one test per scenario:
 *
 *   import { conformanceSuite } from "gateway-presence/conformance/vitest";
 *   conformanceSuite({ url: () => myGateway.url, token: "t" });
 *
 * `url` may be a function, read when the suite starts (after your beforeAll started the gateway).
 * A skipped scenario is a skipped test; a SHOULD failure passes with a warning unless `strict`, but a
 * scenario none of whose checks passed fails (ScenarioResult.noCheckPassed).
 * The probe's checks (advertised methods answer, SPEC H4/S3) come first, and the wire-format findings
 * of everything that ran (SPEC §11: W1 fails, W2 warns unless `strict`) are one test at the end.
 * Real-time scenarios are left out (they wait minutes each): run `gateway-presence conform --real-time`;
 * so are the cross-gateway ones (x*) unless `urls` name two or more distinct gateways (each counted
 * once, as runConformance counts them: `gatewayUrls`) or `capabilities.cluster` is set. Each one left
 * out is a skipped test whose reason names the option that runs it. A selection (`only`, `skip`,
 * `scenarios`) that selects nothing, or only scenarios the suite leaves out, throws when the suite is
 * defined, with the CLI's message (src/conformance/run/selection.ts).
 */
import { beforeAll, describe, it } from "vitest";
import { loadScenarios, type LoadedScenario } from "./scenario/fixtures.js";
import type { CheckResult } from "./report/results.js";
import { findingLines } from "./report/pretty.js";
import { gatewayUrls, modeSelectionProblem, prepareRun, scenariosForMode, selectScenarios, type ConformanceOptions, type PreparedRun } from "./run/runner.js";
import type { Scenario } from "./scenario/scenario.js";
import type { LeftOut } from "./run/selection.js";

export interface ConformanceSuiteOptions extends Omit<ConformanceOptions, "url" | "onProgress" | "expectedFailures" | "realTime"> {
  url: string | (() => string | Promise<string>);
  /** Name of the describe block. */
  name?: string;
  /** Scenario ids expected to fail: their tests are marked `fails` (they pass while the scenario fails). */
  expectedFailures?: string[];
}

/** The failed checks; every check that did not pass when none passed (ScenarioResult.noCheckPassed). */
function describeFailure(checks: CheckResult[], noCheckPassed = false): string {
  return checks
    .filter((c) => c.status === "failed" || (noCheckPassed && c.status === "warning"))
    .map((c) => {
      const lines = [`${c.id} [${c.level} ${c.rules.join(",")}] ${c.title}: ${c.message ?? ""}`];
      if (c.expected !== undefined) lines.push(`  expected: ${JSON.stringify(c.expected)}`);
      if (c.actual !== undefined) lines.push(`  actual: ${JSON.stringify(c.actual).slice(0, 2000)}`);
      for (const f of c.frames ?? []) lines.push(`  ${f.t} ms ${f.actor} ${f.dir}: ${f.text.slice(0, 500)}`);
      return lines.join("\n");
    })
    .join("\n");
}

/** A scenario's test: its id, level, rules and title. */
const testName = (s: Scenario) => `${s.id} [${s.level} ${s.rules.join(",")}]: ${s.title}`;

/** What the CLI's options in a selection error are called here. */
const SUITE_OPTIONS = "(conformanceSuite: two or more `urls` are the cluster's --url A --url B; real-time scenarios run only with `gateway-presence conform --real-time`)";

/** Why this suite leaves a scenario out, in its own options' words (a suite never runs real-time ones). */
const LEFT_OUT_HERE: Record<LeftOut, string> = {
  "real-time": "left out: a real-time scenario (it waits minutes); conformanceSuite never runs these: run `gateway-presence conform --real-time`",
  default: "left out: a scenario of the default run",
  cluster: "left out: a cluster scenario (x*, across gateways); give conformanceSuite two or more `urls`, the gateways of one cluster",
};

export function conformanceSuite(options: ConformanceSuiteOptions): void {
  const loaded = (options.scenarios ?? loadScenarios()).map((s): LoadedScenario => ("scenario" in s ? s : { scenario: s as Scenario, source: "" }));
  // Several distinct gateways (a cluster) also run the cross-gateway scenarios. A `url` function is
  // read only when the suite starts, so the mode is then decided from `urls` (list every gateway there).
  const cluster = gatewayUrls(typeof options.url === "string" ? options.url : undefined, options.urls).length > 1 || options.capabilities?.cluster === true;
  const chosen = selectScenarios(loaded, options.only, options.skip);
  // As conform and runConformance refuse it: a selection this suite would drop entirely is a mistake.
  const outsideMode = modeSelectionProblem(chosen, options.only, false, cluster);
  if (outsideMode) throw new Error(`${outsideMode} ${SUITE_OPTIONS}`);
  const leftOut = new Map(scenariosForMode(chosen, false, cluster).leftOut.map(({ scenario, kind }) => [scenario, LEFT_OUT_HERE[kind]]));
  const timeout = (options.timeoutMs ?? 10_000) + 5_000;
  const known = new Set(options.expectedFailures ?? []);

  describe(options.name ?? "gateway presence conformance", () => {
    let prepared: PreparedRun;
    beforeAll(async () => {
      const url = typeof options.url === "function" ? await options.url() : options.url;
      prepared = await prepareRun({ ...options, url });
      if (prepared.error) throw new Error(prepared.error);
    }, timeout);

    it("the probe: what hello-ok advertises is what the gateway does [MUST H4,S3]", () => {
      const failed = prepared.probe.report.result?.checks.filter((c) => c.status === "failed") ?? [];
      if (failed.length) throw new Error(`probe failed:\n${describeFailure(failed)}`);
    });

    for (const { scenario, source } of chosen) {
      // Left out by the suite's mode (a real-time or cross-gateway scenario): a skipped test saying why.
      const leftOutReason = leftOut.get(scenario);
      if (leftOutReason !== undefined) {
        it(testName(scenario), (context) => context.skip(leftOutReason));
        continue;
      }
      const test = known.has(scenario.id) ? it.fails : it;
      test(testName(scenario), async (context) => {
        const result = await prepared.run({ scenario, source });
        if (result.status === "skipped") return context.skip(result.reason);
        if (result.status === "failed") throw new Error(`${scenario.id} failed${result.noCheckPassed ? " (no check passed, only SHOULD warnings)" : ""}:\n${describeFailure(result.checks, result.noCheckPassed)}`);
        for (const c of result.checks) if (c.status === "warning") console.warn(`conformance warning ${scenario.id} ${c.id}: ${c.message}`);
      }, timeout);
    }

    it("nothing is pushed before hello-ok on any connection of the scenarios [MUST E1,H4]", () => {
      const check = prepared.earlyPushCheck();
      if (check) throw new Error(describeFailure([check]));
    });

    it("wire format: every frame validates against its schema, no fields beyond the contract [MUST W1, SHOULD W2]", () => {
      const findings = prepared.wireFindings.findings();
      for (const f of findings.filter((x) => x.status === "warning")) console.warn(`conformance warning ${findingLines(f).join("\n")}`);
      const failing = findings.filter((x) => x.status === "failed");
      if (failing.length) throw new Error(`wire format (SPEC §11):\n${failing.flatMap(findingLines).join("\n")}`);
    });
  });
}
