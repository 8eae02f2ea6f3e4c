/**
 * The probe's advertising checks (SPEC H4, S3): a method hello-ok lists must answer, and one that
 * answers must be listed (a test clock only in test mode). Judged from what the probe tried
 * (src/conformance/run/probe.ts), not only from hello-ok.
 */
import type { CheckResult } from "../report/results.js";

/** What trying a method showed: it answered, it was METHOD_NOT_FOUND, or the probe could not tell. */
export type MethodState = "works" | "missing" | "unknown";
export type ProbedMethod = "system-presence" | "system-event" | "test.clock.advance";

const RULE_OF: Record<ProbedMethod, CheckResult["rules"]> = { "system-presence": ["H4", "M1"], "system-event": ["H4", "M2"], "test.clock.advance": ["S3"] };

/** Advertised and working must agree; a method that is neither (a test clock outside test mode) is fine. */
export function advertisingCheck(method: ProbedMethod, advertised: boolean, state: MethodState): Omit<CheckResult, "status"> | undefined {
  if (state === "unknown" || (!advertised && state === "missing")) return undefined;
  const base = { id: `advertises-${method}`, rules: RULE_OF[method], level: "MUST" as const };
  if (advertised && state === "works") return { ...base, title: `${method} is advertised in hello-ok.features.methods and answers` };
  if (advertised) return { ...base, title: `${method} is advertised and answers`, message: `hello-ok.features.methods lists ${method}, but the gateway answers METHOD_NOT_FOUND` };
  return {
    ...base,
    title: `${method} answers, so hello-ok.features.methods must list it`,
    message: `${method} works but hello-ok.features.methods does not list it${method === "test.clock.advance" ? " (SPEC S3: a gateway in test mode lists it)" : " (SPEC H4)"}`,
  };
}
