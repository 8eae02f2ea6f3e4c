// Turns a conformance run against a gateway (an OpenClaw peer, or the reference gateway) into the
// committed reports: secrets redacted, OpenClaw's bulky non-presence payloads abbreviated, then JSON +
// HTML, and a Markdown summary by rule.
import { type RunResult, type ScenarioResult } from "../../src/conformance/report/results.js";
import { findingWhere, scenarioCount } from "../../src/conformance/report/finding-words.js";
import { formatHtml } from "../../src/conformance/report/formats.js";
import { needsSlowLine } from "../../src/conformance/report/summary.js";
import { redactText, redactValue } from "../../src/transport/redact.js";
import { RULE_ORDER } from "../../src/conformance/scenario/rules.js";

/** Longest frame text and most frames per scenario log kept in a committed report. */
const MAX_TEXT_CHARS = 2000;
const MAX_WIRE_RECORDS = 100;
const MAX_MESSAGE_CHARS = 1500;

/** Events whose payloads stay in the report; others (health, sessions.changed, ...) are abbreviated. */
const KEPT_EVENTS = new Set(["presence", "tick", "connect.challenge"]);
const HELLO_KEYS = new Set(["type", "protocol", "server", "features", "snapshot", "policy", "auth"]);

function compactHello(hello: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(hello)) {
    if (!HELLO_KEYS.has(key)) out[key] = "<omitted: not presence>";
    else if (key === "features") out[key] = Object.fromEntries(Object.entries(value ?? {}).map(([k, v]) => [k, Array.isArray(v) && v.length > 12 ? [`<${v.length} entries omitted>`, ...(k === "methods" || k === "events" ? (v as string[]).filter((m) => /presence|system-event|tick|test\.clock/.test(m)) : [])] : v]));
    else if (key === "snapshot") out[key] = { presence: value?.presence, stateVersion: value?.stateVersion, uptimeMs: value?.uptimeMs, ...(Object.keys(value ?? {}).length > 3 ? { others: "<omitted: not presence>" } : {}) };
    else out[key] = value;
  }
  return out;
}

/**
 * One wire text, redacted, with non-presence bulk abbreviated (the frame stays recognisable). A frame
 * that needs neither abbreviating nor a secret-named field blanked keeps its text as written: written
 * again from JSON.parse, `"id":-0` or `"id":1e-400` would read `"id":0` and `"id":1e400` `"id":null`,
 * and the report would show a different frame from the one its check judged (b1-request-ids).
 */
export function compactFrameText(text: string): string {
  let frame: any;
  const cut = (out: string) => (out.length <= MAX_TEXT_CHARS ? out : `${out.slice(0, MAX_TEXT_CHARS)}… (cut for the report)`);
  try {
    frame = JSON.parse(text);
  } catch {
    // Already cut by the harness: keep the start.
    return cut(redactText(text));
  }
  const parsed = frame;
  if (frame?.type === "event" && !KEPT_EVENTS.has(frame.event)) frame = { ...frame, payload: "<omitted: not presence>" };
  if (frame?.type === "res" && frame.payload?.type === "hello-ok") frame = { ...frame, payload: compactHello(frame.payload) };
  if (frame?.result?.type === "hello-ok") frame = { ...frame, result: compactHello(frame.result) };
  const compact = JSON.stringify(redactValue(frame));
  return cut(frame === parsed && compact === JSON.stringify(parsed) ? redactText(text) : compact);
}

/** Largest expected/actual value kept as is in a committed report (the frames hold the full answer). */
const MAX_VALUE_CHARS = 2000;

/** The run-tagged names a scenario sent (`<run>-p5-tunnel`): its own rows carry them. */
function scenarioTags(s: ScenarioResult): string[] {
  const tags = new Set<string>();
  for (const w of s.wire) if (w.dir === "send") for (const m of w.text.matchAll(/\b[0-9a-f]{8}-[a-z0-9][a-z0-9-]*/gi)) tags.add(m[0].toLowerCase());
  return [...tags];
}

/**
 * A value kept whole when small. A long listing keeps the self row and the scenario's own rows (those
 * carrying a name it sent), so the rows a check is about stay in the committed report; the rest is counted.
 */
function capValue(value: unknown, tags: string[]): unknown {
  const text = JSON.stringify(value) ?? "";
  if (text.length <= MAX_VALUE_CHARS) return value;
  if (Array.isArray(value) && value.every((r) => r !== null && typeof r === "object")) {
    const own = (row: Record<string, unknown>) => row.reason === "self" || tags.some((t) => JSON.stringify(row).toLowerCase().includes(t));
    const kept = (value as Record<string, unknown>[]).filter(own).map((row) => (JSON.stringify(row).length > MAX_VALUE_CHARS ? capValue(row, []) : row));
    const left = value.length - kept.length;
    return left ? [...kept, `<${left} rows of other scenarios omitted>`] : kept;
  }
  return `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters, cut for the report)`;
}

function compactScenario(s: ScenarioResult): void {
  const tags = scenarioTags(s);
  if (s.wire.length > MAX_WIRE_RECORDS) {
    s.wireOmitted += s.wire.length - MAX_WIRE_RECORDS;
    s.wire = s.wire.slice(0, MAX_WIRE_RECORDS);
  }
  for (const w of s.wire) w.text = compactFrameText(w.text);
  for (const c of s.checks) {
    for (const f of c.frames ?? []) f.text = compactFrameText(f.text);
    if (c.message && c.message.length > MAX_MESSAGE_CHARS) c.message = `${c.message.slice(0, MAX_MESSAGE_CHARS)}… (${c.message.length} characters, cut for the report)`;
    if (c.expected !== undefined) c.expected = capValue(c.expected, tags);
    if (c.actual !== undefined) c.actual = capValue(c.actual, tags);
  }
}

/** A redacted, compacted copy of a run; `secrets` are literal values to blank anywhere. */
export function sanitizeRun(run: RunResult, secrets: string[]): RunResult {
  const copy = structuredClone(run);
  for (const s of copy.scenarios) compactScenario(s);
  if (copy.probe?.result) compactScenario(copy.probe.result);
  for (const f of copy.wireFindings ?? []) f.evidence.text = compactFrameText(f.evidence.text);
  let text = JSON.stringify(redactValue(copy));
  for (const secret of secrets) if (secret) text = text.split(secret).join("<REDACTED>");
  return JSON.parse(text) as RunResult;
}

export function htmlReport(run: RunResult): string {
  return formatHtml(run);
}

const oneLine = (text: string, max: number) => text.replace(/\s+/g, " ").slice(0, max);

/** A short Markdown summary: the probe, behaviour failures (first three per scenario), wire findings once, adaptations, skips. */
export function markdownSummary(title: string, run: RunResult, notes: string[]): string {
  const lines = [`# ${title}`, "", ...notes.map((n) => `- ${n}`), ""];
  const s = run.summary;
  const na = s.notApplicable ? `, ${s.notApplicable} not applicable` : "";
  lines.push(`Scenarios: ${s.total} (${s.passed} passed, ${s.failed} failed, ${s.warnings} with warnings, ${s.skipped} skipped${na}), ${Math.round(run.durationMs / 100) / 10} s. Wire format: ${s.wireFailures} failing, ${s.wireWarnings} warning finding kinds.`, "");
  if (run.probe.attempts > 1) lines.push(`The gateway was ready after ${(run.probe.waitedMs / 1000).toFixed(1)} s (${run.probe.attempts} connect attempts).`, "");
  if (run.probe.needs.length) lines.push("What the gateway needs beyond SPEC (learned by the probe; steps adapted, listed below):", "", ...run.probe.needs.map((n) => `- ${n}`), "");
  lines.push("| rule | passed | failed | warnings | skipped |", "| --- | ---: | ---: | ---: | ---: |");
  const byOrder = Object.entries(run.byRule).sort(([a], [b]) => (RULE_ORDER.get(a as never) ?? 99) - (RULE_ORDER.get(b as never) ?? 99));
  for (const [rule, r] of byOrder) lines.push(`| ${rule} | ${r!.passed} | ${r!.failed} | ${r!.warnings} | ${r!.skipped} |`);
  lines.push("", "## Behaviour failures and warnings (first three checks per scenario)", "");
  for (const sc of [...(run.probe.result ? [run.probe.result] : []), ...run.scenarios]) {
    const failed = sc.checks.filter((c) => c.status !== "passed");
    if (failed.length === 0) continue;
    lines.push(`- \`${sc.id}\` (${sc.rules.join(", ")}, ${sc.status}${sc.noCheckPassed ? ": no check passed" : ""}):`);
    for (const c of failed.slice(0, 3)) lines.push(`  - \`${c.id}\`: ${oneLine(c.message ?? "", 280)}`);
  }
  lines.push("", "## Wire format (SPEC §11), once per kind", "");
  if (run.wireFindings.length === 0) lines.push("No finding.");
  for (const f of run.wireFindings) lines.push(`- ${f.rule} ${f.status}: \`${f.path}\` ${f.message}${f.keyword ? ` [${f.keyword}]` : ""}: ${f.frames} frame${f.frames === 1 ? "" : "s"}, ${findingWhere(f, (ids) => `${scenarioCount(ids)} (${ids.slice(0, 6).join(", ")}${ids.length > 6 ? ", …" : ""})`)}`);
  const adapted = run.scenarios.filter((sc) => sc.adaptations?.length);
  lines.push("", `## Adapted (${adapted.length} scenarios)`, "", "Changes the harness or the binding made so the gateway could take part, per scenario and actor (binding changes such as client-id mapping and signing are listed once per actor):", "");
  for (const sc of adapted) {
    const own = sc.adaptations!.filter((a) => !a.change.startsWith(`${run.binding} binding:`));
    const binding = sc.adaptations!.length - own.length;
    lines.push(`- \`${sc.id}\`: ${own.map((a) => `${a.actor}${a.step ? ` (${a.step})` : ""}: ${a.change}`).join("; ") || "(binding only)"}${binding ? ` (+${binding} binding changes)` : ""}`);
  }
  lines.push("", "## Skipped", "");
  for (const sc of run.scenarios.filter((x) => x.status === "skipped" && !x.notApplicable)) lines.push(`- \`${sc.id}\`: ${sc.reason ?? ""}`);
  if (run.needsSlow) lines.push("", needsSlowLine(run.needsSlow));
  const notApplicable = run.scenarios.filter((x) => x.notApplicable);
  if (notApplicable.length) {
    lines.push("", "## Not applicable (opt-in extensions the gateway does not offer)", "");
    for (const sc of notApplicable) lines.push(`- \`${sc.id}\` (${sc.rules.join(", ")}): ${sc.reason ?? ""}`);
  }
  if (Object.keys(run.missingCapabilities).length) {
    lines.push("", "## Missing capabilities", "");
    for (const [cap, why] of Object.entries(run.missingCapabilities)) lines.push(`- ${cap}: ${why}`);
  }
  return `${lines.join("\n")}\n`;
}
