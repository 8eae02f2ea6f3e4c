/** Counting results, overall and by SPEC rule, behaviour and wire format apart. */
import type { RuleId } from "../scenario/scenario.js";
import type { CheckResult, RuleSummary, RunResult, RunSummary, ScenarioResult, WireFinding } from "./results.js";

const empty = (): RuleSummary => ({ passed: 0, failed: 0, warnings: 0, skipped: 0, knownFailures: 0 });

/**
 * The scenarios a run stopped by refused connections did not run: the one the gateway refused
 * (ScenarioResult.refused) and those after it (`not run: the run ended when ...`). Empty when no
 * scenario was refused: a run that could not start at all keeps its scenarios as skipped.
 */
export function notRunForRefusals(results: readonly ScenarioResult[]): Set<ScenarioResult> {
  if (!results.some((r) => r.refused)) return new Set();
  return new Set(results.filter((r) => r.refused || (r.status === "skipped" && /^not run: /.test(r.reason ?? ""))));
}

function bump(target: RuleSummary, result: ScenarioResult): void {
  if (result.baselined) target.knownFailures++;
  else if (result.status === "passed") target.passed++;
  else if (result.status === "failed") target.failed++;
  else if (result.status === "warning") target.warnings++;
  else target.skipped++;
}

/**
 * A scenario under one rule it cites. A failed scenario none of whose failed checks cites the rule (a
 * check of P6 alone in a P5 scenario, `kept-at-disconnect`; `rules` of a step) is no failure of that
 * rule: it counts as warned when a check of the rule warned, else as skipped when that failure stopped
 * the scenario before its later steps (`stoppedAt`: the rule was not judged), else as passed (every
 * check of the rule ran and passed).
 */
function bumpRule(target: RuleSummary, result: ScenarioResult, rule: RuleId): void {
  const cites = (c: CheckResult) => c.rules.includes(rule) && !c.baselined;
  if (result.status !== "failed" || result.baselined || result.noCheckPassed || result.checks.some((c) => c.status === "failed" && cites(c))) return bump(target, result);
  if (result.checks.some((c) => c.status === "warning" && cites(c))) target.warnings++;
  else if (result.stoppedAt !== undefined) target.skipped++;
  else target.passed++;
}

function bumpCheck(target: RuleSummary, check: CheckResult): void {
  if (check.baselined) target.knownFailures++;
  else if (check.status === "failed") target.failed++;
  else if (check.status === "warning") target.warnings++;
  else target.passed++;
}

export interface SummaryExtras {
  /** The probe's advertising checks (SPEC H4, S3): counted by rule check by check. */
  probe?: ScenarioResult;
  /** SPEC §11 findings: the W1 and W2 rows count finding kinds. */
  wireFindings?: WireFinding[];
}

/**
 * By rule, each scenario counts once for each rule it cites (a failed one as failed only under the
 * rules its failed checks cite: bumpRule), and for the rules of any of its checks that did not pass (a
 * step can cite a rule of its own). Wire format is counted apart (W1, W2): a frame
 * that breaks a schema is never a behaviour failure of the scenario that received it.
 */
export function summarize(results: ScenarioResult[], staleBaseline: string[], extras: SummaryExtras = {}): { summary: RunSummary; byRule: Partial<Record<RuleId, RuleSummary>> } {
  const summary: RunSummary = { total: results.length, passed: 0, failed: 0, warnings: 0, skipped: 0, notApplicable: 0, knownFailures: 0, staleBaseline, probeFailures: 0, wireFailures: 0, wireWarnings: 0 };
  const byRule: Partial<Record<RuleId, RuleSummary>> = {};
  const notRun = notRunForRefusals(results);
  for (const result of results) {
    // An opt-in extension the gateway does not offer: its rules do not apply.
    if (result.notApplicable) {
      summary.notApplicable++;
      continue;
    }
    // Not run because the gateway refused connections: no verdict, and not "skipped" (counted apart).
    if (notRun.has(result)) {
      summary.notRun = (summary.notRun ?? 0) + 1;
      for (const rule of new Set(result.rules)) {
        const target = (byRule[rule] ??= empty());
        target.notRun = (target.notRun ?? 0) + 1;
      }
      continue;
    }
    const totals = empty();
    bump(totals, result);
    summary.passed += totals.passed;
    summary.failed += totals.failed;
    summary.warnings += totals.warnings;
    summary.skipped += totals.skipped;
    summary.knownFailures += totals.knownFailures;
    for (const rule of new Set(result.rules)) bumpRule((byRule[rule] ??= empty()), result, rule);
    const extra = new Set(result.checks.filter((c) => c.status !== "passed").flatMap((c) => c.rules).filter((r) => !result.rules.includes(r)));
    for (const rule of extra) bumpCheck((byRule[rule] ??= empty()), result.checks.find((c) => c.status !== "passed" && c.rules.includes(rule))!);
  }
  for (const check of extras.probe?.checks ?? []) {
    for (const rule of check.rules) bumpCheck((byRule[rule] ??= empty()), check);
    if (check.status === "failed" && !check.baselined) summary.probeFailures++;
  }
  if (extras.wireFindings) {
    for (const rule of ["W1", "W2"] as const) {
      const target = (byRule[rule] = empty());
      const findings = extras.wireFindings.filter((f) => f.rule === rule);
      if (findings.length === 0) target.passed = 1;
      for (const f of findings) {
        if (f.status === "failed") target.failed++;
        else target.warnings++;
      }
    }
    summary.wireFailures = extras.wireFindings.filter((f) => f.status === "failed").length;
    summary.wireWarnings = extras.wireFindings.filter((f) => f.status === "warning").length;
  }
  return { summary, byRule };
}

/**
 * SHOULD warnings remain (outside the baseline) and not one check passed: the scenario showed nothing
 * of what it checks working (a recorded fixture whose first connect the gateway refuses, so every later
 * step "could not run"). That is no pass "with warnings" (ScenarioResult.noCheckPassed).
 */
export function noCheckPassed(checks: CheckResult[]): boolean {
  return checks.some((c) => c.status === "warning" && !c.baselined) && !checks.some((c) => c.status === "passed");
}

/**
 * Failed when a check failed outside the baseline, or when only SHOULD warnings remain and no check
 * passed (noCheckPassed); warning when some checks passed and only SHOULD warnings remain.
 */
export function scenarioStatus(checks: CheckResult[]): ScenarioResult["status"] {
  if (checks.some((c) => c.status === "failed" && !c.baselined)) return "failed";
  if (noCheckPassed(checks)) return "failed";
  if (checks.some((c) => c.status === "warning" && !c.baselined)) return "warning";
  return "passed";
}

/** Why a noCheckPassed scenario failed, for every report. */
export function noCheckPassedNote(result: ScenarioResult): string {
  const n = result.checks.filter((c) => c.status === "warning" && !c.baselined).length;
  return `no check passed, only ${n} SHOULD warning${n === 1 ? "" : "s"}`;
}

/** Sets (or clears) a result's status and its noCheckPassed mark from its checks. */
export function gradeScenario(result: ScenarioResult): void {
  result.status = scenarioStatus(result.checks);
  if (result.status === "failed" && noCheckPassed(result.checks)) result.noCheckPassed = true;
  else delete result.noCheckPassed;
}

/**
 * `2 skipped scenarios need --slow (waits longer than 5 s): e3-tick (ticks every 15 s), h1-...`: the
 * one line about --slow in every report (conform's summary, HTML, the interop Markdown).
 */
export function needsSlowLine({ waitLimitMs, scenarios }: NonNullable<RunResult["needsSlow"]>): string {
  const n = scenarios.length;
  const each = scenarios.map((s) => `${s.id} (${[...s.waits, ...(s.alsoNeeds ? [`also needs ${s.alsoNeeds.join(", ")}`] : [])].join("; ")})`);
  return `${n} skipped scenario${n === 1 ? " needs" : "s need"} --slow (waits longer than ${+(waitLimitMs / 1000).toFixed(1)} s): ${each.join(", ")}`;
}

/**
 * `Scenarios: 1 of 57 ran before the gateway refused new connections — 1 passed, 0 failed, 0 with
 * warnings, 0 skipped; 56 not run`: the count of a run stopped by refusals (notRunForRefusals), in the
 * terminal and the HTML report.
 */
export function stoppedByRefusalsLine(result: Pick<RunResult, "scenarios">): string {
  const notRun = notRunForRefusals(result.scenarios);
  const counts = { passed: 0, failed: 0, warning: 0, skipped: 0 };
  for (const r of result.scenarios) if (!notRun.has(r)) counts[r.status]++;
  const total = result.scenarios.length;
  return `Scenarios: ${total - notRun.size} of ${total} ran before the gateway ${whyStopped(result.scenarios)} — ${counts.passed} passed, ${counts.failed} failed, ${counts.warning} with warnings, ${counts.skipped} skipped; ${notRun.size} not run`;
}

/**
 * What ended a run stopped by a scenario's connection (ScenarioResult.refused): the gateway `refused
 * new connections` (an HTTP 429/503 refusal), or `stopped accepting connections` (nothing listens
 * there any more: GatewayGoneError in run/refusals.ts).
 */
export function whyStopped(results: readonly Pick<ScenarioResult, "refused" | "reason">[]): string {
  const by = results.find((r) => r.refused);
  return by && /stopped accepting connections during the run/.test(by.reason ?? "") ? "stopped accepting connections" : "refused new connections";
}
