import type { RunResult } from "./results.js";
import { formatHtml } from "./html.js";
import { formatJUnit } from "./junit.js";
import { formatPretty } from "./pretty.js";

export { escapeHtml, formatHtml } from "./html.js";
export { escapeXml, formatJUnit } from "./junit.js";
export { formatPretty, formatSummary, progressPrinter, type PrettyOptions } from "./pretty.js";

export type ReporterName = "pretty" | "json" | "junit" | "html";
export const REPORTERS: readonly ReporterName[] = ["pretty", "json", "junit", "html"];

export function formatJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** The whole report as text (pretty: the lines the terminal showed while running, then the summary). */
export function formatReport(result: RunResult, reporter: ReporterName, options: { color?: boolean } = {}): string {
  switch (reporter) {
    case "json":
      return formatJson(result);
    case "junit":
      return formatJUnit(result);
    case "html":
      return formatHtml(result);
    case "pretty":
      return formatPretty(result, options);
  }
}
