/** Actors: their connect params, their connections and the handshake through the binding. */
import { setTimeout as delay } from "node:timers/promises";
import type { ConnectParams } from "../../protocol/connect.js";
import { StepAbort, type ScenarioContext } from "./context.js";
import type { Actor } from "../scenario/scenario.js";
import { resolve } from "../scenario/vars.js";
import { adaptConnectParams } from "./adapt.js";
import { GatewayGoneError, GatewayRefusedError, MAX_REFUSED_ATTEMPTS, RATE_STATUSES, REFUSED_BACKOFF_MS, RefusedUpgradeError, secondsText } from "./refusals.js";
import { WireConnection, type Received } from "./wire.js";

export const DEFAULT_CLIENT = { id: "conformance", version: "1.0.0", platform: "conformance", mode: "test" } as const;

/** The connect params of an actor, variables resolved (once per scenario, so `${gen.uuid}` is stable). */
export function buildConnectParams(ctx: ScenarioContext, actor: Actor): Record<string, unknown> {
  const a = resolve(actor, ctx.vars);
  const { binding, token } = ctx.config;
  const params: Record<string, unknown> = {
    minProtocol: a.protocol?.min ?? binding.protocol.min,
    maxProtocol: a.protocol?.max ?? binding.protocol.max,
    client: { ...DEFAULT_CLIENT, ...a.client },
  };
  if (a.role !== undefined) params.role = a.role;
  if (a.scopes !== undefined) params.scopes = a.scopes;
  const auth = a.auth ?? "default";
  if (auth === "default") {
    if (token !== undefined) params.auth = { token };
  } else if (auth === "wrong") {
    params.auth = { token: `${token ?? ""}-not-the-token` };
  } else if (auth !== "none") {
    params.auth = { token: auth.token };
  }
  return { ...params, ...a.extra };
}

/**
 * Declares an actor for the scenario: its params, adapted to what the gateway needs for the methods it
 * will call (each change recorded), then `${name.*}`.
 */
export function prepareActor(ctx: ScenarioContext, name: string, actor: Actor, methods: Iterable<string>): void {
  const adapted = adaptConnectParams(buildConnectParams(ctx, actor), actor, methods, ctx.config.needs);
  for (const { change, reason } of adapted.changes) ctx.adapted(name, undefined, change, reason);
  declareActor(ctx, name, adapted.value);
}

/** Sets `${name.*}` from the actor's params: every client field, role, scopes. */
export function declareActor(ctx: ScenarioContext, name: string, params: Record<string, unknown>): void {
  const client = params.client as Record<string, unknown>;
  ctx.vars[name] = { ...client, role: params.role ?? "operator", scopes: params.scopes, params };
}

export function actorParams(ctx: ScenarioContext, name: string): Record<string, unknown> {
  ctx.actor(name);
  return (ctx.vars[name] as { params: Record<string, unknown> }).params;
}

/**
 * Opens a fresh connection for the actor (closing none: the previous one must be closed by a step), on
 * its gateway or on `gateway` (a position in the run's URLs). In a scenario (`ctx.timeLeftMs` set), an
 * upgrade refused with 429/503 is tried again after the wait its Retry-After asks (else
 * REFUSED_BACKOFF_MS), while that fits in what is left of the scenario's deadline; still refused, it
 * throws GatewayRefusedError: the gateway said "not now", which is no verdict on the rule under test.
 * The probe (no `timeLeftMs`) waits out refusals its own way (probe.ts).
 */
export async function openActor(ctx: ScenarioContext, name: string, timeoutMs: number, gateway?: number): Promise<WireConnection> {
  const params = actorParams(ctx, name);
  const { binding } = ctx.config;
  const url = ctx.gatewayUrl(name, gateway);
  const headers = binding.upgradeHeaders?.(url, params as unknown as ConnectParams);
  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const conn = await WireConnection.open(url, name, binding, ctx.log, headers, timeoutMs);
      ctx.track(name, conn);
      return conn;
    } catch (error) {
      const refusal = error instanceof RefusedUpgradeError && RATE_STATUSES.has(error.refusal.httpStatus) ? error.refusal : undefined;
      // In a scenario (the probe connected before): nothing listens there any more. The run ends (runner.ts).
      const gone = ctx.timeLeftMs && /\bECONNREFUSED\b/.exec((error as Error).message);
      if (gone) throw new GatewayGoneError(url, `actor "${name}" of ${ctx.scenario.id} could not open its connection`, gone[0]);
      if (!refusal || !ctx.timeLeftMs) {
        const abort = new StepAbort(`actor "${name}": ${(error as Error).message}`);
        abort.cause = error; // the probe reads a refusal's status and Retry-After from it
        throw abort;
      }
      const waitMs = refusal.retryAfterMs ?? REFUSED_BACKOFF_MS;
      const leftMs = ctx.timeLeftMs();
      if (attempt >= MAX_REFUSED_ATTEMPTS || waitMs >= leftMs) {
        const tried = `${attempt} attempt${attempt === 1 ? "" : "s"}${waitedMs ? ` over ${secondsText(waitedMs)}` : ""}`;
        // At least, not more: a wait equal to the time left does not fit either (the scenario's steps need time too).
        const tooLong = `its wait is at least the ${secondsText(Math.max(0, leftMs))} left of the scenario's timeout`;
        const why = waitMs >= leftMs ? `${tooLong} (${tried}): a ${ctx.config.words.timeout} longer than the wait asked lets the run wait it out` : `still refused (${tried})`;
        throw new GatewayRefusedError(refusal, `actor "${name}" of ${ctx.scenario.id}: ${why}`);
      }
      ctx.log.add(name, "meta", `refused (HTTP ${refusal.httpStatus}): trying again in ${waitMs} ms`);
      ctx.refusalsWaitedOut.push(refusal.httpStatus);
      await delay(waitMs);
      waitedMs += waitMs;
    }
  }
}

/**
 * Sends `connect` (after the binding's preparation, e.g. OpenClaw's challenge) and waits for the answer.
 * Either wait ends as soon as a frame of the other wire binding shows the run's binding is wrong.
 */
export async function handshake(ctx: ScenarioContext, name: string, conn: WireConnection, timeoutMs: number): Promise<{ answer: Received; sent: Received["record"] }> {
  let params = actorParams(ctx, name);
  const { binding } = ctx.config;
  if (binding.prepareConnect) {
    try {
      params = await binding.prepareConnect(params as unknown as ConnectParams, {
        latestEvent: (event) => {
          const found = [...conn.received].reverse().find((r) => r.frame.kind === "event" && r.frame.event === event);
          return found?.frame.kind === "event" ? found.frame.payload : undefined;
        },
        waitForEvent: async (event, ms) => {
          const { frame } = await conn.waitFor((r) => r.frame.kind === "event" && r.frame.event === event, ms, `${event} event`, true);
          return frame.kind === "event" ? frame.payload : undefined;
        },
        adapted: (change, reason) => ctx.adapted(name, undefined, `${binding.name} binding: ${change}`, reason),
      });
    } catch (error) {
      throw new StepAbort(`actor "${name}": the ${binding.name} binding could not prepare connect: ${(error as Error).message}`);
    }
  }
  const { id, record } = conn.request("connect", params);
  try {
    return { answer: await conn.waitResponse(id, timeoutMs, true), sent: record };
  } catch (error) {
    throw new StepAbort(`actor "${name}": ${(error as Error).message}`, [record]);
  }
}
