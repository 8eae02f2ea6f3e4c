/**
 * One matrix for many gateways (as Autobahn's index does for WebSocket implementations): SPEC rules
 * down, gateways across, each cell passed / failed / warning / skipped with the evidence behind it.
 * A column can hold several reports of one gateway (a default and a real-time run); its cell is the
 * worst of what they say.
 */
import { RULES } from "../scenario/rules.js";
import type { RuleId } from "../scenario/scenario.js";
import { type RunResult, type WireRecord } from "./results.js";
import { findingWhere, scenarioCount } from "./finding-words.js";
import { notRunForRefusals } from "./summary.js";

export type CellStatus = "passed" | "failed" | "warning" | "skipped" | "absent";

/** One piece of evidence behind a cell: a failing check, a wire-format finding, or why it was skipped. */
export interface CellEvidence {
  /** The scenario (or `wire` for a W1/W2 finding). */
  scenario: string;
  /** The check id, or the finding id. */
  check: string;
  message: string;
  /** `at`: a finding's wrong value (EvidenceFrame), kept in sight when the text is cut. */
  frame?: WireRecord & { at?: string };
  /** Index of the report (in its column) the evidence comes from. */
  report: number;
  /** Anchor in that report's HTML page (`k2-untracked-beacon-ignored`, `rule-K2`, a finding id). */
  anchor: string;
}

export interface MatrixCell {
  status: CellStatus;
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
  evidence: CellEvidence[];
}

export interface MatrixColumn {
  label: string;
  url: string;
  binding: string;
  serverVersion?: string;
  /** Where each report came from (file paths, as given). */
  sources: string[];
  reports: RunResult[];
}

export interface Matrix {
  columns: MatrixColumn[];
  rows: { id: RuleId; level: string; name: string; cells: MatrixCell[] }[];
}

/** `openclaw 2026.9.6`; the server version names a gateway better than its (ephemeral) URL. */
export function columnLabel(report: RunResult): string {
  return `${report.binding} ${report.probe?.serverVersion ?? report.url}`;
}

const MAX_EVIDENCE = 3;

function cellFor(rule: RuleId, reports: RunResult[]): MatrixCell {
  const cell: MatrixCell = { status: "absent", passed: 0, failed: 0, warnings: 0, skipped: 0, evidence: [] };
  reports.forEach((report, index) => {
    const s = report.byRule?.[rule];
    if (!s) return;
    cell.passed += s.passed;
    cell.failed += s.failed + s.knownFailures;
    cell.warnings += s.warnings;
    cell.skipped += s.skipped;
    if (rule === "W1" || rule === "W2") {
      for (const f of (report.wireFindings ?? []).filter((x) => x.rule === rule)) {
        cell.evidence.push({ scenario: "wire", check: f.id, message: `${f.path} ${f.message} (${f.frames} frame${f.frames === 1 ? "" : "s"}, ${findingWhere(f, scenarioCount)})`, frame: f.evidence, report: index, anchor: f.id });
      }
      return;
    }
    const scenarios = [...(report.probe?.result ? [report.probe.result] : []), ...report.scenarios];
    // Scenarios a refusing gateway kept from running are no skip of the rule (byRule counts them as notRun).
    const notRun = notRunForRefusals(report.scenarios);
    for (const sc of scenarios) {
      for (const c of sc.checks) {
        if (c.status === "passed" || !(c.rules.includes(rule) || (sc.rules.includes(rule) && c.rules.length === 0))) continue;
        cell.evidence.push({ scenario: sc.id, check: c.id, message: c.message ?? "", ...(c.frames?.length ? { frame: c.frames.at(-1) } : {}), report: index, anchor: sc.id });
      }
      if (sc.status === "skipped" && !notRun.has(sc) && sc.rules.includes(rule)) cell.evidence.push({ scenario: sc.id, check: "skipped", message: sc.reason ?? "", report: index, anchor: `rule-${rule}` });
    }
  });
  cell.status = cell.failed ? "failed" : cell.warnings ? "warning" : cell.passed ? "passed" : cell.skipped ? "skipped" : "absent";
  // Failures first, then warnings, then skips; a few of each kind is enough to follow the link.
  const order = (e: CellEvidence) => (e.check === "skipped" ? 2 : 0);
  cell.evidence.sort((a, b) => order(a) - order(b));
  const skipped = cell.evidence.filter((e) => e.check === "skipped");
  cell.evidence = [...cell.evidence.filter((e) => e.check !== "skipped").slice(0, MAX_EVIDENCE), ...(cell.status === "skipped" ? skipped.slice(0, MAX_EVIDENCE) : [])];
  return cell;
}

/** One column: an optional label, and the reports of one gateway with the paths they were read from. */
export interface ColumnInput {
  label?: string;
  reports: { source: string; report: RunResult }[];
}

/** Builds the matrix; a column without a label is named after its first report (and, if that is not unique, its path). */
export function buildMatrix(inputs: ColumnInput[]): Matrix {
  const columns: MatrixColumn[] = inputs.map(({ label, reports }) => {
    const first = reports[0]!.report;
    return {
      label: label ?? columnLabel(first),
      url: first.url,
      binding: first.binding,
      ...(first.probe?.serverVersion ? { serverVersion: first.probe.serverVersion } : {}),
      sources: reports.map((r) => r.source),
      reports: reports.map((r) => r.report),
    };
  });
  const taken = columns.map((c) => c.label);
  for (const [i, column] of columns.entries()) {
    if (inputs[i]!.label === undefined && taken.filter((l) => l === column.label).length > 1) column.label = `${column.label} (${column.sources[0]})`;
  }
  const rows = RULES.filter((r) => r.level !== "consumer").map((r) => ({ id: r.id, level: r.level, name: r.name, cells: columns.map((c) => cellFor(r.id, c.reports)) }));
  return { columns, rows };
}
