import type { RunResult } from "./results.js";
import { formatHtml } from "./html.js";
import { formatJUnit } from "./junit.js";
import { formatSummary } from "./pretty.js";

export { escapeHtml, formatHtml } from "./html.js";
export { escapeXml, formatJUnit } from "./junit.js";
export { formatSummary, progressPrinter, type PrettyOptions } from "./pretty.js";

export type ReporterName = "pretty" | "json" | "junit" | "html";
export const REPORTERS: readonly ReporterName[] = ["pretty", "json", "junit", "html"];

export function formatJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** The whole report as text (for pretty: the closing summary; progress is printed while running). */
export function formatReport(result: RunResult, reporter: ReporterName, options: { color?: boolean } = {}): string {
  switch (reporter) {
    case "json":
      return formatJson(result);
    case "junit":
      return formatJUnit(result);
    case "html":
      return formatHtml(result);
    case "pretty":
      return formatSummary(result, options);
  }
}
