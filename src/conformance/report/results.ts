/** What a conformance run reports: per scenario, per check, and summed up by SPEC rule. */
import type { Capability, Level, RuleId } from "../scenario/scenario.js";

/** One frame of a scenario's wire log, as reports show it. */
export interface WireRecord {
  /** Position in the scenario's log. */
  seq: number;
  /** ms since the scenario started. */
  t: number;
  actor: string;
  dir: "send" | "recv" | "meta";
  text: string;
  /** Full size, when `text` was cut for the log. */
  bytes?: number;
}

export type CheckStatus = "passed" | "failed" | "warning";
export type ScenarioStatus = "passed" | "failed" | "warning" | "skipped";

export interface CheckResult {
  /** Unique within the scenario; baselines name it as `scenario:check`. */
  id: string;
  title: string;
  rules: RuleId[];
  level: Level;
  /** `warning`: a SHOULD check failed and the run is not strict. */
  status: CheckStatus;
  message?: string;
  expected?: unknown;
  actual?: unknown;
  /** The frames that prove it (requests and answers). */
  frames?: WireRecord[];
  /** Listed in the expected-failures baseline: does not fail the run. */
  baselined?: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  rules: RuleId[];
  level: Level;
  status: ScenarioStatus;
  /** Why it was skipped. */
  reason?: string;
  durationMs: number;
  checks: CheckResult[];
  /** Every frame exchanged (bounded; `wireOmitted` counts what was left out). */
  wire: WireRecord[];
  wireOmitted: number;
  /** Every failing check is in the baseline. */
  baselined?: boolean;
  /** Where the scenario came from (fixture file). */
  source?: string;
}

export interface RuleSummary {
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
  knownFailures: number;
}

export interface RunSummary {
  total: number;
  passed: number;
  /** Failures that are not in the baseline. */
  failed: number;
  warnings: number;
  skipped: number;
  /** Failures listed in the baseline. */
  knownFailures: number;
  /** Baseline entries that no longer fail (or name nothing): they fail the run. */
  staleBaseline: string[];
}

export interface RunResult {
  url: string;
  binding: string;
  startedAt: string;
  durationMs: number;
  strict: boolean;
  capabilities: Capability[];
  /** Why each missing capability is missing. */
  missingCapabilities: Partial<Record<Capability, string>>;
  /** Set when the run could not start (e.g. the probe connection failed). */
  error?: string;
  scenarios: ScenarioResult[];
  summary: RunSummary;
  byRule: Partial<Record<RuleId, RuleSummary>>;
  /** True when no MUST check failed (after the baseline), the baseline is not stale and the run started. */
  ok: boolean;
}

export type ProgressEvent =
  | { type: "start"; total: number; capabilities: Capability[]; missingCapabilities: Partial<Record<Capability, string>>; error?: string }
  | { type: "scenario-start"; index: number; total: number; id: string; title: string }
  | { type: "scenario-end"; index: number; total: number; result: ScenarioResult }
  | { type: "end"; result: RunResult };
