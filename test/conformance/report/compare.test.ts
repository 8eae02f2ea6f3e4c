/**
 * `report compare`: one matrix of rules × gateways from real conformance runs (the reference gateway,
 * clean and with faults), each cell linked to its evidence, in Markdown and HTML, and from the CLI.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMatrix } from "../../../src/conformance/report/compare.js";
import { matrixHtml, matrixMarkdown } from "../../../src/conformance/report/compare-format.js";
import { formatHtml, formatJson } from "../../../src/conformance/report/formats.js";
import type { RunResult } from "../../../src/conformance/report/results.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { cliResult } from "../../support/cli.js";
import { referenceGateway, runOptions } from "../gateways.js";
import { scaled } from "../../support/timing.js";

const dir = mkdtempSync(join(tmpdir(), "compare-"));
const ONLY = ["k1-case-merge", "p1-self-row", "p4-node-role"];

let clean: RunResult;
let caseSensitive: RunResult;
let extraFields: RunResult;

beforeAll(async () => {
  const run = async (fault?: "caseSensitiveKeys" | "extraRowFields", more = {}) => {
    const gateway = await referenceGateway(fault);
    try {
      return await runConformance(runOptions(gateway, { only: ONLY, ...more }));
    } finally {
      await gateway.close();
    }
  };
  clean = await run();
  caseSensitive = await run("caseSensitiveKeys", { capabilities: { nodeRole: false } });
  extraFields = await run("extraRowFields");
  for (const [name, report] of Object.entries({ clean, caseSensitive, extraFields })) writeFileSync(join(dir, `${name}.json`), formatJson(report));
  writeFileSync(join(dir, "caseSensitive.html"), formatHtml(caseSensitive));
}, scaled(30_000));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `report compare ...args`, to its end. */
const cli = (args: string[]) => cliResult(["report", "compare", ...args]);

describe("the compare matrix", () => {
  it("has a row per rule and a column per gateway, each cell the rule's verdict there", () => {
    const matrix = buildMatrix([
      { label: "clean", reports: [{ source: "clean.json", report: clean }] },
      { label: "case-sensitive", reports: [{ source: "caseSensitive.json", report: caseSensitive }] },
      { label: "extra fields", reports: [{ source: "extraFields.json", report: extraFields }] },
    ]);
    const row = (id: string) => matrix.rows.find((r) => r.id === id)!.cells.map((c) => c.status);
    expect(matrix.columns.map((c) => c.label)).toEqual(["clean", "case-sensitive", "extra fields"]);
    expect(row("K1")).toEqual(["passed", "failed", "passed"]);
    expect(row("P4")).toEqual(["passed", "skipped", "passed"]);
    expect(row("W2")).toEqual(["passed", "passed", "warning"]);
    expect(row("S2")).toEqual(["absent", "absent", "absent"]);
    const k1 = matrix.rows.find((r) => r.id === "K1")!.cells[1]!;
    expect(k1.evidence[0]).toMatchObject({ scenario: "k1-case-merge", message: expect.stringMatching(/expected 1, got 2/), anchor: "k1-case-merge" });
    expect(k1.evidence[0]!.frame?.text).toMatch(/"result":\[.*CASE-/);
    expect(matrix.rows.find((r) => r.id === "P4")!.cells[1]!.evidence[0]).toMatchObject({ check: "skipped", message: "needs nodeRole" });
  });

  it("merges the reports of one gateway into one column, the worst verdict winning; unlabelled columns are told apart", () => {
    const merged = buildMatrix([{ reports: [{ source: "a/clean.json", report: clean }, { source: "a/case.json", report: caseSensitive }] }, { reports: [{ source: "b/clean.json", report: clean }] }]);
    expect(merged.columns.map((c) => c.label)).toEqual(["jsonrpc 0.1.0 (a/clean.json)", "jsonrpc 0.1.0 (b/clean.json)"]);
    expect(merged.rows.find((r) => r.id === "K1")!.cells.map((c) => c.status)).toEqual(["failed", "passed"]);
  });

  it("renders Markdown with linked cells and evidence, and self-contained, escaped HTML", () => {
    const matrix = buildMatrix([
      { label: "clean", reports: [{ source: "clean.json", report: clean }] },
      { label: "<case|sensitive>", reports: [{ source: "caseSensitive.json", report: caseSensitive }] },
    ]);
    const md = matrixMarkdown(matrix, { reportHtml: (column) => (column === 1 ? "case.html" : undefined) });
    expect(md).toContain("| rule | level | clean | <case\\|sensitive> |");
    expect(md).toMatch(/\| K1 presence key .* \| MUST \| pass \| \[FAIL\]\(#ev-2-K1\) \|/);
    expect(md).toMatch(/<a id="ev-2-K1"><\/a>\*\*K1 · <case\\|sensitive>: FAIL\*\*/);
    expect(md).toMatch(/- \[`k1-case-merge` 3-list\]\(case\.html#k1-case-merge\): .*expected 1, got 2/);
    const html = matrixHtml(matrix);
    expect(html).toContain("&lt;case|sensitive&gt;");
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).toMatch(/<a href="#ev-2-K1">FAIL<\/a>/);
    expect(html).toContain('<section id="ev-2-K1">');
  });
});

describe("gateway-presence report compare", () => {
  it("writes the HTML matrix, linking a gateway's HTML report when it lies next to its JSON", async () => {
    const out = join(dir, "matrix.html");
    const { code, stderr } = await cli([join(dir, "clean.json"), `case=${join(dir, "caseSensitive.json")}`, join(dir, "extraFields.json"), "--out", out]);
    expect(stderr).toMatch(/html matrix of 3 gateways written to/);
    expect(code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("<th title=");
    expect(html).toContain('href="caseSensitive.html#k1-case-merge"');
  });

  it("prints Markdown by default, and exits 2 on a file that is not a report or an --out it cannot write", async () => {
    const md = await cli([join(dir, "clean.json")]);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^\| rule \| level \| jsonrpc 0\.1\.0 \|/);
    writeFileSync(join(dir, "not-a-report.json"), "{}");
    const bad = await cli([join(dir, "not-a-report.json")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not-a-report\.json: not a conformance report/);
    const unwritable = await cli([join(dir, "clean.json"), "--out", join(dir, "no-such-dir", "matrix.html")]);
    expect(unwritable.stderr).toMatch(/^gateway-presence report compare: cannot write --out .*no-such-dir\/matrix\.html: no directory /);
    expect(unwritable.code).toBe(2);
    const usage = await cli([]);
    expect(usage.stderr).toMatch(/missing required argument 'columns'/);
    expect(usage.code).toBe(2);
  });
});
