/**
 * JUnit XML for CI: one testcase per scenario (classname `conformance.<first rule>`), the probe first.
 * Failures are <failure>, skipped scenarios and known failures <skipped>, warnings go to <system-out>
 * (a scenario with only SHOULD warnings and no passed check is a <failure> listing them: noCheckPassed).
 * Each wire-format finding kind is a testcase of class `conformance.W1` / `conformance.W2` (a failure,
 * or its warning in <system-out>). A stale baseline entry or a run error is a failing testcase of its own.
 */
import { type RunResult, type ScenarioResult, type WireFinding } from "./results.js";
import { findingWhere } from "./finding-words.js";
import { noCheckPassedNote } from "./summary.js";

export function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry at all are replaced; the rest is escaped.
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function details(s: ScenarioResult, statuses: string[]): string {
  return s.checks
    .filter((c) => statuses.includes(c.status))
    .map((c) => {
      const parts = [`${c.id} [${c.level} ${c.rules.join(",")}] ${c.title}`, `  ${c.message ?? ""}`];
      if (c.expected !== undefined) parts.push(`  expected: ${JSON.stringify(c.expected)}`);
      if (c.actual !== undefined) parts.push(`  actual: ${JSON.stringify(c.actual)}`);
      for (const f of c.frames ?? []) parts.push(`  ${f.t} ms ${f.actor} ${f.dir}: ${f.text}`);
      return parts.join("\n");
    })
    .join("\n\n");
}

function testcase(s: ScenarioResult): string {
  const open = `    <testcase classname="conformance.${escapeXml(s.rules[0] ?? "misc")}" name="${escapeXml(`${s.id}: ${s.title}`)}" time="${seconds(s.durationMs)}">`;
  const body: string[] = [];
  if (s.status === "skipped") body.push(`      <skipped message="${escapeXml(s.reason ?? "skipped")}"/>`);
  else if (s.noCheckPassed) {
    // Only SHOULD warnings, and nothing passed: a failure whose details are those warnings.
    body.push(`      <failure message="${escapeXml(noCheckPassedNote(s))}" type="SHOULD">${escapeXml(details(s, ["warning"]))}</failure>`);
  } else if (s.status === "failed") {
    const first = s.checks.find((c) => c.status === "failed" && !c.baselined);
    body.push(`      <failure message="${escapeXml(`${first?.id}: ${first?.message ?? ""}`)}" type="${escapeXml(first?.level ?? "MUST")}">${escapeXml(details(s, ["failed"]))}</failure>`);
  } else if (s.baselined) {
    body.push(`      <skipped message="known failure (expected-failures baseline)"/>`);
  }
  const warnings = s.noCheckPassed ? "" : details(s, ["warning"]);
  if (warnings) body.push(`      <system-out>${escapeXml(`WARNING (SHOULD):\n${warnings}`)}</system-out>`);
  return body.length ? `${open}\n${body.join("\n")}\n    </testcase>` : `${open}</testcase>`;
}

/** A wire-format finding kind: a failing testcase (W1, or W2 when strict) or one with the warning in system-out. */
function findingCase(f: WireFinding): string {
  const open = `    <testcase classname="conformance.${f.rule}" name="${escapeXml(`${f.path || "(root)"} ${f.message}`)}" time="0">`;
  const text = `${f.frames} frame${f.frames === 1 ? "" : "s"}, ${findingWhere(f)}\n  e.g. ${f.evidence.scenario} ${f.evidence.actor} ${f.evidence.dir}: ${f.evidence.text}`;
  if (f.status === "failed") return `${open}\n      <failure message="${escapeXml(`${f.rule}: ${f.path} ${f.message}`)}" type="${f.level}">${escapeXml(text)}</failure>\n    </testcase>`;
  return `${open}\n      <system-out>${escapeXml(`WARNING (${f.rule}, SHOULD):\n${text}`)}</system-out>\n    </testcase>`;
}

export function formatJUnit(result: RunResult): string {
  const scenarios = result.probe.result ? [result.probe.result, ...result.scenarios] : result.scenarios;
  const cases = [...scenarios.map(testcase), ...result.wireFindings.map(findingCase)];
  let failures = scenarios.filter((s) => s.status === "failed").length + result.wireFindings.filter((f) => f.status === "failed").length;
  const skipped = scenarios.filter((s) => s.status === "skipped" || (s.status !== "failed" && s.baselined)).length;
  for (const entry of result.summary.staleBaseline) {
    failures++;
    cases.push(`    <testcase classname="conformance.baseline" name="${escapeXml(`stale baseline entry ${entry}`)}" time="0"><failure message="${escapeXml(`remove ${entry} from the expected-failures file`)}" type="baseline"/></testcase>`);
  }
  if (result.error) {
    failures++;
    cases.push(`    <testcase classname="conformance.run" name="probe" time="0"><failure message="${escapeXml(result.error)}" type="run"/></testcase>`);
  }
  const tests = cases.length;
  const attrs = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(result.durationMs)}"`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="gateway-presence conformance" ${attrs}>`,
    `  <testsuite name="${escapeXml(`conformance ${result.url} (${result.binding})`)}" ${attrs} timestamp="${escapeXml(result.startedAt)}">`,
    `    <properties>`,
    `      <property name="url" value="${escapeXml(result.url)}"/>`,
    ...(result.urls ?? []).map((url) => `      <property name="gateway" value="${escapeXml(url)}"/>`),
    `      <property name="binding" value="${escapeXml(result.binding)}"/>`,
    `      <property name="strict" value="${result.strict}"/>`,
    `      <property name="capabilities" value="${escapeXml(result.capabilities.join(","))}"/>`,
    `    </properties>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}
