// Turns a conformance run against an OpenClaw peer into the committed reports: secrets redacted,
// OpenClaw's bulky non-presence payloads abbreviated, reasons for the binding's known limits filled
// in, then JSON + HTML, and a Markdown summary by rule.
import type { RunResult } from "../../src/conformance/report/results.js";
import { formatHtml } from "../../src/conformance/report/formats.js";
import { redactText, redactValue } from "../../src/conformance/report/redact.js";

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

/** One wire text, redacted, with non-presence bulk abbreviated (the frame stays recognisable). */
export function compactFrameText(text: string): string {
  let frame: any;
  try {
    frame = JSON.parse(text);
  } catch {
    // Already cut by the harness: keep the start.
    const redacted = redactText(text);
    return redacted.length <= MAX_TEXT_CHARS ? redacted : `${redacted.slice(0, MAX_TEXT_CHARS)}… (cut for the report)`;
  }
  if (frame?.type === "event" && !KEPT_EVENTS.has(frame.event)) frame = { ...frame, payload: "<omitted: not presence>" };
  if (frame?.type === "res" && frame.payload?.type === "hello-ok") frame = { ...frame, payload: compactHello(frame.payload) };
  if (frame?.result?.type === "hello-ok") frame = { ...frame, result: compactHello(frame.result) };
  const compact = JSON.stringify(redactValue(frame));
  return compact.length <= MAX_TEXT_CHARS ? compact : `${compact.slice(0, MAX_TEXT_CHARS)}… (cut for the report)`;
}

/** Largest expected/actual value kept as is in a committed report (the frames hold the full answer). */
const MAX_VALUE_CHARS = 2000;

function capValue(value: unknown): unknown {
  const text = JSON.stringify(value) ?? "";
  return text.length <= MAX_VALUE_CHARS ? value : `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters, cut for the report)`;
}

/** Redacts and compacts a run in place-free fashion; `secrets` are literal values to blank anywhere. */
export function sanitizeRun(run: RunResult, knownLimits: Readonly<Record<string, string>>, secrets: string[]): RunResult {
  const copy = structuredClone(run);
  for (const s of copy.scenarios) {
    if (s.wire.length > MAX_WIRE_RECORDS) {
      s.wireOmitted += s.wire.length - MAX_WIRE_RECORDS;
      s.wire = s.wire.slice(0, MAX_WIRE_RECORDS);
    }
    for (const w of s.wire) w.text = compactFrameText(w.text);
    for (const c of s.checks) {
      for (const f of c.frames ?? []) f.text = compactFrameText(f.text);
      if (c.message && c.message.length > MAX_MESSAGE_CHARS) c.message = `${c.message.slice(0, MAX_MESSAGE_CHARS)}… (${c.message.length} characters, cut for the report)`;
      if (c.expected !== undefined) c.expected = capValue(c.expected);
      if (c.actual !== undefined) c.actual = capValue(c.actual);
    }
    if (s.reason) s.reason = limitReason(s.reason, knownLimits);
  }
  let text = JSON.stringify(redactValue(copy));
  for (const secret of secrets) if (secret) text = text.split(secret).join("<REDACTED>");
  return JSON.parse(text) as RunResult;
}

/** "needs nodeRole" -> "needs nodeRole: OpenClaw admits ..." */
function limitReason(reason: string, knownLimits: Readonly<Record<string, string>>): string {
  const cap = /needs (\w+)/.exec(reason)?.[1];
  return cap && knownLimits[cap] && !reason.includes(knownLimits[cap]) ? `${reason}: ${knownLimits[cap]}` : reason;
}

export function htmlReport(run: RunResult): string {
  return formatHtml(run);
}

/** A short Markdown summary: failing rules with one example message each, skips with reasons. */
export function markdownSummary(title: string, run: RunResult, notes: string[]): string {
  const lines = [`# ${title}`, "", ...notes.map((n) => `- ${n}`), ""];
  const s = run.summary;
  lines.push(`Scenarios: ${s.total} (${s.passed} passed, ${s.failed} failed, ${s.warnings} with warnings, ${s.skipped} skipped), ${Math.round(run.durationMs / 100) / 10} s.`, "");
  lines.push("| rule | passed | failed | warnings | skipped |", "| --- | ---: | ---: | ---: | ---: |");
  for (const [rule, r] of Object.entries(run.byRule)) lines.push(`| ${rule} | ${r!.passed} | ${r!.failed} | ${r!.warnings} | ${r!.skipped} |`);
  // Frame checks (`frames:*`) compare every frame with the contract's closed schemas; OpenClaw's extra
  // row fields fail them everywhere, so they are listed apart from what the gateway did.
  const schemaOnly: string[] = [];
  lines.push("", "## Behaviour failures (checks other than the frame schemas; first three per scenario)", "");
  for (const sc of run.scenarios) {
    const failed = sc.checks.filter((c) => c.status !== "passed");
    const behaviour = failed.filter((c) => !c.id.startsWith("frames:"));
    if (failed.length > 0 && behaviour.length === 0) schemaOnly.push(sc.id);
    if (behaviour.length === 0) continue;
    lines.push(`- \`${sc.id}\` (${sc.rules.join(", ")}):`);
    for (const c of behaviour.slice(0, 3)) lines.push(`  - \`${c.id}\`: ${(c.message ?? "").replace(/\s+/g, " ").slice(0, 280)}`);
  }
  const schemaMessages = new Set(run.scenarios.flatMap((sc) => sc.checks.filter((c) => c.id.startsWith("frames:") && c.status !== "passed").map((c) => (c.message ?? "").replace(/^\d+ of \d+ frames invalid: /, "").split("; ")[0]!.replace(/\/\d+\//g, "/N/"))));
  lines.push("", `## Frame schema failures only: ${schemaOnly.length} scenario(s)`, "", schemaOnly.map((id) => `\`${id}\``).join(", ") || "none", "");
  lines.push("First violation per failing frame check, row index as N:", "", ...[...schemaMessages].slice(0, 12).map((m) => `- ${m}`));
  lines.push("", "## Skipped", "");
  for (const sc of run.scenarios.filter((x) => x.status === "skipped")) lines.push(`- \`${sc.id}\`: ${sc.reason ?? ""}`);
  if (Object.keys(run.missingCapabilities).length) {
    lines.push("", "## Missing capabilities", "");
    for (const [cap, why] of Object.entries(run.missingCapabilities)) lines.push(`- ${cap}: ${why}`);
  }
  return `${lines.join("\n")}\n`;
}
