/** The step kinds that wait for, count or rule out pushed events (see steps.ts for the rest). */
import type { StepBase } from "./step-base.js";

/** Waits for an event not yet consumed by this actor that matches. @additionalProperties false */
export interface ExpectEventStep extends StepBase {
  step: "expectEvent";
  actor: string;
  event: string;
  /** Matcher for the payload. */
  match?: unknown;
  /** A number, or a variable such as `${a.hello.policy.tickIntervalMs}`. */
  withinMs: number | string;
  /**
   * Added to withinMs.
   * @TJS-type integer
   * @minimum 0
   */
  graceMs?: number;
}

/**
 * Which `presence` events a step judges: `"scenario"`: only those that add, remove or change a row of
 * the scenario (the self row, or a row holding a value the scenario sent with `${run}` in it), each
 * compared with the list the actor held just before it; the others are reported with the check as
 * unrelated traffic. Default: every event of the kind.
 */
export type RowsJudged = "scenario";

/** No matching event arrives during `forMs` (events already received count too). @additionalProperties false */
export interface ExpectNoEventStep extends StepBase {
  step: "expectNoEvent";
  actor: string;
  event: string;
  match?: unknown;
  /** `presence` only: judge only events that change the scenario's rows (RowsJudged). */
  rows?: RowsJudged;
  /**
   * @TJS-type integer
   * @minimum 0
   * @maximum 2147483647
   */
  forMs: number;
}

/** Waits until no event arrived for `quietMs`, then marks every event so far as consumed. @additionalProperties false */
export interface DrainEventsStep extends StepBase {
  step: "drainEvents";
  actor: string;
  /**
   * @TJS-type integer
   * @minimum 0
   */
  quietMs?: number;
}

/** Counts unconsumed events of a kind arriving within `forMs`. @additionalProperties false */
export interface CountEventsStep extends StepBase {
  step: "countEvents";
  actor: string;
  event: string;
  /**
   * @TJS-type integer
   * @minimum 0
   * @maximum 2147483647
   */
  forMs: number;
  /** Matcher for the count. */
  count: unknown;
  /** `presence` only: count only events that change the scenario's rows (RowsJudged). */
  rows?: RowsJudged;
}
