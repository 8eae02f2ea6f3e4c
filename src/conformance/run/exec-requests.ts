/** Executors of the steps that open connections and send requests: open, connect, disconnect, send, flood. */
import { EMPTY_CODE, NO_CODE, sentErrorCode, type RequestId } from "../../transport/frames.js";
import { adaptRequestParams, beaconText } from "./adapt.js";
import { handshake, openActor } from "./actors.js";
import { StepAbort, type ScenarioContext } from "./context.js";
import { answerValue, checkAnswer, reportedAnswer, type Answer } from "../checks/expect.js";
import { match, show, type Mismatch } from "../checks/matchers.js";
import type { ConnectStep, DisconnectStep, Expectation, FloodStep, OpenStep, SendStep } from "../scenario/steps.js";
import { pointer, resolve, VariableError } from "../scenario/vars.js";
import { acceptedWithoutTokenText } from "./option-words.js";
import { lossyIdMismatch, rawAnswerWaits, type RawWait } from "./raw-ids.js";
import type { Received, WireConnection, WireRecord } from "./wire.js";

export function timeoutOf(ctx: ScenarioContext, step: { timeoutMs?: number }): number {
  return step.timeoutMs ?? ctx.config.stepTimeoutMs;
}

/** The SPEC §10 name an expectation's error has (undefined: it expects a result, or no name). */
function expectedErrorName(expected: Expectation | undefined): string | undefined {
  const error = expected?.error;
  return typeof error === "string" ? error : error?.name;
}

/** Sets the step's `capture` variables from its value; a missing value is a mismatch. */
export function capture(ctx: ScenarioContext, spec: Record<string, string> | undefined, value: unknown): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [name, path] of Object.entries(spec ?? {})) {
    try {
      ctx.vars[name] = pointer(value, path);
    } catch (error) {
      if (!(error instanceof VariableError)) throw error;
      out.push({ path, message: `cannot capture ${name}: ${error.message}` });
    }
  }
  return out;
}

async function closeMismatch(conn: WireConnection, expected: number | undefined, timeoutMs: number): Promise<Mismatch[]> {
  if (expected === undefined) return [];
  const info = await conn.waitClose(timeoutMs);
  if (!info) return [{ path: "/close", message: `expected the gateway to close with ${expected} within ${timeoutMs} ms; it stayed open` }];
  return info.code === expected ? [] : [{ path: "/close", message: `expected close code ${expected}, got ${info.code}` }];
}

/** A request's params, adapted to what the gateway needs unless the step says `adapt: false` (recorded). */
function requestParams(ctx: ScenarioContext, step: SendStep | FloodStep, index: number, method: string, params: unknown): unknown {
  if (step.adapt === false) return params;
  const adapted = adaptRequestParams(method, params, ctx.config.needs, beaconText(ctx.scenario, ctx.config.runId));
  for (const { change, reason } of adapted.changes) ctx.adapted(step.actor, ctx.stepId(step, index), change, reason);
  return adapted.value;
}

export async function execOpen(ctx: ScenarioContext, step: OpenStep): Promise<void> {
  await openActor(ctx, step.actor, timeoutOf(ctx, step), step.gateway);
}

export async function execConnect(ctx: ScenarioContext, step: ConnectStep, index: number): Promise<void> {
  const timeout = timeoutOf(ctx, step);
  const existing = ctx.connections.get(step.actor);
  const conn = existing?.open ? existing : await openActor(ctx, step.actor, timeout, step.gateway);
  const { answer, sent } = await handshake(ctx, step.actor, conn, timeout);
  const frame = answer.frame as Answer;
  const expected: Expectation = resolve(step.expect, ctx.vars) ?? { result: { type: "hello-ok" } };
  const mismatches = checkAnswer(expected, frame, ctx.config.binding.errorEquivalents);
  // An actor sent no or a wrong token and was let in: say both ways that can happen (SPEC H5), first.
  const auth = ctx.actor(step.actor).auth;
  if (frame.kind === "result" && expected.error !== undefined && (auth === "none" || auth === "wrong") && ctx.config.token !== undefined) {
    mismatches.unshift({ path: "", message: acceptedWithoutTokenText(auth, ctx.config.words) });
  }
  if (frame.kind === "result") {
    const hello = frame.result as { server?: { connId?: unknown } } | undefined;
    const actorVars = ctx.vars[step.actor] as Record<string, unknown>;
    actorVars.hello = hello;
    actorVars.connId = hello?.server?.connId;
  }
  mismatches.push(...capture(ctx, step.capture, answerValue(frame)));
  mismatches.push(...(await closeMismatch(conn, step.close, timeout)));
  ctx.record(step, index, { mismatches, expected: { ...expected, ...(step.close ? { close: step.close } : {}) }, actual: reportedAnswer(frame), frames: [sent, answer.record] });
}

export async function execDisconnect(ctx: ScenarioContext, step: DisconnectStep): Promise<void> {
  const conn = ctx.connections.get(step.actor);
  if (!conn) throw new StepAbort(`actor "${step.actor}" has no connection to close`);
  await conn.close();
}

export async function execSend(ctx: ScenarioContext, step: SendStep, index: number): Promise<void> {
  const timeout = timeoutOf(ctx, step);
  const conn = ctx.connection(step.actor);
  const waits: (RawWait & { sent: WireRecord })[] = [];
  if (step.raw !== undefined) {
    const raw = resolve(step.raw, ctx.vars);
    const sent = conn.send(raw);
    for (const wait of rawAnswerWaits(raw)) {
      if (wait.lossy !== undefined) conn.lossyIdsSent.add(wait.lossy);
      waits.push({ ...wait, sent });
    }
  } else if (step.batch) {
    if (ctx.config.binding.name !== "jsonrpc") throw new StepAbort("a batch needs the jsonrpc binding");
    const entries = step.batch.map((e) => ({ id: conn.newId(), method: e.method, params: requestParams(ctx, step, index, e.method, resolve(e.params, ctx.vars)) }));
    for (const e of entries) conn.methods.set(e.id, e.method);
    const sent = conn.send(`[${entries.map((e) => ctx.config.binding.encodeRequest(e.id, e.method, e.params)).join(",")}]`);
    for (const e of entries) waits.push({ id: e.id, sent });
  } else {
    if (step.method === undefined) throw new StepAbort("a send step needs method, raw or batch");
    const { id, record } = conn.request(step.method, requestParams(ctx, step, index, step.method, resolve(step.params, ctx.vars)));
    waits.push({ id, sent: record });
  }
  if (step.noAnswer) {
    const mismatches = await closeMismatch(conn, step.close, timeout);
    ctx.record(step, index, { mismatches, expected: { close: step.close }, frames: waits.map((w) => w.sent) });
    return;
  }
  const answers: Received[] = [];
  const expectations = Array.isArray(step.expect) ? step.expect : [step.expect];
  const resolvedExpect = resolve(expectations, ctx.vars) as (Expectation | undefined)[];
  for (const [i, w] of waits.entries()) {
    // A lossy id: the first answer received after the send (later in the wire log, not merely in the
    // same millisecond), whatever id it carries (lossyIdMismatch judges it). A raw frame expected to be
    // refused as INVALID_REQUEST may be answered with id null even when its id is readable (JSON-RPC
    // 2.0 §5: null "if there was an error in detecting the id ... (e.g. Parse error/Invalid Request)").
    const nullOk = step.raw !== undefined && w.id !== null && expectedErrorName(resolvedExpect[i]) === "INVALID_REQUEST";
    const after = (r: Received) => r.frame.kind !== "event" && r.record.seq > w.sent.seq;
    const test = (r: Received) => r.frame.kind !== "event" && (w.lossy !== undefined ? after(r) : r.frame.id === w.id || (nullOk && r.frame.id === null && after(r)));
    try {
      answers.push(await conn.waitFor(test, timeout, `answer to ${w.id === null ? "the raw frame" : `request ${JSON.stringify(w.id)}`}`));
    } catch (error) {
      // What came instead, said: an answer with another id (or a frame that is no answer at all) is
      // no answer to this request, but it is not nothing.
      const other = conn.received.find((r) => !r.consumed && after(r));
      const undecoded = conn.decodeErrors.find((d) => d.record.seq > w.sent.seq);
      const instead =
        w.id === null ? "" : other && other.frame.kind !== "event" ? `; the gateway did answer after it, but with id ${JSON.stringify(other.frame.id)}, not the request's id ${JSON.stringify(w.id)}` : undecoded ? `; after it the gateway sent a frame that is no answer: ${undecoded.message}` : "";
      const seen = other?.record ?? undecoded?.record;
      throw new StepAbort(`${(error as Error).message}${instead}`, seen ? [w.sent, seen] : [w.sent], true);
    }
  }
  const mismatches: Mismatch[] = [];
  if (resolvedExpect.length !== answers.length) mismatches.push({ path: "", message: `the step lists ${resolvedExpect.length} expectations for ${answers.length} answers` });
  answers.forEach((a, i) => {
    const found = [...lossyIdMismatch(waits[i]!, (a.frame as Answer).id, a.record), ...checkAnswer(resolvedExpect[i], a.frame as Answer, ctx.config.binding.errorEquivalents)];
    mismatches.push(...found.map((m) => (answers.length > 1 ? { ...m, path: `/${i}${m.path}` } : m)));
  });
  const values = answers.map((a) => answerValue(a.frame as Answer));
  mismatches.push(...capture(ctx, step.capture, values.length === 1 ? values[0] : values));
  mismatches.push(...(await closeMismatch(conn, step.close, timeout)));
  const frames = [...new Set([...waits.map((w) => w.sent), ...answers.map((a) => a.record)])];
  const actual = answers.map((a) => reportedAnswer(a.frame as Answer));
  ctx.record(step, index, { mismatches, expected: resolvedExpect.length === 1 ? (resolvedExpect[0] ?? { result: { $any: true } }) : resolvedExpect, actual: actual.length === 1 ? actual[0] : actual, frames });
}

export async function execFlood(ctx: ScenarioContext, step: FloodStep, index: number): Promise<void> {
  const timeout = timeoutOf(ctx, step);
  const conn = ctx.connection(step.actor);
  const ids: RequestId[] = [];
  for (let i = 0; i < step.count; i++) ids.push(conn.request(step.method, requestParams(ctx, step, index, step.method, resolve(step.params, { ...ctx.vars, i }))).id);
  const answers: Received[] = [];
  try {
    for (const id of ids) answers.push(await conn.waitResponse(id, timeout));
  } catch (error) {
    throw new StepAbort(`${(error as Error).message} (${answers.length} of ${step.count} answered)`);
  }
  const frames = answers.map((a) => a.frame as Answer);
  if (answers.length > 0) ctx.floods.push({ method: step.method, count: step.count, spanMs: answers.at(-1)!.at - answers[0]!.at });
  const ok = frames.filter((f) => f.kind === "result").length;
  const tally = { ok, errors: frames.length - ok };
  const errorsByCode = countByCode(frames);
  const mismatches: Mismatch[] = [];
  const some = resolve(step.some, ctx.vars);
  let evidence = answers.slice(-2);
  if (some !== undefined) {
    const hit = answers.find((a) => checkAnswer(some, a.frame as Answer, ctx.config.binding.errorEquivalents).length === 0);
    if (hit) evidence = [hit];
    else mismatches.push({ path: "", message: `none of ${step.count} answers matched ${show(some)} (${ok} results, ${tally.errors} errors${tally.errors ? `: ${showCounts(errorsByCode)}` : ""})` });
  }
  if (step.okCount !== undefined) mismatches.push(...match(resolve(step.okCount, ctx.vars), ok, "/okCount"));
  if (step.errorCount !== undefined) mismatches.push(...match(resolve(step.errorCount, ctx.vars), tally.errors, "/errorCount"));
  mismatches.push(...capture(ctx, step.capture, tally));
  ctx.record(step, index, { mismatches, expected: { some, okCount: step.okCount, errorCount: step.errorCount }, actual: { ...tally, errorsByCode }, frames: evidence.map((a) => a.record) });
}

/**
 * How many error answers carried each code, as sent (sentErrorCode: OpenClaw's string code, JSON-RPC's
 * data.code or number); NO_CODE and EMPTY_CODE count the errors without one and with `""`.
 */
function countByCode(frames: readonly Answer[]): Record<string, number> {
  // A Map: the codes are the gateway's strings ("constructor", "__proto__" must count like any other).
  const counts = new Map<string, number>();
  for (const f of frames) {
    if (f.kind !== "error") continue;
    const sent = sentErrorCode(f.error);
    const code = sent === undefined ? NO_CODE : sent === "" ? EMPTY_CODE : String(sent);
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return Object.fromEntries(counts);
}

/** `{UNAVAILABLE: 232, "-32603": 3}` -> `232 UNAVAILABLE, 3 -32603`. */
function showCounts(counts: Record<string, number>): string {
  return Object.entries(counts).map(([code, n]) => `${n} ${code}`).join(", ");
}
