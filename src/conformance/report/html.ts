/**
 * A self-contained HTML report (no external assets, no script): the summary by rule, then every
 * scenario with its checks and its wire log. Everything that came from the gateway is escaped.
 */
import { isBindingAdaptation, type Adaptation, type CheckResult, type RunResult, type ScenarioResult, type WireFinding, type WireRecord } from "./results.js";
import { findingWhere } from "./finding-words.js";
import { RULE_ORDER, RULES } from "../scenario/rules.js";
import { needsSlowLine, noCheckPassedNote, notRunForRefusals, stoppedByRefusalsLine } from "./summary.js";

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const e = escapeHtml;
const json = (value: unknown) => e(JSON.stringify(value, null, 2) ?? "undefined");

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
.passed{color:#1a7f37}.failed{color:#cf222e}.warning{color:#9a6700}.skipped{color:#6e7781}
details{margin:.4em 0;border:1px solid #ddd;padding:.3em .6em}summary{cursor:pointer}
pre{margin:0;white-space:pre-wrap;word-break:break-all;font-size:12px}
.wire td{font-family:ui-monospace,monospace;font-size:12px}.send{background:#f0f6ff}.recv{background:#f6fff0}.meta{color:#6e7781}
`;

function wireTable(records: WireRecord[], omitted: number): string {
  if (records.length === 0) return "<p>No frames.</p>";
  const rows = records.map(
    (r) => `<tr class="${e(r.dir)}"><td>${r.t}</td><td>${e(r.actor)}</td><td>${e(r.dir)}</td><td><pre>${e(r.text)}</pre>${r.bytes ? `<small>(${r.bytes} bytes, cut)</small>` : ""}</td></tr>`,
  );
  const more = omitted ? `<p>${omitted} more frames not kept.</p>` : "";
  return `<table class="wire"><tr><th>ms</th><th>actor</th><th>dir</th><th>frame</th></tr>${rows.join("")}</table>${more}`;
}

function checkRow(c: CheckResult): string {
  const evidence = [
    c.message ? `<pre>${e(c.message)}</pre>` : "",
    c.expected !== undefined ? `<details><summary>expected</summary><pre>${json(c.expected)}</pre></details>` : "",
    c.actual !== undefined ? `<details><summary>actual</summary><pre>${json(c.actual)}</pre></details>` : "",
    c.frames?.length ? `<details><summary>frames</summary>${wireTable(c.frames, 0)}</details>` : "",
    c.unrelated ? `<details><summary>unrelated traffic (not judged)</summary><p>${e(c.unrelated.note)}</p>${wireTable(c.unrelated.frames, 0)}</details>` : "",
  ].join("");
  const status = c.baselined ? `${c.status} (known)` : c.status;
  return `<tr><td class="${e(c.status)}">${e(status)}</td><td>${e(c.id)}</td><td>${e(c.level)} ${e(c.rules.join(", "))}</td><td>${e(c.title)}${evidence}</td></tr>`;
}

function adaptationTable(adaptations: Adaptation[] | undefined): string {
  if (!adaptations?.length) return "";
  const rows = adaptations.map((a) => `<tr><td>${e(a.actor)}</td><td>${e(a.step ?? "connect")}</td><td>${e(a.change)}</td><td>${e(a.reason)}</td></tr>`);
  const why = adaptations.every(isBindingAdaptation) ? "the binding's own translation on every connect" : "sent more than SPEC asks, because the gateway needs it";
  return `<details open><summary>adapted (${adaptations.length}): ${why}</summary><table><tr><th>actor</th><th>step</th><th>change</th><th>why</th></tr>${rows.join("")}</table></details>`;
}

function findingRow(f: WireFinding): string {
  const also = f.paths.filter((p) => p !== f.path);
  return `<tr id="${e(f.id)}"><td class="${e(f.status)}">${e(f.rule)} ${e(f.status)}</td><td><code>${e(f.path || "(root)")}</code>${also.length ? `<br><small>also ${e(also.join(", "))}</small>` : ""}</td><td>${e(f.message)}${f.keyword ? ` <small>[${e(f.keyword)}]</small>` : ""}<br><small>${e(f.schemas.join(", "))}</small></td><td>${f.frames}</td><td>${findingWhere(f, (ids) => ids.map((id) => `<a href="#${e(id)}">${e(id)}</a>`).join(", "))}</td><td><details><summary>received in ${e(f.evidence.scenario)}</summary>${wireTable([f.evidence], 0)}</details></td></tr>`;
}

function wireFindingsSection(findings: WireFinding[]): string {
  if (findings.length === 0) return "<h2>Wire format (SPEC §11)</h2><p class=\"passed\">No finding: every frame validates against its schema and carries no field beyond the contract.</p>";
  return `<h2>Wire format (SPEC §11)</h2><p>Each kind once; a finding never changes a scenario's verdict.</p><table><tr><th>rule</th><th>path</th><th>what</th><th>frames</th><th>from</th><th>evidence</th></tr>${findings.map(findingRow).join("")}</table>`;
}

/** `notRun`: not run because the gateway refused new connections (notRunForRefusals), said so instead of "skipped". */
function scenarioSection(s: ScenarioResult, notRun = false): string {
  const open = s.status === "failed" ? " open" : "";
  const status = notRun ? "not run" : s.status;
  const head = `<summary><span class="${e(s.status)}">${e(status)}${s.baselined ? " (known failure)" : ""}</span> <b>${e(s.id)}</b> ${e(s.title)} <small>[${e(s.level)} ${e(s.rules.join(", "))}] ${s.durationMs} ms</small></summary>`;
  if (notRun) return `<details>${head}<p>Not run: ${e((s.reason ?? "").replace(/^not run: /, ""))}</p></details>`;
  if (s.status === "skipped") return `<details>${head}<p>${s.notApplicable ? "Not applicable" : "Skipped"}: ${e(s.reason ?? "")}</p></details>`;
  const checks = `<table><tr><th>status</th><th>check</th><th>rule</th><th>what</th></tr>${s.checks.map(checkRow).join("")}</table>`;
  const noPass = s.noCheckPassed ? `<p class="failed">Failed: ${e(noCheckPassedNote(s))}; a scenario that shows nothing working is not a pass.</p>` : "";
  return `<details${open} id="${e(s.id)}">${head}${noPass}${s.source ? `<p><small>${e(s.source)}</small></p>` : ""}${adaptationTable(s.adaptations)}${checks}<details><summary>wire log (${s.wire.length} frames)</summary>${wireTable(s.wire, s.wireOmitted)}</details></details>`;
}

export function formatHtml(result: RunResult): string {
  const t = result.summary;
  // A run stopped by refused connections: its scenarios not run are counted apart (byRule notRun, a column of its own).
  const notRun = notRunForRefusals(result.scenarios);
  const notRunColumn = Object.values(result.byRule).some((s) => s?.notRun);
  const ruleIds = Object.keys(result.byRule).sort((a, b) => (RULE_ORDER.get(a as never) ?? 99) - (RULE_ORDER.get(b as never) ?? 99));
  const ruleRows = ruleIds.map((id) => {
    const s = result.byRule[id as keyof typeof result.byRule]!;
    const info = RULES.find((r) => r.id === id);
    const cls = s.failed ? "failed" : s.warnings ? "warning" : "passed";
    return `<tr class="${cls}" id="rule-${e(id)}"><td>${e(id)}</td><td>${e(info ? `${info.level} ${info.name}` : "")}</td><td>${s.passed}</td><td>${s.failed}</td><td>${s.warnings}</td><td>${s.skipped}</td><td>${s.knownFailures}</td>${notRunColumn ? `<td>${s.notRun ?? 0}</td>` : ""}</tr>`;
  });
  const stale = t.staleBaseline.map((s) => `<li class="failed">stale baseline entry: ${e(s)}</li>`).join("");
  const missing = Object.entries(result.missingCapabilities).map(([c, why]) => `<li>${e(c)}: ${e(why ?? "")}</li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conformance: ${e(result.url)}</title><style>${STYLE}</style></head>
<body>
<h1>Gateway presence conformance: <span class="${result.ok ? "passed" : "failed"}">${result.ok ? "PASS" : "FAIL"}</span></h1>
<p>${e(result.urls ? result.urls.join(" + ") : result.url)} · binding ${e(result.binding)}${result.probe.serverVersion ? ` · server ${e(result.probe.serverVersion)}` : ""}${result.strict ? " · strict" : ""}${result.mode === "real-time" ? ` · real time, TTL ${(result.ttlMs / 1000).toFixed(0)} s` : ""} · ${e(result.startedAt)} · ${(result.durationMs / 1000).toFixed(1)} s</p>
${result.error ? `<p class="failed">Run error: ${e(result.error)}</p>` : ""}
<p>${notRun.size ? `${e(stoppedByRefusalsLine(result))} (the run error is above)` : `${t.total} scenarios: ${t.passed} passed, ${t.failed} failed, ${t.warnings} with warnings, ${t.skipped} skipped${t.notApplicable ? `, ${t.notApplicable} not applicable (opt-in extensions not offered)` : ""}, ${t.knownFailures} known failures`}. Wire format: ${t.wireFailures} failing, ${t.wireWarnings} warning finding kinds.</p>
${result.needsSlow ? `<p>${e(needsSlowLine(result.needsSlow))}</p>` : ""}
${result.probe.attempts > 1 ? `<p>The gateway was ready after ${(result.probe.waitedMs / 1000).toFixed(1)} s (${result.probe.attempts} attempts).</p>` : ""}
${result.probe.needs.length ? `<p>The gateway needs more than SPEC asks (learned by the probe; steps adapted, see each scenario):</p><ul>${result.probe.needs.map((n) => `<li>${e(n)}</li>`).join("")}</ul>` : ""}
<ul>${stale}</ul>
<p>Capabilities: ${e(result.capabilities.join(", "))}</p><ul>${missing}</ul>
<h2>By rule</h2>
<table><tr><th>rule</th><th></th><th>passed</th><th>failed</th><th>warnings</th><th>skipped</th><th>known</th>${notRunColumn ? "<th>not run</th>" : ""}</tr>${ruleRows.join("")}</table>
${wireFindingsSection(result.wireFindings)}
<h2>Scenarios</h2>
${[...(result.probe.result ? [result.probe.result] : []), ...result.scenarios].map((s) => scenarioSection(s, notRun.has(s))).join("\n")}
</body></html>
`;
}
