// reports/interop/README.md (and matrix.html) from the JSON reports on disk, so the index can be
// rewritten without re-running the peers:  npx tsx scripts/interop/index-readme.ts [reports/interop]
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildMatrix } from "../../src/conformance/report/compare.js";
import { matrixHtml, matrixMarkdown } from "../../src/conformance/report/compare-format.js";
import type { RunResult } from "../../src/conformance/report/results.js";

export const RUNS = ["conformance", "real-time", "recorded"] as const;
/** The runs the matrix is made of (recorded runs replay other gateways' traffic: SHOULD-level, kept apart). */
const MATRIX_RUNS = ["conformance", "real-time"] as const;

const INTRO =
  "Written by `npm run test:interop` (see [docs/interop.md](../../docs/interop.md)). Per gateway: `conformance.*` runs the built-in scenarios (default run), `real-time.*` the scenarios that wait on the wall clock (`conform --real-time`: the TTL without a test clock, slow ticks, the handshake timeout), `recorded.*` replays fixtures/recorded (traffic recorded from both OpenClaw releases). `reference` is this project's gateway (embedded, test mode; real time with a 10 s TTL). The same matrix as one page: [matrix.html](matrix.html) (`gateway-presence report compare … --out matrix.html`).";

/** The reference gateway first, then releases newest first (2026.9.6 before 2026.1.30). */
function byGateway(a: string, b: string): number {
  if (a === "reference" || b === "reference") return a === "reference" ? -1 : 1;
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  return 0;
}

function gateways(reportsDir: string): string[] {
  return readdirSync(reportsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && (e.name === "reference" || /^\d+(\.\d+)*$/.test(e.name)))
    .map((e) => e.name)
    .sort(byGateway);
}

const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as RunResult;

/** The compare matrix of every gateway's default and real-time reports (one column each), linked relative to reportsDir. */
function matrixOf(reportsDir: string) {
  const columns = gateways(reportsDir)
    .map((g) => ({
      label: g === "reference" ? "reference gateway" : `openclaw ${g}`,
      reports: MATRIX_RUNS.map((run) => `${g}/${run}.json`)
        .filter((f) => existsSync(join(reportsDir, f)))
        .map((source) => ({ source, report: read(join(reportsDir, source)) })),
    }))
    .filter((c) => c.reports.length > 0);
  const matrix = buildMatrix(columns);
  const reportHtml = (column: number, index: number) => {
    const html = matrix.columns[column]?.sources[index]?.replace(/\.json$/, ".html");
    return html && existsSync(join(reportsDir, html)) ? html : undefined;
  };
  return { matrix, links: { reportHtml } };
}

export function indexMarkdown(reportsDir: string): string {
  const lines = ["# Conformance reports: the reference gateway and real OpenClaw releases", "", INTRO, ""];
  const { matrix, links } = matrixOf(reportsDir);
  const runs = ["## Runs", "", "| gateway | run | scenarios | passed | failed | warnings | skipped | n/a | wire W1 | wire W2 |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"];
  for (const gateway of gateways(reportsDir)) {
    for (const name of RUNS) {
      const file = join(reportsDir, gateway, `${name}.json`);
      if (!existsSync(file)) continue;
      const r = read(file);
      const w1 = (r.wireFindings ?? []).filter((f) => f.rule === "W1").length;
      const w2 = (r.wireFindings ?? []).filter((f) => f.rule === "W2").length;
      const s = r.summary;
      runs.push(`| ${gateway} | [${name}](${gateway}/${name}.md) ([html](${gateway}/${name}.html)) | ${s.total} | ${s.passed} | ${s.failed} | ${s.warnings} | ${s.skipped} | ${s.notApplicable ?? 0} | ${w1} | ${w2} |`);
    }
  }
  lines.push("## Rules × gateways", "", matrixMarkdown(matrix, links).replace("\n## Evidence\n", "\n### Evidence\n"), ...runs);
  return `${lines.join("\n")}\n`;
}

export function writeIndex(reportsDir: string): void {
  writeFileSync(join(reportsDir, "README.md"), indexMarkdown(reportsDir));
  const { matrix, links } = matrixOf(reportsDir);
  writeFileSync(join(reportsDir, "matrix.html"), matrixHtml(matrix, links));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = process.argv[2] ?? "reports/interop";
  writeIndex(dir);
  process.stdout.write(`wrote ${join(dir, "README.md")} and ${join(dir, "matrix.html")}\n`);
}
