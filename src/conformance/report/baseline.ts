/**
 * The expected-failures baseline: known failures, by scenario (`k1-case-merge`) or by check
 * (`k1-case-merge:4-list`). Listed failures do not fail the run; a listed entry that now passes,
 * or names nothing, is stale and does fail it, so the baseline shrinks as the gateway improves.
 */
import type { ScenarioResult } from "./results.js";
import { gradeScenario } from "./summary.js";

/** One entry per line (`#` starts a comment), or a JSON array of strings, or `{"expectedFailures": [...]}`. */
export function parseBaseline(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    const parsed = JSON.parse(trimmed) as unknown;
    const list = Array.isArray(parsed) ? parsed : (parsed as { expectedFailures?: unknown }).expectedFailures;
    if (!Array.isArray(list) || !list.every((e) => typeof e === "string")) {
      throw new Error('baseline: expected a JSON array of strings or {"expectedFailures": [...]}');
    }
    return list.map((e) => e.trim()).filter(Boolean);
  }
  return text
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean);
}

/** The entries that describe a run's current failures (for `--write-baseline`). */
export function failuresOf(results: ScenarioResult[]): string[] {
  return results.flatMap((s) => s.checks.filter((c) => c.status !== "passed").map((c) => `${s.id}:${c.id}`));
}

export function formatBaseline(entries: string[]): string {
  return `# Expected failures of gateway-presence conform: one scenario or scenario:check per line.\n${entries.join("\n")}\n`;
}

/**
 * Marks the failing checks the baseline lists (`baselined`) and returns the stale entries.
 * Entries for scenarios that did not run (filtered out, skipped) are neither applied nor stale.
 */
export function applyBaseline(results: ScenarioResult[], entries: Iterable<string>, knownIds: Set<string>): string[] {
  const stale: string[] = [];
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const entry of new Set(entries)) {
    const colon = entry.indexOf(":");
    const scenarioId = colon === -1 ? entry : entry.slice(0, colon);
    const checkId = colon === -1 ? undefined : entry.slice(colon + 1);
    if (!knownIds.has(scenarioId)) {
      stale.push(`${entry} (no such scenario)`);
      continue;
    }
    const result = byId.get(scenarioId);
    if (!result || result.status === "skipped") continue;
    const failing = result.checks.filter((c) => c.status !== "passed" && (checkId === undefined || c.id === checkId));
    if (checkId !== undefined && !result.checks.some((c) => c.id === checkId)) {
      stale.push(`${entry} (no such check)`);
    } else if (failing.length === 0) {
      stale.push(`${entry} (now passes)`);
    }
    for (const check of failing) check.baselined = true;
  }
  for (const result of results) {
    if (result.status === "skipped") continue;
    gradeScenario(result);
    const failing = result.checks.filter((c) => c.status !== "passed");
    result.baselined = failing.length > 0 && failing.every((c) => c.baselined) ? true : undefined;
    if (!result.baselined) delete result.baselined;
  }
  return stale;
}
