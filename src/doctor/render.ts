/** The doctor's report as text for a terminal: a header, the summary, then each finding with its rows. */
import { entryTs, fieldText, formatAge, presenceAge, presenceStatus } from "../client/status.js";
import type { PresenceEntry } from "../protocol/presence.js";
import { printableDeep } from "../validation/printable.js";
import { alignColumns, cutToWidth } from "./columns.js";
import { formatMs, plural } from "./rows.js";
import type { DoctorReport, Evidence, Finding, Severity } from "./types.js";

export interface RenderOptions {
  /** ANSI colours (the CLI turns them on for a TTY only, and never with NO_COLOR). */
  color?: boolean;
  /** Most evidence rows shown per finding (the JSON report has them all). Default 10. */
  maxRows?: number;
}

const STYLE = { red: 31, yellow: 33, cyan: 36, green: 32, dim: 2, bold: 1 } as const;
const MARK: Record<Severity, { symbol: string; style: keyof typeof STYLE }> = {
  error: { symbol: "✖", style: "red" },
  warning: { symbol: "▲", style: "yellow" },
  info: { symbol: "●", style: "cyan" },
};

/**
 * The report as terminal text. Every string of the report (rows, findings built from them, the
 * gateway's version) is shown as `printable` shows it: a writer's escape sequences never reach the
 * terminal as such.
 */
export function renderReport(unsafe: DoctorReport, options: RenderOptions = {}): string {
  const report = printableDeep(unsafe);
  const paint = (style: keyof typeof STYLE, text: string) => (options.color ? `\x1b[${STYLE[style]}m${text}\x1b[0m` : text);
  const maxRows = options.maxRows ?? 10;
  const { gateway, summary, clock, watch } = report;
  const lines = [
    paint("bold", `gateway-presence doctor  ${gateway.url}`),
    paint("dim", `${gateway.binding} binding, protocol ${gateway.protocol}, gateway ${gateway.serverVersion}${gateway.testMode ? " (test mode)" : ""}, read ${report.readAt}`),
    `${plural(summary.rows, "row")}: ${(["Active", "Idle", "Stale"] as const).map((s) => `${summary.status[s]} ${s}`).join(", ")}`,
    `modes: ${Object.entries(summary.mode).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([m, n]) => `${m} ${n}`).join(", ") || "-"}`,
    `clock: ${describeClock(clock)}`,
  ];
  if (watch.ms > 0) {
    lines.push(`watched ${formatMs(watch.ms)}: ${plural(watch.pushes, "presence push", "presence pushes")}, ${plural(watch.ticks, "tick")}${watch.error ? ` (${watch.error})` : ""}`);
  }
  lines.push("");
  if (report.findings.length === 0) {
    lines.push(paint("green", "No findings: the list looks as the contract says it should."));
  }
  const now = report.gatewayNow ?? Math.max(0, ...report.list.map((row) => entryTs(row) ?? 0));
  for (const finding of report.findings) lines.push(...renderFinding(finding, now, maxRows, paint), "");
  if (report.findings.length > 0) {
    const counts = (["error", "warning", "info"] as const).map((s) => plural(report.findings.filter((f) => f.severity === s).length, s, s === "info" ? "info" : `${s}s`));
    lines.push(`${plural(report.findings.length, "finding")}: ${counts.join(", ")}`);
  }
  lines.push(paint("dim", "The raw list: gateway-presence list --url URL --json (or --json here: the report with the list)."));
  return `${lines.join("\n")}\n`;
}

function describeClock(clock: DoctorReport["clock"]): string {
  if (clock.offsetMs === null) return `unknown (${clock.basis})`;
  const size = formatMs(Math.abs(clock.offsetMs));
  const where = Math.abs(clock.offsetMs) <= (clock.uncertaintyMs ?? 0) ? "in step with" : `${size} ${clock.offsetMs > 0 ? "ahead of" : "behind"}`;
  return `the gateway is ${where} this machine (±${formatMs(clock.uncertaintyMs ?? 0)}, from ${clock.basis})`;
}

type Paint = (style: keyof typeof STYLE, text: string) => string;

function renderFinding(finding: Finding, now: number, maxRows: number, paint: Paint): string[] {
  const mark = MARK[finding.severity];
  const lines = [
    `${paint(mark.style, `${mark.symbol} ${finding.severity}`)}  ${paint("bold", finding.rule)}  ${finding.title}`,
    ...wrap(finding.detail, 100).map((l) => `  ${l}`),
    ...wrap(`advice: ${finding.advice}`, 100).map((l) => `  ${paint("cyan", l)}`),
  ];
  if (finding.evidence.length > 0) {
    lines.push(...evidenceTable(finding.evidence.slice(0, maxRows), now).map((l) => `    ${l}`));
    if (finding.evidence.length > maxRows) lines.push(paint("dim", `    ... and ${finding.evidence.length - maxRows} more rows (--json has them all)`));
  }
  lines.push(paint("dim", `  seen in: ${finding.seenIn.join(", ")}`));
  return lines;
}

const COLUMNS = ["STATUS", "HOST", "INSTANCEID", "IP", "MODE", "VERSION", "REASON", "AGE", "NOTE"] as const;

/** The evidence rows as a table, ages as `list` shows them; the NOTE column only when a row has a note. */
function evidenceTable(evidence: Evidence[], now: number): string[] {
  const cell = (value: unknown) => cutToWidth((fieldText(value) ?? "-").replace(/\s+/g, " "), 36);
  const rows = evidence.map(({ row, note }) => [
    presenceStatus(row, now),
    cell(row.host),
    cell(row.instanceId),
    cell(row.ip),
    cell(row.mode),
    cell(row.version),
    cell(row.reason),
    ageOf(row, now),
    note ?? "",
  ]);
  const columns = evidence.some((e) => e.note) ? COLUMNS : COLUMNS.slice(0, -1);
  const all = [[...columns] as string[], ...rows.map((r) => r.slice(0, columns.length))];
  return alignColumns(all);
}

function ageOf(row: PresenceEntry, now: number): string {
  const ts = entryTs(row);
  return ts !== undefined && ts > now ? `-${formatAge(ts - now)}` : formatAge(presenceAge(row, now));
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
