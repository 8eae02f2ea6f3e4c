/**
 * A gateway that stops during a conform run (stopped, crashed, restarting): nothing listens at its
 * address any more. The scenarios after that are not run and the run ends with a run error (exit 2),
 * as after refused connections, instead of each failing its first connect under its own rules
 * (a killed gateway was reported "FAIL: behaviour: 22 scenarios failed", K3, M1, M2, P1, ... each).
 */
import { afterEach, describe, expect, it } from "vitest";
import { formatHtml } from "../../src/conformance/report/html.js";
import { formatSummary } from "../../src/conformance/report/pretty.js";
import { runConformance } from "../../src/conformance/run/runner.js";
import type { Scenario } from "../../src/conformance/scenario/scenario.js";
import type { Gateway } from "../../src/server/index.js";
import { planter, referenceGateway, runOptions } from "./gateways.js";

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** Connects and lists; meanwhile the test stops the gateway. */
const lingerer: Scenario = {
  id: "lingerer",
  title: "connects, waits while the gateway stops",
  rules: ["M1"],
  level: "MUST",
  actors: { w: { client: { mode: "cli" } } },
  steps: [
    { step: "connect", actor: "w" },
    { step: "list", actor: "w", contains: [{ reason: "self" }] },
    { step: "sleep", ms: 400 },
  ],
};
const second: Scenario = { ...planter, id: "second", rules: ["K3"] };
const third: Scenario = { ...planter, id: "third", rules: ["P1"] };

describe("a gateway that stops accepting connections during the run", () => {
  it("ends the run: the scenarios after it are not run, no rule is failed, and every report says why", async () => {
    gateway = await referenceGateway();
    const gw = gateway;
    const url = gw.url;
    const result = await runConformance(
      runOptions(gw, {
        scenarios: [lingerer, second, third],
        // Stopped while `lingerer` sleeps: its own steps ran; `second` finds nothing listening.
        onProgress: (e) => {
          if (e.type === "scenario-start" && e.id === "lingerer") setTimeout(() => void gw.close(), 100);
        },
      }),
    );
    expect(result.scenarios.map((s) => `${s.id} ${s.status}`)).toEqual(["lingerer passed", "second skipped", "third skipped"]);
    const said = `the gateway at ${url} stopped accepting connections during the run (ECONNREFUSED: nothing listens there any more; it stopped, crashed or is restarting): actor "a" of second could not open its connection, so it and the scenarios after it were not run`;
    expect(result.error).toBe(said);
    expect(result.scenarios[1]!.reason).toBe(`not run: ${said}`);
    expect(result.scenarios[2]!.reason).toBe("not run: the run ended when the gateway stopped accepting connections (at second)");
    expect(result.summary).toMatchObject({ failed: 0, notRun: 2 });
    expect(result.byRule.K3).toMatchObject({ failed: 0, notRun: 1 });
    expect(result.ok).toBe(false);
    const summary = formatSummary(result).trimEnd().split("\n");
    expect(summary.at(-2)).toMatch(/^Scenarios: 1 of 3 ran before the gateway stopped accepting connections — 1 passed, 0 failed, 0 with warnings, 0 skipped; 2 not run /);
    expect(summary.at(-1)).toBe("FAIL: the gateway stopped accepting connections, so 2 of the 3 scenarios did not run (see the run error above)");
    expect(formatHtml(result)).toContain("Scenarios: 1 of 3 ran before the gateway stopped accepting connections");
  });
});
