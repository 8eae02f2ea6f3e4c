// reports/interop/README.md from the JSON reports on disk, so the index can be rewritten without
// re-running the peers:  npx tsx scripts/interop/index-readme.ts [reports/interop]
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { RunResult } from "../../src/conformance/report/results.js";

export const RUNS = ["conformance", "unrestricted", "recorded"] as const;

const INTRO =
  "Written by `npm run test:interop` (see docs/interop.md). Per release: `conformance.*` runs the built-in scenarios (OpenClaw's known limits skipped with reasons), `unrestricted.*` runs them without those skips, `recorded.*` replays fixtures/recorded (traffic recorded from both releases). Warnings are failed SHOULD checks (the run was not `--strict`); they are not counted as failures.";

/** Newest release first: 2026.9.6 before 2026.1.30. */
function byVersionDescending(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  return 0;
}

export function indexMarkdown(reportsDir: string): string {
  const lines = ["# OpenClaw interop reports", "", INTRO, "", "| release | run | scenarios | passed | failed | warnings | skipped |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"];
  const versions = readdirSync(reportsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d+(\.\d+)*$/.test(e.name))
    .map((e) => e.name)
    .sort(byVersionDescending);
  for (const version of versions) {
    for (const name of RUNS) {
      const file = join(reportsDir, version, `${name}.json`);
      if (!existsSync(file)) continue;
      const s = (JSON.parse(readFileSync(file, "utf8")) as RunResult).summary;
      lines.push(`| ${version} | [${name}](${version}/${name}.md) ([html](${version}/${name}.html)) | ${s.total} | ${s.passed} | ${s.failed} | ${s.warnings} | ${s.skipped} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function writeIndex(reportsDir: string): void {
  writeFileSync(join(reportsDir, "README.md"), indexMarkdown(reportsDir));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = process.argv[2] ?? "reports/interop";
  writeIndex(dir);
  process.stdout.write(`wrote ${join(dir, "README.md")}\n`);
}
