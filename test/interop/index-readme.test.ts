// reports/interop/README.md is built from the JSON reports alone; warnings get their own column.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { indexMarkdown } from "../../scripts/interop/index-readme.js";

const dir = mkdtempSync(join(tmpdir(), "interop-index-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function report(version: string, name: string, summary: Record<string, number>) {
  mkdirSync(join(dir, version), { recursive: true });
  writeFileSync(join(dir, version, `${name}.json`), JSON.stringify({ summary: { knownFailures: 0, staleBaseline: [], ...summary } }));
}

describe("the interop index", () => {
  it("lists each run's failures and warnings apart, newest release first, runs in a fixed order", () => {
    report("2026.1.30", "recorded", { total: 14, passed: 0, failed: 13, warnings: 1, skipped: 0 });
    report("2026.1.30", "conformance", { total: 48, passed: 14, failed: 7, warnings: 1, skipped: 26 });
    report("2026.10.2", "conformance", { total: 48, passed: 2, failed: 20, warnings: 0, skipped: 26 });
    const rows = indexMarkdown(dir).split("\n").filter((l) => l.startsWith("| 2026"));
    expect(rows).toEqual([
      "| 2026.10.2 | [conformance](2026.10.2/conformance.md) ([html](2026.10.2/conformance.html)) | 48 | 2 | 20 | 0 | 26 |",
      "| 2026.1.30 | [conformance](2026.1.30/conformance.md) ([html](2026.1.30/conformance.html)) | 48 | 14 | 7 | 1 | 26 |",
      "| 2026.1.30 | [recorded](2026.1.30/recorded.md) ([html](2026.1.30/recorded.html)) | 14 | 0 | 13 | 1 | 0 |",
    ]);
  });

  it("the committed README.md is what the committed JSON reports give", () => {
    const committed = new URL("../../reports/interop/", import.meta.url).pathname;
    expect(readFileSync(join(committed, "README.md"), "utf8")).toBe(indexMarkdown(committed));
  });
});
