/**
 * Adapt, don't skip: when a gateway needs more than SPEC asks (OpenClaw: `operator.admin` and a
 * non-empty `text` for system-event), the harness adds it so the scenario's rule is still checked,
 * and lists every change per actor. Actors and steps marked `adapt: false` are sent as written: what
 * they leave out is what they check (a text-less beacon under M2, `operator.write` under H7).
 */
import type { Actor, Scenario, Step } from "../scenario/scenario.js";

/** SPEC H7's default operator scopes. */
export const SPEC_OPERATOR_SCOPES: readonly string[] = ["operator.read", "operator.write"];

/** What a gateway needs beyond SPEC, as the probe learned it. */
export interface GatewayNeeds {
  /** Scopes the gateway wants for a method beyond SPEC H7's, e.g. `{"system-event": ["operator.admin"]}`. */
  scopes: Record<string, string[]>;
  /** `system-event` is refused without a non-empty `text` (SPEC M2 makes it optional). */
  beaconText: boolean;
  /** How each need was learned: the probe's request and the gateway's answer. */
  evidence: string[];
}

export const NO_NEEDS: GatewayNeeds = { scopes: {}, beaconText: false, evidence: [] };

/** The methods an actor calls in a scenario (send, flood and batch steps). */
export function methodsSentBy(steps: readonly Step[], actor: string): Set<string> {
  const methods = new Set<string>();
  for (const step of steps) {
    if (!("actor" in step) || step.actor !== actor) continue;
    if (step.step === "send") {
      if (step.method !== undefined) methods.add(step.method);
      for (const entry of step.batch ?? []) methods.add(entry.method);
    } else if (step.step === "flood") methods.add(step.method);
  }
  return methods;
}

export interface Adapted<T> {
  value: T;
  /** What changed and why; empty when nothing did. */
  changes: { change: string; reason: string }[];
}

function needEvidence(needs: GatewayNeeds, what: RegExp): string {
  const evidence = needs.evidence.find((e) => what.test(e));
  return evidence ? ` (probe: ${evidence})` : "";
}

/**
 * The connect params of an operator actor that calls methods needing more scopes: its scopes (SPEC's
 * default when it names none) plus those. Node actors and `adapt: false` actors are left alone.
 */
export function adaptConnectParams(params: Record<string, unknown>, actor: Actor, methods: Iterable<string>, needs: GatewayNeeds): Adapted<Record<string, unknown>> {
  const role = params.role ?? "operator";
  if (actor.adapt === false || role !== "operator") return { value: params, changes: [] };
  const current = Array.isArray(params.scopes) ? (params.scopes as string[]) : [...SPEC_OPERATOR_SCOPES];
  const extra: string[] = [];
  const why: string[] = [];
  for (const method of methods) {
    const wanted = (needs.scopes[method] ?? []).filter((s) => !current.includes(s) && !extra.includes(s));
    if (wanted.length === 0) continue;
    extra.push(...wanted);
    why.push(`the gateway needs ${wanted.join(", ")} for ${method}${needEvidence(needs, new RegExp(method.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))}`);
  }
  if (extra.length === 0) return { value: params, changes: [] };
  return {
    value: { ...params, scopes: [...current, ...extra] },
    changes: [{ change: `scopes ${JSON.stringify(current)} + ${extra.join(", ")}`, reason: `${why.join("; ")}; SPEC H7 asks only for ${SPEC_OPERATOR_SCOPES.join(" or ")}` }],
  };
}

/** A system-event's params with a text added when the gateway needs one and the step sends none. */
export function adaptRequestParams(method: string, params: unknown, needs: GatewayNeeds, text: string): Adapted<unknown> {
  if (method !== "system-event" || !needs.beaconText) return { value: params, changes: [] };
  if (params === null || typeof params !== "object" || Array.isArray(params) || "text" in params) return { value: params, changes: [] };
  return {
    value: { ...params, text },
    changes: [{ change: `text ${JSON.stringify(text)} added`, reason: `the gateway refuses a system-event without text${needEvidence(needs, /text/)}; SPEC M2 makes text optional` }],
  };
}

/** The text the harness adds to a beacon: recognisable in a listing, so a row keyed by it is visible (SPEC K2). */
export function beaconText(scenario: Scenario, runId: string): string {
  return `conformance beacon ${runId} ${scenario.id}`;
}
