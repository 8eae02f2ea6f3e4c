// The pretty report (conform's terminal output and --reporter pretty files) shows what a gateway
// sent with its control, bidi and zero-width characters as escapes, as list/watch/doctor do
// (src/validation/printable.ts): JSON escapes C0 controls but not C1 (U+009B is a CSI on many
// terminals) or a bidi override (U+202E reverses the rest of the line). A real fake gateway on loopback.
import { describe, expect, it } from "vitest";
import { formatPretty, progressPrinter } from "../../../src/conformance/report/pretty.js";
import type { ScenarioResult } from "../../../src/conformance/report/results.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { wrongFakeGateway } from "../gateways.js";

describe("pretty report: a gateway's characters", () => {
  it("shows C1 controls and bidi overrides in frames and finding paths as escapes", async () => {
    // An extra row field (a W2 finding) whose name and value carry a bidi override and a C1 CSI.
    const fake = await wrongFakeGateway({ "x\u202ey": "z\u009b2J\u202ew" });
    try {
      const result = await runConformance({ url: fake.url, only: ["p1-self-row"], waitReadyMs: 0 });
      const finding = result.wireFindings.find((f) => f.path.includes("\u202e"));
      expect(finding?.path).toBe("/presence/*/x\u202ey");
      const text = formatPretty(result);
      expect(text).toContain("/presence/*/x\\u202ey");
      expect(text).toContain("\\x9b2J");
      expect(text).not.toMatch(/[\u009b\u202e]/);
    } finally {
      await fake.close();
    }
  });
});

describe("pretty report: the gateway's words in the probe's needs, adaptations and skip reasons", () => {
  it("are escaped too (a FORBIDDEN message is quoted as the evidence of a need, a scope it named in the adaptation)", () => {
    let text = "";
    const print = progressPrinter((t) => (text += t));
    const hostile = "go\u009b2J\u202eaway";
    const scenario = (over: Partial<ScenarioResult>): ScenarioResult =>
      ({ id: "m2-beacon", title: "t", rules: ["M2"], level: "MUST", status: "passed", durationMs: 5, checks: [], wire: [], wireOmitted: 0, ...over }) as ScenarioResult;
    print({
      type: "start",
      total: 2,
      capabilities: [],
      missingCapabilities: { tick: `the gateway said ${hostile}` },
      probe: { attempts: 1, waitedMs: 0, needs: [`operator.admin for system-event (system-event {}: FORBIDDEN ${hostile})`] },
      mode: "default",
    });
    print({ type: "scenario-end", index: 0, total: 2, result: scenario({ adaptations: [{ actor: "app", change: `scopes + ${hostile}`, reason: "r" }] }) });
    print({ type: "scenario-end", index: 1, total: 2, result: scenario({ id: "k1", status: "skipped", reason: `not run: HTTP 503 ${hostile}` }) });
    expect(text.match(/go\\x9b2J\\u202eaway/g)).toHaveLength(4);
    expect(text).not.toMatch(/[\u009b\u202e]/);
  });
});
