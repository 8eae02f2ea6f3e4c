// reports/interop/README.md is built from the JSON reports alone: the matrix of rules × gateways (the
// reference gateway first, then releases newest first), then every run with wire findings apart.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { indexMarkdown } from "../../scripts/interop/index-readme.js";

const dir = mkdtempSync(join(tmpdir(), "interop-index-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function report(gateway: string, name: string, binding: string, version: string, byRule: Record<string, object>, summary: Record<string, number>, wire = 0) {
  mkdirSync(join(dir, gateway), { recursive: true });
  const wireFindings = Array.from({ length: wire }, (_, i) => ({ id: `W2:additionalProperties:/presence/*/f${i}`, rule: "W2", status: "warning", path: `/presence/*/f${i}`, message: "is not allowed (unknown property)", frames: 3, scenarios: ["a"], evidence: { seq: 0, t: 0, actor: "a", dir: "recv", text: "{}", scenario: "a" } }));
  const rules = Object.fromEntries(Object.entries(byRule).map(([id, r]) => [id, { passed: 0, failed: 0, warnings: 0, skipped: 0, knownFailures: 0, ...r }]));
  writeFileSync(join(dir, gateway, `${name}.json`), JSON.stringify({ url: "ws://x", binding, probe: { serverVersion: version, attempts: 1, waitedMs: 0, needs: [] }, scenarios: [], wireFindings, byRule: rules, summary: { knownFailures: 0, staleBaseline: [], ...summary } }));
}

describe("the interop index", () => {
  it("puts the reference gateway first and releases newest first, one column each (default and real-time runs merged)", () => {
    report("2026.1.30", "recorded", "openclaw", "dev", {}, { total: 14, passed: 0, failed: 13, warnings: 1, skipped: 0 });
    report("2026.1.30", "conformance", "openclaw", "dev", { K2: { failed: 2 }, S1: { skipped: 2 } }, { total: 48, passed: 14, failed: 7, warnings: 1, skipped: 11 });
    report("2026.1.30", "real-time", "openclaw", "dev", { S1: { failed: 1, passed: 2 } }, { total: 6, passed: 5, failed: 1, warnings: 0, skipped: 0 });
    report("2026.10.2", "conformance", "openclaw", "2026.10.2", { K2: { passed: 3 }, W2: { warnings: 2 } }, { total: 48, passed: 30, failed: 7, warnings: 0, skipped: 11 }, 2);
    report("reference", "conformance", "jsonrpc", "0.1.0", { K2: { passed: 3 }, S1: { passed: 2 }, W2: { passed: 1 } }, { total: 48, passed: 48, failed: 0, warnings: 0, skipped: 0 });
    const text = indexMarkdown(dir);
    expect(text).toContain("| rule | level | reference gateway | openclaw 2026.10.2 | openclaw 2026.1.30 |");
    expect(text).toContain("| K2 beacons update the right row | MUST | pass | pass | FAIL |");
    // S1: skipped by the default run, failed by the real-time run of the same gateway: one cell, FAIL.
    expect(text).toContain("| S1 TTL 5 minutes | MUST | pass | — | FAIL |");
    expect(text).toMatch(/\| W2 no fields beyond the contract \| SHOULD \| pass \| \[warn\]\(#ev-2-W2\) \| — \|/);
    const runs = text.split("\n").filter((l) => /^\| (reference|2026)/.test(l));
    expect(runs).toEqual([
      "| reference | [conformance](reference/conformance.md) ([html](reference/conformance.html)) | 48 | 48 | 0 | 0 | 0 | 0 | 0 | 0 |",
      "| 2026.10.2 | [conformance](2026.10.2/conformance.md) ([html](2026.10.2/conformance.html)) | 48 | 30 | 7 | 0 | 11 | 0 | 0 | 2 |",
      "| 2026.1.30 | [conformance](2026.1.30/conformance.md) ([html](2026.1.30/conformance.html)) | 48 | 14 | 7 | 1 | 11 | 0 | 0 | 0 |",
      "| 2026.1.30 | [real-time](2026.1.30/real-time.md) ([html](2026.1.30/real-time.html)) | 6 | 5 | 1 | 0 | 0 | 0 | 0 | 0 |",
      "| 2026.1.30 | [recorded](2026.1.30/recorded.md) ([html](2026.1.30/recorded.html)) | 14 | 0 | 13 | 1 | 0 | 0 | 0 | 0 |",
    ]);
  });

  it("the committed README.md is what the committed JSON reports give", () => {
    const committed = new URL("../../reports/interop/", import.meta.url).pathname;
    expect(existsSync(join(committed, "matrix.html"))).toBe(true);
    expect(readFileSync(join(committed, "README.md"), "utf8")).toBe(indexMarkdown(committed));
  });
});
