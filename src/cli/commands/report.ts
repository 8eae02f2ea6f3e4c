/**
 * `gateway-presence report compare A.json [LABEL=]B.json+B-real-time.json ... [--out matrix.html|matrix.md]`:
 * one matrix of SPEC rules × gateways from `conform --reporter json` reports, a column per argument
 * (`+` joins the reports of one gateway, e.g. a default and a real-time run; `LABEL=` names the
 * column). Cells link to their evidence, and to each gateway's HTML report when one lies next to its
 * JSON report (same name, `.html`).
 * Exit 0 when written, 2 on an unreadable report or a bad option.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { Option, type Command } from "commander";
import { buildMatrix } from "../../conformance/report/compare.js";
import { matrixHtml, matrixMarkdown } from "../../conformance/report/compare-format.js";
import type { RunResult } from "../../conformance/report/results.js";
import { checkWritable, writeOutputFile } from "../output-file.js";
import { exitCodes } from "../usage.js";

interface CompareFlags {
  out?: string;
  format?: "html" | "markdown";
}

function readReport(file: string): RunResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const r = parsed as Partial<RunResult> | null;
  if (!r || typeof r !== "object" || !Array.isArray(r.scenarios) || typeof r.byRule !== "object") {
    throw new Error(`${file}: not a conformance report (write one with: gateway-presence conform --reporter json --out FILE)`);
  }
  return r as RunResult;
}

/** `LABEL=a.json+b.json` -> a column; the label is optional. */
export function parseColumn(arg: string): { label?: string; files: string[] } {
  const eq = arg.indexOf("=");
  const label = eq > 0 && !arg.slice(0, eq).includes("/") && !arg.slice(0, eq).endsWith(".json") ? arg.slice(0, eq) : undefined;
  const files = (label === undefined ? arg : arg.slice(eq + 1)).split("+").filter(Boolean);
  if (files.length === 0) throw new Error(`${JSON.stringify(arg)}: no report file`);
  return { ...(label ? { label } : {}), files };
}

/** The text of the matrix, and where its links point (relative to `outDir`). */
export function compareReports(columnArgs: string[], format: "html" | "markdown", outDir: string): string {
  const matrix = buildMatrix(
    columnArgs.map(parseColumn).map(({ label, files }) => ({ ...(label ? { label } : {}), reports: files.map((source) => ({ source, report: readReport(source) })) })),
  );
  const reportHtml = (column: number, index: number): string | undefined => {
    const source = matrix.columns[column]?.sources[index];
    if (!source) return undefined;
    const html = source.replace(/\.json$/, ".html");
    return html !== source && existsSync(html) ? relative(outDir, resolve(html)).split("\\").join("/") : undefined;
  };
  return format === "html" ? matrixHtml(matrix, { reportHtml }) : matrixMarkdown(matrix, { reportHtml });
}

export function register(program: Command): void {
  const report = exitCodes(program.command("report"), { 0: "as its subcommand says (report compare --help)" }).description("work with conformance reports (conform --reporter json)");
  exitCodes(report.command("compare"), { 0: "the matrix was written", 2: "a report cannot be read" })
    .description("one matrix of SPEC rules × gateways from several JSON reports, each cell linked to its evidence")
    .argument("<columns...>", "a column per argument: REPORT.json, or [LABEL=]A.json+B.json for several reports of one gateway (gateway-presence conform --reporter json --out FILE)")
    .option("--out <file>", "write the matrix here (default: standard output)")
    .addOption(new Option("--format <format>", "html or markdown (default: from --out's extension, else markdown)").choices(["html", "markdown"]))
    .action((files: string[], flags: CompareFlags) => {
      const format = flags.format ?? (flags.out && /\.html?$/i.test(flags.out) ? "html" : "markdown");
      let text: string;
      try {
        if (flags.out) checkWritable("--out", flags.out);
        text = compareReports(files, format, resolve(flags.out ? dirname(flags.out) : "."));
      } catch (error) {
        process.stderr.write(`gateway-presence report compare: ${(error as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      if (!flags.out) {
        process.stdout.write(text);
        return;
      }
      try {
        writeOutputFile(flags.out, text);
      } catch (error) {
        process.stderr.write(`gateway-presence report compare: cannot write ${flags.out}: ${(error as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`${format} matrix of ${files.length} gateway${files.length === 1 ? "" : "s"} written to ${flags.out}\n`);
    });
}
