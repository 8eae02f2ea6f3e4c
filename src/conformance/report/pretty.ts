/** The human reporter: a line per scenario while running, then a summary by rule and the failures. */
import type { CheckResult, ProgressEvent, RunResult, ScenarioResult, WireRecord } from "./results.js";
import { RULE_ORDER, RULES } from "../scenario/rules.js";

export interface PrettyOptions {
  color?: boolean;
  /** Frames shown per failed check. */
  maxFrames?: number;
}

type Paint = (code: number, text: string) => string;
const painter = (color: boolean): Paint => (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

const MARK: Record<ScenarioResult["status"], [string, number]> = { passed: ["✓", 32], failed: ["✗", 31], warning: ["!", 33], skipped: ["-", 90] };

function frameLine(f: WireRecord): string {
  const arrow = f.dir === "send" ? "→" : f.dir === "recv" ? "←" : "·";
  const text = f.text.length > 300 ? `${f.text.slice(0, 300)}…` : f.text;
  return `${String(f.t).padStart(6)} ms ${f.actor} ${arrow} ${text}${f.bytes ? ` (${f.bytes} bytes)` : ""}`;
}

function checkLines(check: CheckResult, maxFrames: number): string[] {
  const lines = [`      ${check.id} [${check.level} ${check.rules.join(",")}] ${check.title}${check.baselined ? " (known failure)" : ""}`, `        ${check.message ?? ""}`];
  if (check.expected !== undefined) lines.push(`        expected: ${JSON.stringify(check.expected).slice(0, 400)}`);
  if (check.actual !== undefined) lines.push(`        actual:   ${JSON.stringify(check.actual).slice(0, 400)}`);
  for (const f of (check.frames ?? []).slice(0, maxFrames)) lines.push(`        ${frameLine(f)}`);
  return lines;
}

/** An onProgress handler that writes a line per scenario (and the failing checks right under it). */
export function progressPrinter(write: (text: string) => void, options: PrettyOptions = {}): (event: ProgressEvent) => void {
  const paint = painter(options.color ?? false);
  const maxFrames = options.maxFrames ?? 4;
  return (event) => {
    if (event.type === "start" && event.error) {
      write(paint(31, `Cannot run the ${event.total} scenarios: ${event.error}\n`));
    } else if (event.type === "start") {
      write(`Running ${event.total} scenarios. Capabilities: ${event.capabilities.join(", ") || "(none)"}\n`);
      for (const [cap, why] of Object.entries(event.missingCapabilities)) write(paint(90, `  without ${cap}: ${why}\n`));
    } else if (event.type === "scenario-end") {
      const r = event.result;
      const [mark, code] = MARK[r.status];
      const counter = `[${String(event.index + 1).padStart(String(event.total).length)}/${event.total}]`;
      const detail = r.status === "skipped" ? ` (${r.reason})` : ` ${r.durationMs} ms${r.baselined ? " (known failure)" : ""}`;
      write(`${counter} ${paint(code, mark)} ${r.id}${paint(90, detail)}\n`);
      for (const c of r.checks) if (c.status !== "passed" && !c.baselined) write(`${paint(c.status === "failed" ? 31 : 33, checkLines(c, maxFrames).join("\n"))}\n`);
    }
  };
}

/** The closing summary: a table by rule, totals, stale baseline entries and the verdict. */
export function formatSummary(result: RunResult, options: PrettyOptions = {}): string {
  const paint = painter(options.color ?? false);
  const lines: string[] = ["", `Conformance of ${result.url} (binding ${result.binding}${result.strict ? ", strict" : ""}), by rule:`];
  lines.push(`  ${"rule".padEnd(5)} ${"passed".padStart(6)} ${"failed".padStart(6)} ${"warn".padStart(5)} ${"skip".padStart(5)} ${"known".padStart(5)}  name`);
  const ids = Object.keys(result.byRule).sort((a, b) => (RULE_ORDER.get(a as never) ?? 99) - (RULE_ORDER.get(b as never) ?? 99));
  for (const id of ids) {
    const s = result.byRule[id as keyof typeof result.byRule]!;
    const name = RULES.find((r) => r.id === id);
    const row = `  ${id.padEnd(5)} ${String(s.passed).padStart(6)} ${String(s.failed).padStart(6)} ${String(s.warnings).padStart(5)} ${String(s.skipped).padStart(5)} ${String(s.knownFailures).padStart(5)}  ${name ? `${name.level} ${name.name}` : ""}`;
    lines.push(s.failed ? paint(31, row) : s.warnings ? paint(33, row) : row);
  }
  const t = result.summary;
  lines.push("", `Scenarios: ${t.total} — ${t.passed} passed, ${t.failed} failed, ${t.warnings} with warnings, ${t.skipped} skipped, ${t.knownFailures} known failures (${(result.durationMs / 1000).toFixed(1)} s)`);
  if (result.error) lines.push(paint(31, `Run error: ${result.error}`));
  for (const entry of t.staleBaseline) lines.push(paint(31, `Stale baseline entry: ${entry} — remove it from the expected-failures file`));
  lines.push(result.ok ? paint(32, "PASS: no MUST rule fails") : paint(31, `FAIL: ${failureReason(result)}`));
  return `${lines.join("\n")}\n`;
}

/** Why a run failed, for the last line: no scenario ran, a stale baseline, or failing checks. */
function failureReason(result: RunResult): string {
  if (result.error) {
    const refused = /^probe connect refused/.test(result.error);
    return `${refused ? "the gateway refused the probe connection" : "the gateway could not be reached"}, so no scenario ran (see the run error above)`;
  }
  if (result.summary.failed === 0 && result.summary.staleBaseline.length > 0) return "the expected-failures baseline is stale (see above)";
  return "see the failures above";
}
