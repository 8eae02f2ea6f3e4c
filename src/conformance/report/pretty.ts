/**
 * The human reporter: what the probe found, a line per scenario while running (with what was adapted),
 * real-time waits, then a summary by rule, the wire-format findings once per kind, and the verdict.
 */
import { isBindingAdaptation, type Adaptation, type CheckResult, type ProgressEvent, type RuleSummary, type RunResult, type ScenarioResult, type WireFinding, type WireRecord } from "./results.js";
import { findingWhere } from "./finding-words.js";
import { NOTHING_LISTENS, REFUSALS_FOR_A_PERSON } from "../../client/errors.js";
import { RULE_ORDER, RULES } from "../scenario/rules.js";
import type { Capability } from "../scenario/scenario.js";
import { needsSlowLine, noCheckPassedNote, notRunForRefusals, stoppedByRefusalsLine, whyStopped } from "./summary.js";
import { cutText } from "./cut-text.js";
import { frameTextShowing } from "./evidence-window.js";
import { printable } from "../../validation/printable.js";

export interface PrettyOptions {
  color?: boolean;
  /** Frames shown per failed check. */
  maxFrames?: number;
  /**
   * formatSummary: the run error was printed already, on the same stream (progressPrinter's `Cannot
   * run the N scenarios: <error>`): the summary then points up to it instead of repeating it.
   */
  runErrorShown?: boolean;
}

/** The run's check of the scenarios' connections (checks/handshake-order.ts), on the probe's result. */
const EARLY_PUSH_CHECK = "no-push-before-hello-ok-in-scenarios";

type Paint = (code: number, text: string) => string;
const painter = (color: boolean): Paint => (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

const MARK: Record<ScenarioResult["status"], [string, number]> = { passed: ["✓", 32], failed: ["✗", 31], warning: ["!", 33], skipped: ["-", 90] };

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}`;

/** A frame in one line, cut at 300 characters: a finding's evidence (with `at`) around its wrong value. */
function frameLine(f: WireRecord & { at?: string }): string {
  const arrow = f.dir === "send" ? "→" : f.dir === "recv" ? "←" : "·";
  return `${String(f.t).padStart(6)} ms ${f.actor} ${arrow} ${cut(printable(frameTextShowing(f, 300)), 300)}${f.bytes ? ` (${f.bytes} bytes)` : ""}`;
}

function checkLines(check: CheckResult, maxFrames: number): string[] {
  const lines = [`      ${check.id} [${check.level} ${check.rules.join(",")}] ${check.title}${check.baselined ? " (known failure)" : ""}`, `        ${printable(check.message ?? "")}`];
  // Cut as the JSON report cuts a long string: marked, with the whole length.
  if (check.expected !== undefined) lines.push(`        expected: ${printable(cutText(JSON.stringify(check.expected), 400))}`);
  if (check.actual !== undefined) lines.push(`        actual:   ${printable(cutText(JSON.stringify(check.actual), 400))}`);
  for (const f of (check.frames ?? []).slice(0, maxFrames)) lines.push(`        ${frameLine(f)}`);
  if (check.unrelated) lines.push(`        not judged: ${check.unrelated.note}`);
  return lines;
}

/**
 * `app: scopes [...] + operator.admin; app (2-send): text "…" added (+6 binding changes)`: what the
 * harness changed in full; what the binding changes on every connect (ids, signing) only counted.
 */
export function adaptationLine(adaptations: Adaptation[]): string {
  const own = adaptations.filter((a) => !isBindingAdaptation(a));
  const binding = adaptations.length - own.length;
  const text = own.map((a) => `${a.actor}${a.step ? ` (${a.step})` : ""}: ${a.change}`).join("; ");
  return `${text || "by the binding only"}${binding && text ? ` (+${binding} binding changes)` : binding ? ` (${binding} changes)` : ""}`;
}

/**
 * A skip's reason as the summary's --slow line says it: `needs tick` (a capability only --slow adds)
 * is `needs --slow`, `needs slow, token` is `needs --slow; also needs token`; other reasons as given.
 */
function skipReason(reason: string, onlyWithSlow: readonly string[]): string {
  const needs = /^needs (.+)$/.exec(reason)?.[1]?.split(", ");
  if (!needs?.some((c) => onlyWithSlow.includes(c))) return reason;
  const others = needs.filter((c) => !onlyWithSlow.includes(c));
  return `needs --slow${others.length ? `; also needs ${others.join(", ")}` : ""}`;
}

/** An onProgress handler that writes a line per scenario (and the failing checks right under it). */
export function progressPrinter(write: (text: string) => void, options: PrettyOptions = {}): (event: ProgressEvent) => void {
  const paint = painter(options.color ?? false);
  const maxFrames = options.maxFrames ?? 4;
  let nextReadyReport = 0;
  // When the run cannot start, every scenario is "not run" for the same reason: said once, not per scenario.
  let notRun = false;
  let onlyWithSlow: readonly string[] = [];
  return (event) => {
    if (event.type === "waiting-ready") {
      // The first wait, then about every 5 s.
      if (event.waitedMs < nextReadyReport) return;
      nextReadyReport = event.waitedMs + 5000;
      const line = `Waiting for the gateway at ${event.url} to be ready (${event.reason}): attempt ${event.attempt}, ${seconds(event.waitedMs)} of ${seconds(event.limitMs)}, next in ${event.retryInMs} ms; ${event.noWait} to not wait`;
      write(paint(90, `${line}\n`));
    } else if (event.type === "start" && event.error) {
      notRun = true;
      write(paint(31, `Cannot run the ${event.total} scenario${event.total === 1 ? "" : "s"}: ${printable(event.error)}\n`));
    } else if (event.type === "start") {
      onlyWithSlow = event.onlyWithSlow ?? [];
      const p = event.probe;
      if (p.attempts > 1) write(`Gateway ready after ${seconds(p.waitedMs)} (${p.attempts} attempts).\n`);
      // A need quotes the gateway's answer that showed it (its error message): shown as printable shows it.
      for (const need of p.needs) write(paint(90, `  the gateway needs more than SPEC: ${printable(need)}; steps are adapted and the adaptations listed\n`));
      for (const note of p.notes ?? []) write(paint(33, `  note: ${printable(note)}\n`));
      for (const c of p.result?.checks ?? []) if (c.status !== "passed") write(`${paint(31, checkLines(c, maxFrames).join("\n"))}\n`);
      const noun = event.total === 1 ? "scenario" : "scenarios";
      const mode = event.mode === "real-time" ? `real-time ${noun}, concurrently` : noun;
      write(`Running ${event.total} ${mode}. Capabilities: ${event.capabilities.join(", ") || "(none)"}\n`);
      if (event.notSelected) write(paint(90, `  (${event.notSelected})\n`));
      // What only --slow adds is said once, in the summary, with the scenarios it skipped.
      for (const [cap, why] of Object.entries(event.missingCapabilities)) {
        if (!event.onlyWithSlow?.includes(cap as Capability)) write(paint(90, `  without ${cap}: ${printable(why)}\n`));
      }
    } else if (event.type === "waiting") {
      write(paint(90, `  waiting in real time: ${event.waits.map((w) => `${w.id} ${clock(w.leftMs)}`).join(", ")} left\n`));
    } else if (event.type === "scenario-end" && !notRun) {
      const r = event.result;
      const [mark, code] = MARK[r.status];
      const counter = `[${String(event.index + 1).padStart(String(event.total).length)}/${event.total}]`;
      // A skip's reason and an adaptation may quote the gateway (a refusal's words, a scope it named).
      const detail = r.status === "skipped" ? ` (${printable(skipReason(r.reason ?? "", onlyWithSlow))})` : ` ${r.durationMs} ms${r.baselined ? " (known failure)" : ""}${r.noCheckPassed ? ` (${noCheckPassedNote(r)})` : ""}`;
      write(`${counter} ${paint(code, mark)} ${r.id}${paint(90, detail)}\n`);
      if (r.adaptations?.length) write(paint(90, `      adapted: ${cut(printable(adaptationLine(r.adaptations)), 400)}\n`));
      for (const c of r.checks) if (c.status !== "passed" && !c.baselined) write(`${paint(c.status === "failed" ? 31 : 33, checkLines(c, maxFrames).join("\n"))}\n`);
    }
  };
}

/**
 * The pretty report as a file (`conform --reporter pretty --out FILE`, `formatReport(result, "pretty")`):
 * what the terminal showed while the run went, from the result (the probe's findings and notes, a line
 * per scenario with its failing checks and adaptations), then the summary. The summary alone ended
 * "FAIL: behaviour: 19 scenarios failed (see above)" with no failing check above it in the file.
 * Not in it: the lines the command adds (the embedded gateway's URL), waits, and the note of what the
 * run's mode left out.
 */
export function formatPretty(result: RunResult, options: PrettyOptions = {}): string {
  let text = "";
  const print = progressPrinter((t) => (text += t), options);
  const total = result.scenarios.length;
  // The run error was said at the start when the run could not start; a run the gateway stopped says it on its scenario's line.
  const notStarted = result.error !== undefined && !result.scenarios.some((s) => s.refused);
  print({
    type: "start",
    total,
    capabilities: result.capabilities,
    missingCapabilities: result.missingCapabilities,
    ...(result.onlyWithSlow ? { onlyWithSlow: result.onlyWithSlow } : {}),
    ...(notStarted ? { error: result.error } : {}),
    // As the terminal showed it when the run started: the check of the scenarios' connections comes with the summary.
    probe: result.probe.result ? { ...result.probe, result: { ...result.probe.result, checks: result.probe.result.checks.filter((c) => c.id !== EARLY_PUSH_CHECK) } } : result.probe,
    mode: result.mode,
  });
  result.scenarios.forEach((r, index) => print({ type: "scenario-end", index, total, result: r }));
  return text + formatSummary(result, { ...options, runErrorShown: true });
}

/** One wire-format finding in two lines: what, where, how often; one evidence frame. */
export function findingLines(f: WireFinding): string[] {
  const where = findingWhere(f, (ids) => (ids.length > 4 ? `${ids.slice(0, 4).join(", ")} and ${ids.length - 4} more` : ids.join(", ")));
  const at = f.paths.length > 1 ? ` (also ${printable(f.paths.filter((p) => p !== f.path).join(", "))})` : "";
  return [
    `  ${f.rule} ${f.status === "failed" ? "FAIL" : "warn"} ${printable(f.path) || "(root)"} ${printable(f.message)}${f.keyword ? ` [${f.keyword}]` : ""}${at}: ${f.frames} frame${f.frames === 1 ? "" : "s"}, ${where}`,
    `       e.g. ${f.evidence.scenario} ${frameLine(f.evidence).trim()}`,
  ];
}

/** The closing summary: a table by rule, wire-format findings, totals, stale baseline entries and the verdict. */
export function formatSummary(result: RunResult, options: PrettyOptions = {}): string {
  const paint = painter(options.color ?? false);
  const mode = result.mode === "real-time" ? `, real time, TTL ${seconds(result.ttlMs)}` : "";
  const target = result.urls ? `the cluster ${result.urls.join(" + ")}` : result.url;
  const lines: string[] = ["", `Conformance of ${target} (binding ${result.binding}${result.strict ? ", strict" : ""}${mode}), by rule:`];
  lines.push(`  ${"rule".padEnd(5)} ${"passed".padStart(6)} ${"failed".padStart(6)} ${"warn".padStart(5)} ${"skip".padStart(5)} ${"known".padStart(5)}  name`);
  // A run that could not start checked nothing: no table of rules that were all skipped. A run the
  // gateway stopped by refusing connections (ScenarioResult.refused) shows what ran before.
  const notStarted = result.error !== undefined && !result.scenarios.some((s) => s.refused);
  if (notStarted) lines.splice(1, 2, `Conformance of ${target} (binding ${result.binding}${mode}): nothing was checked.`);
  // Stopped by refusals: the table counts what ran and the probe's checks, as the Scenarios line does;
  // the scenarios not run are not "skipped" (byRule counts them as notRun), and a rule only they cite has no row.
  const stopped = !notStarted && result.error !== undefined;
  const byRule = result.byRule;
  const checked = (s: RuleSummary) => s.passed + s.failed + s.warnings + s.skipped + s.knownFailures > 0 || !s.notRun;
  const ids = notStarted ? [] : Object.keys(byRule).filter((id) => checked(byRule[id as keyof typeof byRule]!)).sort((a, b) => (RULE_ORDER.get(a as never) ?? 99) - (RULE_ORDER.get(b as never) ?? 99));
  if (stopped && notRunForRefusals(result.scenarios).size === result.scenarios.length) lines.push("  (no scenario ran: the rows below are the probe's checks alone)");
  for (const id of ids) {
    const s = byRule[id as keyof typeof byRule]!;
    const name = RULES.find((r) => r.id === id);
    const unit = id === "W1" || id === "W2" ? " (finding kinds)" : "";
    const row = `  ${id.padEnd(5)} ${String(s.passed).padStart(6)} ${String(s.failed).padStart(6)} ${String(s.warnings).padStart(5)} ${String(s.skipped).padStart(5)} ${String(s.knownFailures).padStart(5)}  ${name ? `${name.level} ${name.name}${unit}` : ""}`;
    lines.push(s.failed ? paint(31, row) : s.warnings ? paint(33, row) : row);
  }
  if (result.wireFindings.length) {
    lines.push("", "Wire format (SPEC §11), once per kind; it does not change any scenario's verdict:");
    for (const f of result.wireFindings) lines.push(...findingLines(f).map((l) => (f.status === "failed" ? paint(31, l) : paint(33, l))));
  }
  // Found over the whole run, after the probe's lines were printed: said here, where the verdict points.
  const early = result.probe.result?.checks.find((c) => c.id === EARLY_PUSH_CHECK && c.status === "failed" && !c.baselined);
  if (early) lines.push("", "Pushed before hello-ok (a check of the run; it does not change those scenarios' verdicts):", paint(31, checkLines(early, 4).join("\n")));
  const t = result.summary;
  const adapted = result.scenarios.filter((s) => s.adaptations?.some((a) => !isBindingAdaptation(a))).length;
  const bindingOnly = result.scenarios.filter((s) => s.adaptations?.length && s.adaptations.every(isBindingAdaptation)).length;
  const na = t.notApplicable ? `, ${t.notApplicable} not applicable (opt-in extensions the gateway does not offer)` : "";
  // A run that could not start ran none: its scenarios are "skipped" in the data, not in words.
  const stoppedText = () => stoppedByRefusalsLine(result);
  if (!notStarted && result.error && options.runErrorShown) lines.push("", `${stoppedText()} (the run error is above; ${seconds(result.durationMs)})`);
  else if (!notStarted && result.error) lines.push("", paint(31, `Run error: ${printable(result.error)}`), `${stoppedText()} (run error above; ${seconds(result.durationMs)})`);
  else if (result.error && options.runErrorShown) lines.push("", `Scenarios: none ran (the run error is above; ${seconds(result.durationMs)})`);
  else if (result.error) lines.push("", paint(31, `Run error: ${printable(result.error)}`), `Scenarios: none ran (run error above; ${seconds(result.durationMs)})`);
  else lines.push("", `Scenarios: ${t.total} — ${t.passed} passed, ${t.failed} failed, ${t.warnings} with warnings, ${t.skipped} skipped${na}, ${t.knownFailures} known failures (${seconds(result.durationMs)})`);
  if (t.refusalsWaitedOut) lines.push(refusalsWaitedOutLine(t.refusalsWaitedOut));
  if (result.needsSlow) lines.push(needsSlowLine(result.needsSlow));
  if (adapted) lines.push(`Adapted: ${adapted} scenario${adapted === 1 ? "" : "s"} sent more than SPEC asks, because the gateway needs it (listed per scenario and actor)`);
  if (bindingOnly) {
    const scenarios = `${bindingOnly} scenario${bindingOnly === 1 ? "" : "s"}`;
    lines.push(`Translated by the ${result.binding} binding only: ${scenarios} (client ids, default scopes sent explicitly, device signing; nothing the gateway asked for)`);
  }
  if (!result.error) lines.push(`Wire format: ${t.wireFailures} failing finding kind${t.wireFailures === 1 ? "" : "s"} (W1${result.strict ? ", W2" : ""}), ${t.wireWarnings} warning${t.wireWarnings === 1 ? "" : "s"} (W2)`);
  for (const entry of t.staleBaseline) lines.push(paint(31, `Stale baseline entry: ${entry} — remove it from the expected-failures file`));
  lines.push(result.ok ? paint(32, `PASS: no MUST rule fails${t.wireWarnings ? " (wire-format warnings above)" : ""}`) : paint(31, `FAIL: ${failureReason(result)}`));
  return `${lines.join("\n")}\n`;
}

/**
 * What a run error says happened, in the verdict's words, from the probe's message (probe.ts): the
 * gateway refused the connect; the socket opened but the handshake got no answer (the gateway was
 * reached); it spoke the other binding; the port accepted TCP but the WebSocket upgrade never
 * completed; nothing listens there (refused); or it could not be reached otherwise (a DNS name, a route).
 */
function runErrorVerdict(error: string, binding: string): string {
  // Several gateways that were reached but are not one cluster (run/shared-list.ts).
  if (/^the gateways do not share one presence list/.test(error)) return "the gateways given do not share one presence list";
  if (/^could not check that the gateways share one presence list/.test(error)) return "the gateways could not be checked for one shared presence list";
  if (/^probe connect refused/.test(error)) return "the gateway refused the probe connection";
  if (/^probe connect failed: no handshake with the gateway/.test(error)) return "the gateway was reached but did not answer the probe's connect";
  // The probe's hint names --binding when the gateway spoke, or may speak, the other binding: it was reached.
  if (/--binding/.test(error)) return `the probe could not connect with the ${binding} binding`;
  if (/: E[A-Z_]+ \((no TLS there|the gateway's TLS)/.test(error)) return "the TLS connection to the gateway failed";
  if (/: not open within \d+ ms/.test(error)) return "something accepted the connection but never completed the WebSocket upgrade";
  const status = /the gateway refused the WebSocket upgrade: HTTP (\d+)/.exec(error)?.[1];
  if (status === "429" || status === "503") return `the gateway refused new connections (HTTP ${status})`;
  // 401, 403, 404: what the status means, as list says it (REFUSALS_FOR_A_PERSON), up to its advice.
  const meaning = /^[^:?]*\??/.exec(upgradeRefusalMeaning(Number(status)) ?? "")?.[0];
  if (meaning) return `the gateway refused the WebSocket upgrade (HTTP ${status}: ${meaning})`;
  if (status || /Unexpected server response: \d+/.test(error)) return "the server there answered the WebSocket upgrade with an HTTP error";
  if (/ECONNREFUSED/.test(error)) return `the gateway could not be reached (${NOTHING_LISTENS})`;
  return "the gateway could not be reached";
}

/**
 * What a refused upgrade's status means, for a person: list's words for 401, 403 and 404
 * (REFUSALS_FOR_A_PERSON), and conform's for 400: a 400 to the harness's well-formed upgrade is most
 * likely a server that takes WebSockets on one path only (the ws package's `path` option answers 400
 * to every other path). Undefined for any other status.
 */
export function upgradeRefusalMeaning(status: number): string | undefined {
  if (status === 400) return "wrong path? a WebSocket server that serves one path answers 400 to an upgrade on any other (the ws package's path option does); check the path in --url";
  return REFUSALS_FOR_A_PERSON[status];
}

/** Why a run failed, for the last line: no scenario ran, behaviour, wire format, or a stale baseline. */
function failureReason(result: RunResult): string {
  if (result.error && result.scenarios.some((s) => s.refused)) {
    const notRun = notRunForRefusals(result.scenarios).size;
    return `the gateway ${whyStopped(result.scenarios)}, so ${notRun} of the ${result.scenarios.length} scenarios did not run (see the run error above)`;
  }
  if (result.error) {
    return `${runErrorVerdict(result.error, result.binding)}, so no scenario ran (see the run error above)`;
  }
  const t = result.summary;
  const parts: string[] = [];
  const noPass = result.scenarios.filter((s) => s.noCheckPassed).length;
  // A scenario with only SHOULD warnings fails when none of its checks passed: say so, or the reader looks for a MUST.
  // Not "with warnings": the totals above count scenarios that passed with warnings, which these are not.
  // Said in the sentence, not in parentheses: the line already ends with "(see above)".
  const noPassText =
    noPass === 0 ? "" : noPass === t.failed ? `, ${noPass === 1 ? "where" : "in each"} only SHOULD checks failed and none passed` : `, ${noPass} of them because only SHOULD checks failed and none passed`;
  if (t.failed) parts.push(`behaviour: ${t.failed} scenario${t.failed === 1 ? "" : "s"} failed${noPassText}`);
  if (t.probeFailures) parts.push(`the probe: ${probeFindings(result)}`);
  if (t.wireFailures) parts.push(`wire format: ${t.wireFailures} finding kind${t.wireFailures === 1 ? "" : "s"}`);
  if (t.staleBaseline.length) parts.push("the expected-failures baseline is stale");
  return `${parts.join("; ")} (see above)`;
}

/** What the probe's failed checks found: `1 advertised/working mismatch`, `events pushed before hello-ok`, or both. */
function probeFindings(result: RunResult): string {
  const failed = (result.probe.result?.checks ?? []).filter((c) => c.status === "failed" && !c.baselined);
  const mismatches = failed.filter((c) => c.id.startsWith("advertises-")).length;
  const found = [
    ...(mismatches ? [`${mismatches} advertised/working mismatch${mismatches === 1 ? "" : "es"}`] : []),
    ...(failed.some((c) => c.id.startsWith("no-push-before-hello-ok")) ? ["events pushed before hello-ok"] : []),
  ];
  return found.join(" and ") || `${failed.length} failed check${failed.length === 1 ? "" : "s"}`;
}

/** `Refused upgrades: the gateway refused 40 WebSocket upgrades (HTTP 503); each was waited out ...`: said only when some were (RunSummary.refusalsWaitedOut). */
function refusalsWaitedOutLine(byStatus: Record<string, number>): string {
  const counts = Object.entries(byStatus);
  const n = counts.reduce((sum, [, count]) => sum + count, 0);
  const statuses = counts.length === 1 ? `HTTP ${counts[0]![0]}` : counts.map(([status, count]) => `HTTP ${status}: ${count}`).join(", ");
  return `Refused upgrades: the gateway refused ${n} WebSocket upgrade${n === 1 ? "" : "s"} (${statuses}); each was waited out (its Retry-After, else 0.5 s) and tried again`;
}
