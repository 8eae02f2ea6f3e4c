/** What every step kind shares: the common fields and the expectation of an answer. */
import type { Level, RuleId } from "./rules.js";

/** An error matched by more than its name. @additionalProperties false */
export interface ErrorMatch {
  /** SPEC §10 name, e.g. INVALID_PARAMS (on jsonrpc the numeric code is checked too). */
  name?: string;
  /** Matcher for the message. */
  message?: unknown;
  /** Matcher for error.data. */
  data?: unknown;
}

/** An error by its SPEC §10 name, or an ErrorMatch. */
export type ErrorExpectation = string | ErrorMatch;

/**
 * What a request must be answered with: `{result: matcher}` (default: any result) or `{error}`.
 * @additionalProperties false
 */
export interface Expectation {
  result?: unknown;
  error?: ErrorExpectation;
}

/** Fields every step may have. */
export interface StepBase {
  /** Stable check id for reports and baselines; default `<index>-<step>`. */
  id?: string;
  /** What the step checks, for reports. */
  title?: string;
  /** Overrides the scenario's level for this step's checks. */
  level?: Level;
  /** Overrides the scenario's rules for this step's checks. */
  rules?: RuleId[];
  /**
   * Run this step only over this binding (a frame written in one binding's syntax); over the other it is
   * left out, with no check. Lets one scenario check a rule over both bindings.
   */
  binding?: "jsonrpc" | "openclaw";
  /**
   * How long to wait for answers; default: the run's step timeout.
   * @TJS-type integer
   * @minimum 1
   * @maximum 2147483647
   */
  timeoutMs?: number;
  /** Variables to set from the step's value (JSON Pointer into hello-ok, result, error, event payload or rows). */
  capture?: { [variable: string]: string };
}
