/** Executors of the steps about the list itself: list, advanceClock, fill. */
import { handshake, openActor, prepareActor } from "./actors.js";
import { PremiseBroken, StepAbort, type ScenarioContext } from "./context.js";
import { describeError, reportedAnswer, type Answer } from "../checks/expect.js";
import { capture, timeoutOf } from "./exec-requests.js";
import { sleep } from "./exec-events.js";
import { checkListRows, evictionUnknown, oldestMismatch, type Row } from "../checks/list-checks.js";
import { matches, type Mismatch } from "../checks/matchers.js";
import type { AdvanceClockStep, FillStep, ListStep } from "../scenario/steps.js";
import { resolve } from "../scenario/vars.js";
import type { WireConnection, WireRecord } from "./wire.js";

const POLL_MS = 50;

/** Why an eviction whose older rows were refreshed since is not judged, and what to do (a skip reason). */
const EVICTION_UNKNOWN_BECAUSE =
  "the check needs the rows older than the evicted one left as they were until the new key came, but an open connection's row is refreshed whenever it answers a keep-alive (SPEC P7), which can fall between the listing and the write (re-run the scenario; it is judged when no keep-alive falls there)";

/** Calls system-presence; aborts the scenario when there is no array to look at. */
export async function listRows(conn: WireConnection, timeoutMs: number): Promise<{ rows: Row[]; frames: WireRecord[] }> {
  const { id, record } = conn.request("system-presence", {});
  let answer;
  try {
    answer = await conn.waitResponse(id, timeoutMs);
  } catch (error) {
    throw new StepAbort((error as Error).message, [record], true);
  }
  const frame = answer.frame;
  if (frame.kind !== "result" || !Array.isArray(frame.result)) {
    const got = frame.kind === "error" ? `error ${describeError(frame.error)}` : "a result that is not an array";
    throw new StepAbort(`system-presence answered with ${got}`, [record, answer.record], true);
  }
  return { rows: frame.result as Row[], frames: [record, answer.record] };
}

export async function execList(ctx: ScenarioContext, step: ListStep, index: number): Promise<void> {
  const conn = ctx.connection(step.actor);
  const timeout = timeoutOf(ctx, step);
  const expectations = resolve({ ...step, capture: undefined }, ctx.vars);
  const before = step.evictedOldestSince === undefined ? undefined : (ctx.vars[step.evictedOldestSince] as Row[] | undefined);
  if (step.evictedOldestSince !== undefined && !Array.isArray(before)) {
    throw new StepAbort(`evictedOldestSince: no captured listing named "${step.evictedOldestSince}"`);
  }
  // `eventuallyMs`: poll until the rows match (the gateway may apply a close a moment after the client sees it).
  const deadline = Date.now() + (step.eventuallyMs ?? 0);
  for (;;) {
    const { rows, frames } = await listRows(conn, timeout);
    const mismatches: Mismatch[] = checkListRows(expectations, rows, before);
    if (mismatches.length === 0 || Date.now() >= deadline) {
      // An eviction that cannot be judged (the rows older than the one evicted were refreshed since
      // the captured listing): not judged, and the step not recorded as passed.
      const unknown = mismatches.length === 0 && before ? evictionUnknown(before, rows) : undefined;
      if (unknown !== undefined) throw new PremiseBroken(ctx.withPremiseCauses(`${unknown} (step ${ctx.stepId(step, index)}); ${EVICTION_UNKNOWN_BECAUSE}`, rows));
      // With `where`, captures point into the selected rows (`/0/ts` of the one row a scenario watches).
      const captured = expectations.where === undefined ? rows : rows.filter((r) => matches(expectations.where, r));
      mismatches.push(...capture(ctx, step.capture, captured));
      const { assume } = expectations;
      // `passes`: the later steps build on this check; when it fails, they are not run (it stands, with its own rules).
      const rest = ctx.scenario.steps.length - index - 1;
      const stops = mismatches.length > 0 && assume !== undefined && "passes" in assume;
      const after = stops && rest > 0 ? ` (${rest} later step${rest === 1 ? "" : "s"} not run: ${assume.because})` : undefined;
      ctx.record(step, index, { mismatches, expected: summarize(expectations), actual: rows, frames, after });
      if (stops) {
        ctx.stoppedAt = ctx.stepId(step, index);
        throw new PremiseBroken(`step ${ctx.stoppedAt} failed, and the later steps build on it: ${assume.because}`);
      }
      // The premise is looked at only in a listing the step's own checks accept.
      const broken = mismatches.length === 0 && assume !== undefined && "oldest" in assume ? oldestMismatch(assume.oldest, rows) : undefined;
      if (broken !== undefined) throw new PremiseBroken(ctx.withPremiseCauses(`${broken} (step ${ctx.stepId(step, index)}); ${assume!.because}`, rows));
      return;
    }
    await sleep(POLL_MS);
  }
}

function summarize(step: ListStep): Record<string, unknown> {
  const { contains, notContains, where, count, equals, sorted, evictedOldestSince } = step;
  return Object.fromEntries(Object.entries({ contains, notContains, where, count, equals, sorted, evictedOldestSince }).filter(([, v]) => v !== undefined));
}

export async function execAdvanceClock(ctx: ScenarioContext, step: AdvanceClockStep, index: number): Promise<void> {
  const conn = ctx.connection(step.actor);
  const { id, record } = conn.request("test.clock.advance", { ms: step.ms });
  let answer;
  try {
    answer = await conn.waitResponse(id, timeoutOf(ctx, step));
  } catch (error) {
    throw new StepAbort((error as Error).message, [record], true);
  }
  const frame = answer.frame as Answer;
  const mismatches: Mismatch[] = [];
  if (frame.kind === "error") mismatches.push({ path: "", message: `test.clock.advance failed: ${describeError(frame.error)}` });
  else {
    const now = (frame.result as { now?: unknown } | null)?.now;
    if (!Number.isInteger(now)) mismatches.push({ path: "/now", message: `expected an integer "now", got ${JSON.stringify(now)}` });
    else Object.assign(ctx.clock, { now: now as number, advancedMs: ctx.clock.advancedMs + step.ms, advancedSeq: answer.record.seq });
    mismatches.push(...capture(ctx, step.capture, frame.result));
  }
  ctx.record(step, index, { mismatches, expected: { result: { now: "integer" } }, actual: reportedAnswer(frame), frames: [record, answer.record] });
}

/** Rows are added with beacons over extra connections, each staying under the default rate limit. */
export async function execFill(ctx: ScenarioContext, step: FillStep, index: number): Promise<void> {
  const timeout = timeoutOf(ctx, step);
  const conn = ctx.connection(step.actor);
  const prefix = resolve(step.prefix, ctx.vars);
  const perConnection = step.perConnection ?? 40;
  if ((step.to === undefined) === (step.add === undefined)) throw new StepAbort("fill needs exactly one of to, add");
  let need = step.add ?? step.to! - (await listRows(conn, timeout)).rows.length;
  if (need < 0) {
    return ctx.record(step, index, { mismatches: [{ path: "", message: `the list already holds more than ${step.to} rows` }] });
  }
  const pending: { helper: WireConnection; id: string | number }[] = [];
  let helper: WireConnection | undefined;
  let budget = 0;
  for (let n = 0, k = 0; need > 0; ) {
    if (budget === 0) {
      const name = `${prefix}-conn-${k++}`;
      const actor = { client: { instanceId: name, displayName: name } };
      ctx.helpers.set(name, actor);
      prepareActor(ctx, name, actor, ["system-event"]);
      helper = await openActor(ctx, name, timeout);
      const { answer } = await handshake(ctx, name, helper, timeout);
      if (answer.frame.kind !== "result") throw new StepAbort(`fill: helper connection ${name} was refused`, [answer.record]);
      budget = perConnection;
      need--;
      continue;
    }
    const beacon = { instanceId: `${prefix}-${n++}`, text: "conformance fill", mode: "test" };
    pending.push({ helper: helper!, id: helper!.request("system-event", beacon).id });
    budget--;
    need--;
  }
  const refused: WireRecord[] = [];
  for (const p of pending) {
    const answer = await p.helper.waitResponse(p.id, timeout).catch((e: Error) => {
      throw new StepAbort(`fill: ${e.message}`);
    });
    if (answer.frame.kind === "error") refused.push(answer.record);
  }
  const { rows, frames } = await listRows(conn, timeout);
  const mismatches: Mismatch[] = refused.length ? [{ path: "", message: `fill: ${refused.length} beacons were refused` }] : [];
  if (step.to !== undefined && rows.length !== step.to) mismatches.push({ path: "/count", message: `after adding rows up to ${step.to}, the list holds ${rows.length}` });
  mismatches.push(...capture(ctx, step.capture, rows));
  ctx.record(step, index, { mismatches, expected: step.to === undefined ? { added: step.add } : { count: step.to }, actual: { count: rows.length }, frames: [...refused.slice(0, 2), ...frames] });
}
