/** The step kinds of a scenario (see scenario.ts for matchers and variables; event steps are in event-steps.ts). */
import type { CountEventsStep, DrainEventsStep, ExpectEventStep, ExpectNoEventStep } from "./event-steps.js";
import type { ErrorExpectation, Expectation, StepBase } from "./step-base.js";

export type { CountEventsStep, DrainEventsStep, ExpectEventStep, ExpectNoEventStep } from "./event-steps.js";
export type { ErrorExpectation, ErrorMatch, Expectation, StepBase } from "./step-base.js";

/** @additionalProperties false */
export interface OpenStep extends StepBase {
  step: "open";
  actor: string;
  /**
   * The gateway to open this connection on (position in the run's URLs; default the actor's): an actor
   * that reconnects to another gateway of a cluster.
   * @TJS-type integer
   * @minimum 0
   */
  gateway?: number;
}

/** Opens a fresh connection (if needed) and sends `connect`; default expectation: hello-ok. @additionalProperties false */
export interface ConnectStep extends StepBase {
  step: "connect";
  actor: string;
  /**
   * The gateway a fresh connection opens on (position in the run's URLs; default the actor's): an
   * actor that reconnects to another gateway of a cluster.
   * @TJS-type integer
   * @minimum 0
   */
  gateway?: number;
  expect?: Expectation;
  /** Expected close code after the answer (e.g. 1008, 1002). */
  close?: number;
}

/** @additionalProperties false */
export interface DisconnectStep extends StepBase {
  step: "disconnect";
  actor: string;
}

/** One request of a batch. @additionalProperties false */
export interface BatchEntry {
  method: string;
  params?: unknown;
}

/**
 * Sends one request (`method`, `params`), a raw text frame (`raw`) or a batch (`batch`, jsonrpc).
 * @additionalProperties false
 */
export interface SendStep extends StepBase {
  step: "send";
  actor: string;
  method?: string;
  params?: unknown;
  /**
   * Sent as is: malformed JSON, a non-object frame, an oversized frame. The answer is the one with
   * the frame's id (id null when it has none, or one that does not survive JSON); a raw batch waits
   * for one answer per entry that has an id, in order (`expect` then lists them).
   */
  raw?: string;
  batch?: BatchEntry[];
  /** For a batch: one expectation per entry, in order. */
  expect?: Expectation | Expectation[];
  /** Expected close code after the answer. */
  close?: number;
  /** Do not wait for an answer (only `close` is checked, if given). */
  noAnswer?: boolean;
  /**
   * `false`: send the params exactly as written even when the gateway needs more (e.g. a `text` on
   * beacons), because what is missing is what the step checks (a text-less beacon under SPEC M2).
   */
  adapt?: boolean;
}

/**
 * Sends `count` requests back to back and tallies the answers; `${i}` is the request index.
 * @additionalProperties false
 */
export interface FloodStep extends StepBase {
  step: "flood";
  actor: string;
  method: string;
  params?: unknown;
  /**
   * @TJS-type integer
   * @minimum 1
   * @maximum 2000
   */
  count: number;
  /** At least one answer must match this. */
  some?: Expectation;
  /** Matcher for the number of result answers. */
  okCount?: unknown;
  /** Matcher for the number of error answers. */
  errorCount?: unknown;
  /** `false`: send the params exactly as written (see SendStep.adapt). */
  adapt?: boolean;
}

/**
 * An error frame no earlier step consumed: an unsolicited one (id null, e.g. the handshake timeout)
 * or the answer to a `noAnswer` send. Looks at frames received before the connection closed too.
 * @additionalProperties false
 */
export interface ExpectErrorStep extends StepBase {
  step: "expectError";
  actor: string;
  error: ErrorExpectation;
  /** Matcher for the error frame's request id; `null`: an error tied to no request (e.g. the handshake timeout). */
  requestId?: unknown;
  /** A number, or a variable such as `${config.handshakeTimeoutMs}`. */
  withinMs: number | string;
  /**
   * Added to withinMs.
   * @TJS-type integer
   * @minimum 0
   */
  graceMs?: number;
}

/** @additionalProperties false */
export interface ExpectCloseStep extends StepBase {
  step: "expectClose";
  actor: string;
  /** Expected close code; any code when absent. */
  code?: number;
  /** A number, or a variable. */
  withinMs: number | string;
  /**
   * Added to withinMs.
   * @TJS-type integer
   * @minimum 0
   */
  graceMs?: number;
}

/**
 * Calls `system-presence` and checks the rows. `ts` is ignored by `equals`.
 * @additionalProperties false
 */
export interface ListStep extends StepBase {
  step: "list";
  actor: string;
  /** Each matcher must match at least one row. */
  contains?: unknown[];
  /** No row may match any of these. */
  notContains?: unknown[];
  /** Rows that `count`, `equals` and `capture` look at (default: all). */
  where?: unknown;
  /** Matcher for the number of (`where`-filtered) rows. */
  count?: unknown;
  /** The (`where`-filtered) rows, in any order, each matched exactly (no extra fields), `ts` ignored. */
  equals?: unknown[];
  /** Rows are ordered newest `ts` first (SPEC M1). */
  sorted?: boolean;
  /**
   * Poll until the rows match, up to this long (a gateway applies a close a moment after the client sees it).
   * @TJS-type integer
   * @minimum 0
   * @maximum 10000
   */
  eventuallyMs?: number;
  /** Name of a captured listing: exactly one row is gone since then, one with the oldest non-self `ts` (SPEC S2). */
  evictedOldestSince?: string;
  /** What the later steps take for granted about these rows: `oldest`, checked once the step's own checks pass, or that they pass (`passes`). */
  assume?: ListAssumption;
}

/**
 * A scenario's premise about a listing, not a rule the gateway is judged on: e.g. that its victim is
 * still the oldest row before the write that exceeds the cap (a keep-alive refresh, SPEC P7, can rightly
 * make it newer). When it does not hold, the scenario stops there and is not judged: skipped, its reason
 * `not judged: <what the listing shows>; <because>`, unless a check before it failed (then it fails on
 * those checks). Or that the step's own checks pass (`passes`): see ChecksPassPremise.
 */
export type ListAssumption = OldestPremise | ChecksPassPremise;

/** @additionalProperties false */
export interface OldestPremise {
  /** The non-self row with the oldest `ts` matches this, and no other non-self row has that `ts`. */
  oldest: unknown;
  /** Why it may not hold on a gateway that does right, and what to do about it (the skip reason says it). */
  because: string;
}

/**
 * The later steps build on what this step checks (e.g. that a closed connection's row is kept, SPEC
 * P6, before a reconnect that must find its fields): when the step's checks fail, that failure stands,
 * charged to the step's own rules, and the later steps are not run (their rules would be charged with
 * it). The check's message ends `(N later steps not run: <because>)`.
 * @additionalProperties false
 */
export interface ChecksPassPremise {
  passes: true;
  /** What the later steps judge, and why they cannot when this step fails (the failed check's message says it). */
  because: string;
}

/** Calls `test.clock.advance`. @additionalProperties false */
export interface AdvanceClockStep extends StepBase {
  step: "advanceClock";
  actor: string;
  /**
   * @TJS-type integer
   * @minimum 0
   */
  ms: number;
}

/** @additionalProperties false */
export interface SleepStep extends StepBase {
  step: "sleep";
  /**
   * @TJS-type integer
   * @minimum 0
   * @maximum 60000
   */
  ms: number;
}

/**
 * Waits on the wall clock, e.g. for the TTL in a real-time run (`"ms": "${config.ttlMs + 5000}"`). Unlike
 * `sleep` it has no upper bound, its time does not count against the scenario's deadline, and the run
 * shows progress while it waits.
 * @additionalProperties false
 */
export interface WaitStep extends StepBase {
  step: "wait";
  /** A number of ms, or a variable expression such as `${config.ttlMs + 5000}`. */
  ms: number | string;
}

/**
 * Adds rows with beacons carrying distinct instanceIds `<prefix>-<n>`, spread over extra connections
 * (`<prefix>-conn-<n>`, each a row too) so no connection meets the rate limit. With `to`: until the
 * list holds that many rows (checked); with `add`: that many new keys, whatever the cap does.
 * @additionalProperties false
 */
export interface FillStep extends StepBase {
  step: "fill";
  actor: string;
  /**
   * @TJS-type integer
   * @minimum 1
   * @maximum 1000
   */
  to?: number;
  /**
   * @TJS-type integer
   * @minimum 1
   * @maximum 1000
   */
  add?: number;
  prefix: string;
  /**
   * Beacons per connection (default 40, under the default burst of 50).
   * @TJS-type integer
   * @minimum 1
   */
  perConnection?: number;
}

export type Step =
  | OpenStep
  | ConnectStep
  | DisconnectStep
  | SendStep
  | FloodStep
  | ExpectEventStep
  | ExpectNoEventStep
  | DrainEventsStep
  | CountEventsStep
  | ExpectErrorStep
  | ExpectCloseStep
  | ListStep
  | AdvanceClockStep
  | SleepStep
  | WaitStep
  | FillStep;

export type StepKind = Step["step"];
