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
  /**
   * Events the step saw but did not judge, whatever its status: `presence` events that changed no row
   * of the scenario (steps with `rows: "scenario"`; other clients', earlier scenarios', the observer's
   * own connect round). `note` says what each changed.
   */
  unrelated?: { note: string; frames: WireRecord[] };
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
  /**
   * Failed although every check that did not pass is a SHOULD warning: not one check passed (e.g. a
   * recorded fixture, level SHOULD, whose first connect the gateway refused). Such a scenario showed
   * nothing working, so it is not reported as a pass with warnings, and it fails the run (exit 1).
   */
  noCheckPassed?: true;
  /**
   * The check whose failure stopped the scenario: a list step the later steps build on (`assume:
   * {passes: true}`, e.g. `kept-at-disconnect`, SPEC P6); the later steps were not run, so the rules
   * only they would have judged are counted as skipped by rule, not failed.
   */
  stoppedAt?: string;
  /** Where the scenario came from (fixture file). */
  source?: string;
  /** What the harness changed so the gateway could take part (a scope, a text, a signature), per actor. */
  adaptations?: Adaptation[];
  /**
   * Skipped because it checks an opt-in extension the gateway does not offer (the delta stream): the
   * rules it cites do not apply. Counted apart from skips, and not by rule.
   */
  notApplicable?: true;
  /**
   * Skipped because the gateway refused its connections (HTTP 429/503 on the upgrade) after the wait
   * it asked for: not run, and the run ended there with a run error (RunResult.error).
   */
  refused?: true;
  /**
   * Upgrades the gateway refused with HTTP 429/503 that an actor waited out (Retry-After) and tried
   * again, by status (`{ "503": 2 }`); absent when none.
   */
  refusalsWaitedOut?: Record<string, number>;
}

/**
 * A change the harness (or the binding) made to what a scenario sends, because the gateway needs more
 * than SPEC asks (OpenClaw: `operator.admin` and a `text` for system-event, a signed device on 2026.9.x).
 */
export interface Adaptation {
  actor: string;
  /** The step whose request was changed; absent when the actor's connect was. */
  step?: string;
  /** What changed, e.g. `text "…" added`, `scopes + operator.admin`, `signed with a device identity (v3)`. */
  change: string;
  /** Why: what the gateway needs, and how the harness knows. */
  reason: string;
}

/**
 * A change the wire binding makes on every connect (`openclaw binding: client.id ... -> ...`, default
 * scopes sent explicitly, a device signature): its own translation, whatever the gateway needs.
 */
export function isBindingAdaptation(adaptation: Adaptation): boolean {
  return /^\w+ binding: /.test(adaptation.change);
}

/** SPEC §11: W1 (a frame breaks its schema, MUST) or W2 (fields beyond the contract, SHOULD). */
export type WireRule = "W1" | "W2";

/**
 * One kind of wire-format finding, reported once for the whole run however many frames and scenarios
 * show it (SPEC §11). It never changes a scenario's verdict.
 */
export interface WireFinding {
  /** Stable id: `<rule>:<keyword>:<path>`. */
  id: string;
  rule: WireRule;
  level: Level;
  /** `failed` for W1 (and W2 when strict), `warning` for W2. */
  status: Exclude<CheckStatus, "passed">;
  /** The message schema (`PresenceEvent`, `SystemPresenceResult`, `HelloOk`, ...), `decode` or `error-codes`. */
  schemas: string[];
  /** JSON path pattern with array indices as `*` (OpenClaw's extra `clientId` in rows: `/presence/*` + `/clientId`); rows are named in the presence event's form. */
  path: string;
  /** Every concrete path pattern it was seen at (in a system-presence result a row's field is `/*` + `/clientId`). */
  paths: string[];
  /**
   * The JSON Schema keyword (`additionalProperties`, `maxLength`, ...), when a schema found it; for a
   * jsonrpc error code that is not an integer (`error-codes`), `required` (none) or `type`.
   */
  keyword?: string;
  message: string;
  /** How many received frames show it. */
  frames: number;
  /**
   * The scenarios it is attributed to. A finding inside a row is attributed to the scenario that planted
   * the row (the one that sent its instanceId, also in `plantedBy`), not to every later scenario that
   * saw it in a listing; a row nobody in the run planted, to the first scenario that saw it; any other
   * finding, to each scenario that received a frame showing it.
   */
  scenarios: string[];
  /** Those of `scenarios` that planted the rows showing it (absent in reports written before it existed). */
  plantedBy?: string[];
  /**
   * One frame that shows it, and the scenario it was received in: one of `plantedBy` when one of them
   * received such a frame, else one of `scenarios`, else (a planted row seen only by later scenarios) any.
   */
  evidence: EvidenceFrame;
}

/**
 * A finding's evidence frame: `at` is where in it the wrong value is (a JSON Pointer that value's own
 * path ends with; absent in reports written before it existed), so a report that cuts the text
 * shows that value (evidence-window.ts).
 */
export type EvidenceFrame = WireRecord & { scenario: string; at?: string };

export interface RuleSummary {
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
  knownFailures: number;
  /**
   * Scenarios citing the rule that were not run because the gateway refused new connections
   * (ScenarioResult.refused and the scenarios after it): neither skipped nor judged. Absent when none.
   */
  notRun?: number;
}

export interface RunSummary {
  /** Scenarios run, skipped or not run (the probe not included). */
  total: number;
  passed: number;
  /** Failures that are not in the baseline. */
  failed: number;
  warnings: number;
  /** Scenarios that could not check a rule that applies (a test clock, a long wait, another binding). */
  skipped: number;
  /** Scenarios of an opt-in extension the gateway does not offer (ScenarioResult.notApplicable). */
  notApplicable: number;
  /**
   * Scenarios not run because the gateway refused new connections (ScenarioResult.refused and those
   * after it; RunResult.error says why): not in `skipped`. Absent when none.
   */
  notRun?: number;
  /** Failures listed in the baseline. */
  knownFailures: number;
  /** Baseline entries that no longer fail (or name nothing): they fail the run. */
  staleBaseline: string[];
  /** Failed checks of the probe (a method that works but is not advertised, SPEC H4/S3). */
  probeFailures: number;
  /** Wire-format finding kinds that fail the run (W1; W2 too when strict). */
  wireFailures: number;
  /** Wire-format finding kinds reported as warnings (W2). */
  wireWarnings: number;
  /** Upgrades refused with HTTP 429/503 and waited out over all scenarios, by status (ScenarioResult.refusalsWaitedOut); absent when none. */
  refusalsWaitedOut?: Record<string, number>;
}

/** What the probe learned before the scenarios ran. */
export interface ProbeReport {
  /** Connect attempts until the gateway answered (more than 1 when it was still starting). */
  attempts: number;
  /** How long the probe waited for the gateway to be ready, in ms. */
  waitedMs: number;
  /** `hello-ok.server.version`. */
  serverVersion?: string;
  /** What the gateway needs beyond SPEC, as learned by probing (each with the answer that showed it). */
  needs: string[];
  /**
   * What the probe saw that makes checks fail for a reason the run may have, not the gateway, in the
   * caller's option words: a token given to a gateway that accepts connects without one (SPEC H5).
   */
  notes?: string[];
  /** Advertised versus working methods (SPEC H4, S3): a scenario-like result, counted by rule. */
  result?: ScenarioResult;
}

/** A scenario skipped for long waits: which (in words, `ticks every 15 s`), and what else it lacks. */
export interface SlowSkip {
  id: string;
  waits: string[];
  /** Missing capabilities `--slow` does not add (`token`): the scenario needs those too. */
  alsoNeeds?: Capability[];
}

export interface RunResult {
  url: string;
  /** Every gateway of the run, when it was a cluster of several (`url` is the first). */
  urls?: string[];
  binding: string;
  startedAt: string;
  durationMs: number;
  strict: boolean;
  capabilities: Capability[];
  /** Why each missing capability is missing. */
  missingCapabilities: Partial<Record<Capability, string>>;
  /** Scenarios skipped for waits longer than `waitLimitMs` that a `--slow` run would make (absent when none). */
  needsSlow?: { waitLimitMs: number; scenarios: SlowSkip[] };
  /** The missing capabilities `--slow` alone would add (the `onlyWithSlow` of the start event; absent when none). */
  onlyWithSlow?: Capability[];
  /**
   * Set when the run could not start (e.g. the probe connection failed), or ended early because the
   * gateway refused new connections (a scenario with `refused`; the scenarios after it not run).
   */
  error?: string;
  /** `default`: the scenarios one after the other; `real-time`: the long-waiting ones, concurrently, without a test clock. */
  mode: "default" | "real-time";
  /** The TTL real-time scenarios waited for, in ms (`--ttl`, the gateway's `policy.presenceTtlMs`, else SPEC S1's 5 minutes). */
  ttlMs: number;
  probe: ProbeReport;
  scenarios: ScenarioResult[];
  /** SPEC §11 findings, once per kind; they never change a scenario's verdict. */
  wireFindings: WireFinding[];
  summary: RunSummary;
  /** Behaviour rules count scenarios (and the probe); W1/W2 count finding kinds. */
  byRule: Partial<Record<RuleId, RuleSummary>>;
  /** No behaviour MUST check failed (after the baseline), the baseline is not stale, and the run started. */
  behaviourOk: boolean;
  /** No W1 finding (and, when strict, no W2 finding). */
  wireFormatOk: boolean;
  /** behaviourOk and wireFormatOk. */
  ok: boolean;
}

export type ProgressEvent =
  /** The probe is waiting for a gateway that refuses connections or says it is starting. */
  /**
   * The probe waits for a gateway that is not ready (`url`, the one it waits for): why, and how to not
   * wait, in the caller's words (`--wait-ready 0`, `waitReadyMs: 0`).
   */
  | { type: "waiting-ready"; url: string; attempt: number; waitedMs: number; limitMs: number; reason: string; retryInMs: number; noWait: string }
  | {
      type: "start";
      total: number;
      capabilities: Capability[];
      missingCapabilities: Partial<Record<Capability, string>>;
      /** The missing capabilities `--slow` alone would add: the summary names them once, with the scenarios (RunResult.needsSlow). */
      onlyWithSlow?: Capability[];
      error?: string;
      probe: ProbeReport;
      mode: RunResult["mode"];
      notSelected?: string;
    }
  /** Real-time scenarios waiting (sent every few seconds while any waits): each id with the ms left. */
  | { type: "waiting"; waits: { id: string; leftMs: number }[] }
  | { type: "scenario-start"; index: number; total: number; id: string; title: string }
  | { type: "scenario-end"; index: number; total: number; result: ScenarioResult }
  | { type: "end"; result: RunResult };
