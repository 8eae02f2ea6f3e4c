/** Executors of the steps that wait for what the gateway pushes: events, unsolicited errors, closes. */
import type { CheckOutcome, ScenarioContext } from "./context.js";
import { clampTimerMs } from "../../protocol/durations.js";
import { checkError, reportedError } from "../checks/expect.js";
import { capture, timeoutOf } from "./exec-requests.js";
import { match, matches, type Mismatch } from "../checks/matchers.js";
import type { CountEventsStep, DrainEventsStep, ExpectCloseStep, ExpectErrorStep, ExpectEventStep, ExpectNoEventStep, WaitStep } from "../scenario/steps.js";
import { resolve, resolveNumber } from "../scenario/vars.js";
import { judgeEvents } from "./scenario-rows.js";
import { WaitError, type Received, type WireConnection } from "./wire.js";

/** A flood whose answers span this long (ms) was handled over several turns by the gateway, not as one burst. */
const SPREAD_MS = 200;

/** Waits `ms` (a fixture's wait, a variable's value: at most the 24.8 days a timer can wait, not 1 ms for more). */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, clampTimerMs(ms)));

/**
 * Waits `ms`, then lets the event loop read what the sockets already hold: after a stall (a loaded
 * machine, a GC pause) the timer fires in the same turn as frames that arrived during the wait, and
 * those must count as arrived within it.
 */
async function window(ms: number): Promise<void> {
  await sleep(ms);
  await new Promise<void>((r) => setImmediate(r));
}

/** A wall-clock wait (real-time TTL scenarios): it extends the scenario's deadline and is shown as progress. */
export async function execWait(ctx: ScenarioContext, step: WaitStep): Promise<void> {
  const ms = Math.max(0, resolveNumber(step.ms, ctx.vars, "ms"));
  ctx.extendDeadline(ms);
  ctx.config.onWait?.(ctx.scenario.id, Date.now() + ms);
  await sleep(ms);
}

function isEvent(r: Received, name: string): boolean {
  return r.frame.kind === "event" && r.frame.event === name;
}

function payloadOf(r: Received): unknown {
  return r.frame.kind === "event" ? r.frame.payload : undefined;
}

export async function execExpectEvent(ctx: ScenarioContext, step: ExpectEventStep, index: number): Promise<void> {
  const conn = ctx.connection(step.actor);
  const within = resolveNumber(step.withinMs, ctx.vars, "withinMs") + (step.graceMs ?? 0);
  const expected = resolve(step.match, ctx.vars);
  try {
    const hit = await conn.waitFor((r) => isEvent(r, step.event) && (expected === undefined || matches(expected, payloadOf(r))), within, `${step.event} event`);
    const mismatches = capture(ctx, step.capture, payloadOf(hit));
    ctx.record(step, index, { mismatches, frames: [hit.record] });
  } catch (error) {
    if (!(error instanceof WaitError)) throw error;
    // Report the closest candidate: the latest event of that name, and why it did not match.
    const candidates = conn.received.filter((r) => isEvent(r, step.event) && !r.consumed);
    const last = candidates.at(-1);
    const why: Mismatch[] = last && expected !== undefined ? match(expected, payloadOf(last), "/payload") : [];
    ctx.record(step, index, {
      mismatches: [{ path: "", message: `${error.message}${candidates.length ? ` (${candidates.length} ${step.event} events did not match; the latest: ${why.map((m) => `${m.path} ${m.message}`).join("; ")})` : ""}` }],
      expected: { event: step.event, match: expected, withinMs: within },
      actual: last ? payloadOf(last) : "(no such event)",
      frames: candidates.slice(-3).map((r) => r.record),
    });
  }
}

/**
 * The events a step judges, and the unrelated ones it reports (`rows: "scenario"`, presence events
 * only; see scenario-rows.ts).
 */
function judged(ctx: ScenarioContext, conn: WireConnection, step: ExpectNoEventStep | CountEventsStep, events: Received[]): { events: Received[]; unrelated?: CheckOutcome["unrelated"] } {
  if (step.rows !== "scenario" || step.event !== "presence") return { events };
  const { related, unrelated } = judgeEvents(conn.received, events, ctx.sentValues);
  if (!unrelated.length) return { events: related };
  const what = unrelated.map((u) => (u.changed.length ? `changed ${u.changed.join(", ")}` : "changed no row"));
  return {
    events: related,
    unrelated: {
      note: `${unrelated.length} ${step.event} event${unrelated.length === 1 ? "" : "s"} not judged: no row of this scenario changed (${what.join("; ")})`,
      frames: unrelated.slice(0, 3).map((u) => u.event.record),
    },
  };
}

export async function execExpectNoEvent(ctx: ScenarioContext, step: ExpectNoEventStep, index: number): Promise<void> {
  const conn = ctx.connection(step.actor);
  const expected = resolve(step.match, ctx.vars);
  await window(step.forMs);
  const candidates = conn.received.filter((r) => isEvent(r, step.event) && !r.consumed && (expected === undefined || matches(expected, payloadOf(r))));
  const { events: hits, unrelated } = judged(ctx, conn, step, candidates);
  ctx.record(step, index, {
    mismatches: hits.length ? [{ path: "", message: `expected no ${step.event} event${expected === undefined ? "" : " matching"}${step.rows === "scenario" ? " changing a row of this scenario" : ""}, got ${hits.length}` }] : [],
    expected: { noEvent: step.event, match: expected, ...(step.rows ? { rows: step.rows } : {}) },
    actual: hits.length ? payloadOf(hits[0]) : undefined,
    frames: hits.slice(0, 3).map((r) => r.record),
    unrelated,
  });
}

/** Waits for quiet (no frame for quietMs, at most the step timeout), then consumes every event so far. */
export async function execDrainEvents(ctx: ScenarioContext, step: DrainEventsStep): Promise<void> {
  const conn = ctx.connection(step.actor);
  const quiet = step.quietMs ?? 100;
  const deadline = Date.now() + timeoutOf(ctx, step);
  let seen = -1;
  while (seen !== conn.received.length && Date.now() < deadline) {
    seen = conn.received.length;
    await window(quiet);
  }
  for (const r of conn.received) if (r.frame.kind === "event") r.consumed = true;
}

export async function execCountEvents(ctx: ScenarioContext, step: CountEventsStep, index: number): Promise<void> {
  const conn = ctx.connection(step.actor);
  await window(step.forMs);
  const all = conn.received.filter((r) => isEvent(r, step.event) && !r.consumed);
  for (const r of all) r.consumed = true;
  const { events, unrelated } = judged(ctx, conn, step, all);
  const expected = resolve(step.count, ctx.vars);
  const mismatches = match(expected, events.length, "/count");
  const flood = ctx.floods.at(-1);
  // Too many pushes for a burst that was not one on the gateway's side: its answers came spread out.
  if (mismatches.length && flood && flood.spanMs >= SPREAD_MS && events.length >= flood.count) {
    mismatches[0]!.message += `; likely cause: the gateway answered the ${flood.count} ${flood.method} requests over ${flood.spanMs} ms, not back to back, so each was handled in a turn of its own and coalescing per event-loop turn (SPEC E2) joins none of them; coalescing per interval (a push at most every few tens of ms) would`;
  }
  ctx.record(step, index, {
    mismatches,
    expected: { count: expected, ...(step.rows ? { rows: step.rows } : {}) },
    actual: { count: events.length },
    frames: events.slice(0, 3).map((r) => r.record),
    unrelated,
  });
}

export async function execExpectError(ctx: ScenarioContext, step: ExpectErrorStep, index: number): Promise<void> {
  const conn = ctx.connections.get(step.actor) ?? ctx.connection(step.actor);
  const within = resolveNumber(step.withinMs, ctx.vars, "withinMs") + (step.graceMs ?? 0);
  const expected = resolve(step.error, ctx.vars);
  const expectedId = step.requestId === undefined ? undefined : resolve(step.requestId, ctx.vars);
  try {
    const hit = await conn.waitFor((r) => r.frame.kind === "error", within, "an error frame");
    const frame = hit.frame.kind === "error" ? hit.frame : undefined;
    const mismatches = frame ? checkError(expected, frame.error, ctx.config.binding.errorEquivalents) : [];
    if (frame && expectedId !== undefined) mismatches.push(...match(expectedId, frame.id, "/requestId"));
    mismatches.push(...capture(ctx, step.capture, frame ? { error: frame.error } : undefined));
    ctx.record(step, index, { mismatches, expected: { error: expected, ...(expectedId !== undefined ? { requestId: expectedId } : {}) }, actual: frame ? { requestId: frame.id, ...reportedError(frame.error) } : undefined, frames: [hit.record] });
  } catch (error) {
    if (!(error instanceof WaitError)) throw error;
    ctx.record(step, index, { mismatches: [{ path: "", message: error.message }], expected: { error: expected, withinMs: within } });
  }
}

export async function execExpectClose(ctx: ScenarioContext, step: ExpectCloseStep, index: number): Promise<void> {
  const conn = ctx.connections.get(step.actor);
  if (!conn) return ctx.record(step, index, { mismatches: [{ path: "", message: `actor "${step.actor}" has no connection` }] });
  const within = resolveNumber(step.withinMs, ctx.vars, "withinMs") + (step.graceMs ?? 0);
  const info = await conn.waitClose(within);
  const mismatches: Mismatch[] = !info
    ? [{ path: "", message: `expected the gateway to close the connection within ${within} ms; it stayed open` }]
    : step.code !== undefined && info.code !== step.code
      ? [{ path: "/code", message: `expected close code ${step.code}, got ${info.code}` }]
      : [];
  ctx.record(step, index, { mismatches, expected: { close: step.code ?? "any" }, actual: info ? { close: info.code, reason: info.reason } : "(open)" });
}
