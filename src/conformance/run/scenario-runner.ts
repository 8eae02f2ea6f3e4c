/** Runs one scenario on fresh connections, with a deadline, and turns what happened into checks. */
import type { EarlyPushes } from "../checks/handshake-order.js";
import type { WireFindings } from "../checks/wire-format.js";
import { clampTimerMs } from "../../protocol/durations.js";
import type { CheckResult, ScenarioResult } from "../report/results.js";
import { gradeScenario } from "../report/summary.js";
import type { Capability, Scenario } from "../scenario/scenario.js";
import type { Step } from "../scenario/steps.js";
import { VariableError } from "../scenario/vars.js";
import { methodsSentBy } from "./adapt.js";
import { prepareActor } from "./actors.js";
import { GatewayGoneError, GatewayRefusedError } from "./refusals.js";
import { WireConnection } from "./wire.js";
import { defaultTitle, PremiseBroken, ScenarioContext, StepAbort, waitMessage, type RunConfig } from "./context.js";
import { execCountEvents, execDrainEvents, execExpectClose, execExpectError, execExpectEvent, execExpectNoEvent, execWait, sleep } from "./exec-events.js";
import { execAdvanceClock, execFill, execList } from "./exec-list.js";
import { execConnect, execDisconnect, execFlood, execOpen, execSend } from "./exec-requests.js";

export const DEFAULT_SCENARIO_TIMEOUT_MS = 10_000;

async function execStep(ctx: ScenarioContext, step: Step, index: number): Promise<void> {
  switch (step.step) {
    case "open":
      return execOpen(ctx, step);
    case "connect":
      return execConnect(ctx, step, index);
    case "disconnect":
      return execDisconnect(ctx, step);
    case "send":
      return execSend(ctx, step, index);
    case "flood":
      return execFlood(ctx, step, index);
    case "expectEvent":
      return execExpectEvent(ctx, step, index);
    case "expectNoEvent":
      return execExpectNoEvent(ctx, step, index);
    case "drainEvents":
      return execDrainEvents(ctx, step);
    case "countEvents":
      return execCountEvents(ctx, step, index);
    case "expectError":
      return execExpectError(ctx, step, index);
    case "expectClose":
      return execExpectClose(ctx, step, index);
    case "list":
      return execList(ctx, step, index);
    case "advanceClock":
      return execAdvanceClock(ctx, step, index);
    case "sleep":
      return sleep(step.ms);
    case "wait":
      return execWait(ctx, step);
    case "fill":
      return execFill(ctx, step, index);
  }
}

async function runSteps(ctx: ScenarioContext): Promise<void> {
  const { scenario } = ctx;
  for (const [name, actor] of Object.entries(scenario.actors)) prepareActor(ctx, name, actor, methodsSentBy(scenario.steps, name));
  for (const [index, step] of scenario.steps.entries()) {
    if (ctx.aborted) return;
    if (step.binding !== undefined && step.binding !== ctx.config.binding.name) continue;
    try {
      await execStep(ctx, step, index);
    } catch (error) {
      if (ctx.aborted) return;
      if (error instanceof PremiseBroken) {
        ctx.notJudged = error.message;
        return;
      }
      if (!(error instanceof StepAbort || error instanceof VariableError || (error as Error).name === "WaitError")) throw error;
      // The gateway shut down under the scenario (1001, and nothing listens any more): not run, the run ends.
      const gone = await goneAway(ctx, error);
      if (gone) throw gone;
      const rest = scenario.steps.length - index - 1;
      const frames = error instanceof StepAbort ? error.frames : [];
      // A step that ran (its frame went out) and got no usable answer keeps its own title: the gateway
      // did not answer as awaited. The others (no connection, a variable never captured) could not run.
      const ran = (error instanceof StepAbort && error.ran) || (error as Error).name === "WaitError";
      const title = ran ? (step.title ?? defaultTitle(step)) : `${step.title ?? step.step} could not run`;
      const why = (error instanceof VariableError && neverCaptured(ctx, error.unset, index)) || waitMessage(error);
      ctx.recordError(ctx.stepId(step, index), title, `${why}${rest ? ` (${rest} later steps not run)` : ""}`, step.rules ?? scenario.rules, step.level ?? scenario.level, frames);
      return;
    }
  }
}

/**
 * Why a step could not run when a variable it needs was never set, in the scenario's words: the
 * earlier step that was to capture it, and from where (undefined: no step captures it).
 */
function neverCaptured(ctx: ScenarioContext, name: string | undefined, before: number): string | undefined {
  if (name === undefined) return undefined;
  const at = ctx.scenario.steps.findIndex((s, i) => i < before && s.capture?.[name] !== undefined && (s.binding === undefined || s.binding === ctx.config.binding.name));
  if (at < 0) return undefined;
  const from = ctx.scenario.steps[at]!;
  return `it needs \${${name}}, which step ${ctx.stepId(from, at)} was to capture from ${from.capture![name]} of what the gateway sent, and did not: that check failed (above), so this step cannot be judged`;
}

export function skippedResult(scenario: Scenario, reason: string, source?: string, notApplicable = false): ScenarioResult {
  return { id: scenario.id, title: scenario.title, rules: scenario.rules, level: scenario.level, status: "skipped", reason, durationMs: 0, checks: [], wire: [], wireOmitted: 0, ...(source ? { source } : {}), ...(notApplicable ? { notApplicable: true as const } : {}) };
}

/** Capabilities that are opt-in extensions: a gateway that does not offer one is not asked to (its scenarios are not applicable). */
export const OPT_IN_EXTENSIONS: readonly Capability[] = ["presenceDelta"];

export interface ScenarioRunOptions {
  strict: boolean;
  timeoutMs: number;
  source?: string;
  /** Where the frames' wire-format findings go (SPEC §11); they do not change the scenario's verdict. */
  wireFindings?: WireFindings;
  /** Where pushes its connections got before their hello-ok go (SPEC E1, H4: a check of the run, not of the scenario). */
  earlyPushes?: EarlyPushes;
}

/** The scenario's deadline; `wait` steps push it back by the time they wait. */
function deadline(ms: number): { expired: Promise<"timeout">; extend(by: number): void; left(): number; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fire: (value: "timeout") => void = () => {};
  let end = Date.now() + ms;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => fire("timeout"), clampTimerMs(Math.max(0, end - Date.now())));
  };
  const expired = new Promise<"timeout">((resolve) => (fire = resolve));
  arm();
  return {
    expired,
    extend(by) {
      end += by;
      arm();
    },
    left: () => end - Date.now(),
    clear: () => clearTimeout(timer),
  };
}

export async function runScenario(scenario: Scenario, config: RunConfig, options: ScenarioRunOptions): Promise<ScenarioResult> {
  const missing = (scenario.requires ?? []).filter((c) => !config.capabilities.has(c));
  const extension = missing.find((c) => OPT_IN_EXTENSIONS.includes(c));
  if (extension) return skippedResult(scenario, `not applicable: the gateway does not offer the opt-in ${extension} extension`, options.source, true);
  if (missing.length) return skippedResult(scenario, `needs ${missing.join(", ")}`, options.source);

  const started = Date.now();
  const ctx = new ScenarioContext(scenario, config);
  const limitMs = scenario.timeoutMs ?? options.timeoutMs;
  const timer = deadline(limitMs);
  ctx.extendDeadline = (ms) => timer.extend(ms);
  ctx.timeLeftMs = () => timer.left();
  let outcome: unknown;
  let refused: GatewayRefusedError | GatewayGoneError | undefined;
  try {
    outcome = await Promise.race([runSteps(ctx), timer.expired]);
  } catch (error) {
    if (error instanceof GatewayRefusedError || error instanceof GatewayGoneError) refused = error;
    else ctx.recordError("runner", "the runner failed", `internal error: ${waitMessage(error)}`, scenario.rules, scenario.level);
  } finally {
    timer.clear();
  }
  if (outcome === "timeout") {
    ctx.aborted = true;
    ctx.recordError("timeout", "the scenario finishes in time", `the scenario did not finish within ${limitMs} ms (${deadlineSource(scenario, config)}; waits not counted)`, scenario.rules, scenario.level);
    ctx.terminateAll();
  } else {
    await ctx.closeAll();
  }
  options.wireFindings?.collect(scenario.id, ctx.all, ctx.log.records, config.binding.name);
  options.earlyPushes?.collect(scenario.id, ctx.all);
  // Refused new connections, or nothing listens any more: not a verdict on the scenario's rules; the runner ends the run (runner.ts).
  const waitedOut = byStatus(ctx.refusalsWaitedOut);
  if (refused) return { ...skippedResult(scenario, `not run: ${refused.message}`, options.source), durationMs: Date.now() - started, wire: ctx.log.records, wireOmitted: ctx.log.omitted, refused: true, ...waitedOut };

  const checks: CheckResult[] = ctx.checks.map((c) => ({
    ...c,
    status: c.message === undefined ? "passed" : c.level === "SHOULD" && !options.strict ? "warning" : "failed",
  }));
  const result: ScenarioResult = {
    id: scenario.id,
    title: scenario.title,
    rules: scenario.rules,
    level: scenario.level,
    status: "passed",
    durationMs: Date.now() - started,
    checks,
    wire: ctx.log.records,
    wireOmitted: ctx.log.omitted,
    ...(options.source ? { source: options.source } : {}),
    ...(ctx.adaptations.length ? { adaptations: ctx.adaptations } : {}),
    ...(ctx.stoppedAt !== undefined ? { stoppedAt: ctx.stoppedAt } : {}),
    ...waitedOut,
  };
  gradeScenario(result);
  // A premise that did not hold: the checks that ran are kept; a failure or warning before it stands.
  if (ctx.notJudged !== undefined && result.status === "passed") {
    return { ...result, status: "skipped", reason: `not judged: ${ctx.notJudged}${waitedOutNote(ctx.refusalsWaitedOut)}` };
  }
  return result;
}

/** What set a scenario's deadline, said beside a timeout so the reader knows what would change it. */
function deadlineSource(scenario: Scenario, config: RunConfig): string {
  const option = config.words.timeout;
  return scenario.timeoutMs === undefined ? `its deadline, ${option}` : `its own deadline, which ${option} does not change`;
}

/** What a not-judged reason adds about refused upgrades the scenario waited out (they made it slow). */
function waitedOutNote(statuses: number[]): string {
  if (statuses.length === 0) return "";
  const kinds = [...new Set(statuses)].map((s) => `HTTP ${s}`).join(", ");
  return ` (this run of it waited out ${statuses.length} refused WebSocket upgrade${statuses.length === 1 ? "" : "s"}, ${kinds})`;
}

/** ScenarioResult.refusalsWaitedOut from the statuses waited out: `{ refusalsWaitedOut: { "503": 2 } }`, or nothing. */
function byStatus(statuses: number[]): Pick<ScenarioResult, "refusalsWaitedOut"> {
  if (statuses.length === 0) return {};
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return { refusalsWaitedOut: counts };
}

/**
 * A step that could not run because the gateway closed an actor's connection with 1001 ("going
 * away": it is shutting down) is no verdict on the scenario's rules when the gateway is indeed gone:
 * a fresh connection to it is refused (ECONNREFUSED). Then the scenario is not run and the run ends
 * (GatewayGoneError, as when a scenario's open finds nothing listening). A gateway that closes with
 * 1001 and still accepts connections chose to: the scenario is judged as it ran. A connection cut
 * without a close frame (1006, a crash, perhaps on the scenario's own input) is always judged.
 */
/** The gateway's listener may close a moment after its 1001 frames went out. */
const SETTLE_MS = 100;

async function goneAway(ctx: ScenarioContext, error: unknown): Promise<GatewayGoneError | undefined> {
  // In a scenario only (the probe has its own waits), and only while nothing was judged failed yet.
  if (!ctx.timeLeftMs || ctx.checks.some((c) => c.message !== undefined)) return undefined;
  const message = error instanceof Error ? error.message : "";
  if (!/\b(was closed|connection closed) \(1001\b/.test(message)) return undefined;
  const actor = [...ctx.connections].find(([, conn]) => conn.closeInfo?.code === 1001)?.[0];
  if (actor === undefined) return undefined;
  const url = ctx.gatewayUrl(actor);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  try {
    const probe = await WireConnection.open(url, `${actor}-reopen`, ctx.config.binding, ctx.log, undefined, ctx.config.stepTimeoutMs);
    await probe.close();
    return undefined;
  } catch (reopen) {
    const refused = /\bECONNREFUSED\b/.exec((reopen as Error).message);
    if (!refused) return undefined;
    return new GatewayGoneError(url, `it closed actor "${actor}"'s connection of ${ctx.scenario.id} with 1001 (going away) and refused a new one`, refused[0]);
  }
}
