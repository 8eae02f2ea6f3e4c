/** Counting scenario results, overall and by SPEC rule. */
import type { CheckResult, RuleSummary, RunSummary, ScenarioResult } from "./results.js";
import type { RuleId } from "../scenario/scenario.js";

const empty = (): RuleSummary => ({ passed: 0, failed: 0, warnings: 0, skipped: 0, knownFailures: 0 });

function bump(target: RuleSummary, result: ScenarioResult): void {
  if (result.baselined) target.knownFailures++;
  else if (result.status === "passed") target.passed++;
  else if (result.status === "failed") target.failed++;
  else if (result.status === "warning") target.warnings++;
  else target.skipped++;
}

/**
 * By rule, each scenario counts once for each rule it cites, and for the rules of any of its
 * checks that did not pass (a frame check can fail H4 inside a K1 scenario).
 */
export function summarize(results: ScenarioResult[], staleBaseline: string[]): { summary: RunSummary; byRule: Partial<Record<RuleId, RuleSummary>> } {
  const summary: RunSummary = { total: results.length, passed: 0, failed: 0, warnings: 0, skipped: 0, knownFailures: 0, staleBaseline };
  const byRule: Partial<Record<RuleId, RuleSummary>> = {};
  for (const result of results) {
    const totals = { passed: 0, failed: 0, warnings: 0, skipped: 0, knownFailures: 0 };
    bump(totals, result);
    summary.passed += totals.passed;
    summary.failed += totals.failed;
    summary.warnings += totals.warnings;
    summary.skipped += totals.skipped;
    summary.knownFailures += totals.knownFailures;
    for (const rule of new Set(result.rules)) bump((byRule[rule] ??= empty()), result);
    const extra = new Set(result.checks.filter((c) => c.status !== "passed").flatMap((c) => c.rules).filter((r) => !result.rules.includes(r)));
    for (const rule of extra) {
      const check = result.checks.find((c) => c.status !== "passed" && c.rules.includes(rule))!;
      const target = (byRule[rule] ??= empty());
      if (check.baselined) target.knownFailures++;
      else if (check.status === "failed") target.failed++;
      else target.warnings++;
    }
  }
  return { summary, byRule };
}

/** Failed when a check failed outside the baseline; warning when only warnings remain. */
export function scenarioStatus(checks: CheckResult[]): ScenarioResult["status"] {
  if (checks.some((c) => c.status === "failed" && !c.baselined)) return "failed";
  if (checks.some((c) => c.status === "warning" && !c.baselined)) return "warning";
  return "passed";
}
