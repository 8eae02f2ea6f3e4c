/** The state of one running scenario: its connections, variables, wire log and checks. */
import type { ClientBinding } from "../../transport/binding.js";
import { show, type Mismatch } from "../checks/matchers.js";
import { likelyCauses, premiseCauses, SeenRowsFold, type ClockEvidence } from "../checks/likely-causes.js";
import { cutText } from "../report/cut-text.js";
import type { Adaptation, CheckResult } from "../report/results.js";
import type { Actor, Capability, Level, RuleId, Scenario } from "../scenario/scenario.js";
import type { Step } from "../scenario/steps.js";
import type { Vars } from "../scenario/vars.js";
import type { GatewayNeeds } from "./adapt.js";
import type { OptionWords } from "./option-words.js";
import { sentRunValues } from "./scenario-rows.js";
import { MAX_TEXT_CHARS, WaitError, WireConnection, WireLog, type Received, type WireRecord } from "./wire.js";

/**
 * A check's expected or actual value for the report, with every string over MAX_TEXT_CHARS cut as
 * the wire log cuts frames, saying its length (the check judged the whole value). A gateway that
 * keeps an oversized beacon's 600 KB text (OpenClaw 2026.9.6) would otherwise put it into every
 * later failed listing's `actual`: 11 MB of JSON for one run.
 */
function cutLongStrings(value: unknown): unknown {
  if (typeof value === "string") return cutText(value, MAX_TEXT_CHARS);
  if (Array.isArray(value)) return value.map(cutLongStrings);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutLongStrings(v)]));
  return value;
}

/** What every scenario of a run shares. */
export interface RunConfig {
  /** The first gateway's URL (`urls[0]`). */
  url: string;
  /** Every gateway of the run (`conform --url A --url B`): one, or several of one cluster. */
  urls: string[];
  binding: ClientBinding;
  token: string | undefined;
  stepTimeoutMs: number;
  capabilities: Set<Capability>;
  /** Unique per run: instanceIds and hosts carry it so a scenario finds its own rows. */
  runId: string;
  handshakeTimeoutMs: number;
  /** What the gateway needs beyond SPEC (learned by the probe); steps are adapted to it. */
  needs: GatewayNeeds;
  /** The TTL real-time scenarios wait for (`${config.ttlMs}`). */
  ttlMs: number;
  /** Told when a `wait` step starts, with the wall-clock time it ends (for progress). */
  onWait?: (scenario: string, untilMs: number) => void;
  /** How messages name the options to change: the SDK's (default) or the command line's. */
  words: OptionWords;
}

/** A step could not go on (no connection, no answer): the scenario stops here. */
export class StepAbort extends Error {
  /**
   * `ran`: the step did run (its frame went out) and the gateway's answer is what stops it (none in
   * time, a close, an unusable answer): the check keeps the step's title instead of "could not run".
   */
  constructor(
    message: string,
    readonly frames: WireRecord[] = [],
    readonly ran = false,
  ) {
    super(message);
    this.name = "StepAbort";
  }
}

/**
 * A scenario's premise (a list step's `assume`) does not hold on this gateway: the later steps would
 * judge it on a false assumption. The scenario stops and is not judged (scenario-runner.ts).
 */
export class PremiseBroken extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PremiseBroken";
  }
}

export interface CheckOutcome {
  mismatches: Mismatch[];
  expected?: unknown;
  actual?: unknown;
  frames?: WireRecord[];
  /** Sub-check id (`<step id>.<sub>`), when a step records several checks. */
  sub?: string;
  title?: string;
  /** Frames the step saw but did not judge (`rows: "scenario"`), shown with the check whatever its status. */
  unrelated?: CheckResult["unrelated"];
  /** Said at the end of a failed check's message, after its likely causes (a premise's `(N later steps not run: ...)`). */
  after?: string;
}

export class ScenarioContext {
  readonly log = new WireLog();
  readonly vars: Vars;
  /** Open (or last) connection per actor. */
  readonly connections = new Map<string, WireConnection>();
  /** Every connection the scenario opened, for frame checks and clean-up. */
  readonly all: WireConnection[] = [];
  readonly checks: Omit<CheckResult, "status">[] = [];
  /** Actors a step adds on its own (fill's extra connections). */
  readonly helpers = new Map<string, Actor>();
  /** What the harness and the binding changed so the gateway could take part, per actor. */
  readonly adaptations: Adaptation[] = [];
  /** The values this scenario sent that carry the run id: what its rows hold (scenario-rows.ts). */
  readonly sentValues = new Set<string>();
  /** The HTTP status of each refused upgrade (429/503) an actor waited out and tried again (actors.ts). */
  readonly refusalsWaitedOut: number[] = [];
  aborted = false;
  /** Set when a premise did not hold (PremiseBroken): why the scenario is not judged. */
  notJudged: string | undefined;
  /** Set when a failed check stopped the scenario (a list step's `assume: {passes: true}`): its id. */
  stoppedAt: string | undefined;
  /** Called with the ms a `wait` step adds to the scenario's deadline. */
  extendDeadline: (ms: number) => void = () => {};
  /** The ms left before the scenario's deadline; set by runScenario (unset: not a scenario, e.g. the probe). */
  timeLeftMs: (() => number) | undefined;
  /** The gateway's clock as this scenario's `advanceClock` steps saw it (likely causes of failures). */
  readonly clock: ClockEvidence = { advancedMs: 0 };
  /** This scenario's floods: how many requests of which method, and the ms from their first answer to their last. */
  readonly floods: { method: string; count: number; spanMs: number }[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly config: RunConfig,
  ) {
    this.log.onSend = (text) => sentRunValues(text, config.runId, this.sentValues);
    this.vars = {
      run: config.runId,
      token: config.token ?? "",
      scenario: scenario.id,
      config: {
        handshakeTimeoutMs: config.handshakeTimeoutMs,
        url: config.url,
        gateways: config.urls.length,
        binding: config.binding.name,
        ttlMs: config.ttlMs,
        halfTtlMs: Math.floor(config.ttlMs / 2),
        marginMs: realTimeMargin(config.ttlMs),
      },
      // Read when a step's values are resolved.
      wall: {
        get now() {
          return Date.now();
        },
      },
    };
  }

  /** Records an adaptation once (a helper reconnecting, or a flood, does not repeat it). */
  adapted(actor: string, step: string | undefined, change: string, reason: string): void {
    if (this.adaptations.some((a) => a.actor === actor && a.step === step && a.change === change)) return;
    this.adaptations.push({ actor, ...(step !== undefined ? { step } : {}), change, reason });
  }

  actor(name: string): Actor {
    const actor = this.scenario.actors[name] ?? this.helpers.get(name);
    if (!actor) throw new StepAbort(`unknown actor "${name}" (the scenario declares: ${Object.keys(this.scenario.actors).join(", ")})`);
    return actor;
  }

  /**
   * The URL an actor's connection opens on: `gateway` (a step's) or the actor's own `gateway`, else
   * the actors spread over the run's gateways in declaration order (helpers after them).
   */
  gatewayUrl(name: string, gateway?: number): string {
    const { urls } = this.config;
    const chosen = gateway ?? this.actor(name).gateway;
    if (chosen !== undefined) {
      if (!Number.isInteger(chosen) || chosen < 0) throw new StepAbort(`gateway ${String(chosen)} of actor "${name}" is not a position in the run's URLs`);
      return urls[chosen % urls.length]!;
    }
    const order = [...Object.keys(this.scenario.actors), ...this.helpers.keys()].indexOf(name);
    return urls[Math.max(0, order) % urls.length]!;
  }

  /** The actor's open connection; aborts the scenario when there is none. */
  connection(name: string): WireConnection {
    const conn = this.connections.get(name);
    if (!conn || !conn.open) {
      // A tracked connection was open once: not open now means closing (close frame sent or received,
      // socket not yet closed: no code yet) or closed.
      const why = !conn ? "is not open (no connect/open step before)" : conn.closeInfo ? `was closed (${conn.closeInfo.code})` : "is closing (its close handshake has begun)";
      throw new StepAbort(`actor "${name}" ${why}`);
    }
    return conn;
  }

  track(name: string, conn: WireConnection): void {
    this.connections.set(name, conn);
    this.all.push(conn);
    // A step still running after the deadline must not leave a connection open behind it.
    if (this.aborted) conn.terminate();
  }

  stepId(step: Step, index: number): string {
    return step.id ?? `${index + 1}-${step.step}`;
  }

  record(step: Step, index: number, outcome: CheckOutcome): void {
    const base = this.stepId(step, index);
    const id = outcome.sub ? `${base}.${outcome.sub}` : base;
    const failed = outcome.mismatches.length > 0;
    const message = failed ? this.#withLikelyCauses(outcome.mismatches.map((m) => (m.path ? `${m.path}: ${m.message}` : m.message)).join("; "), outcome.actual) + (outcome.after ?? "") : undefined;
    this.checks.push({
      id,
      title: outcome.title ?? step.title ?? defaultTitle(step),
      rules: step.rules ?? this.scenario.rules,
      level: (step.level ?? this.scenario.level) as Level,
      ...(message !== undefined ? { message } : {}),
      ...(failed && outcome.expected !== undefined ? { expected: cutLongStrings(outcome.expected) } : {}),
      ...(failed && outcome.actual !== undefined ? { actual: cutLongStrings(outcome.actual) } : {}),
      ...(failed && outcome.frames?.length ? { frames: outcome.frames } : {}),
      ...(outcome.unrelated?.frames.length ? { unrelated: outcome.unrelated } : {}),
    });
  }

  /** A failed check's message, with what most likely caused it when the evidence points there (checks/likely-causes.ts). */
  #withLikelyCauses(message: string, actual: unknown): string {
    const blamed = this.checks.map((c) => c.message ?? "").join("\n");
    const causes = likelyCauses(message, actual, this.seenRows.update(this.all), { ...this.clock, advertisedTtlMs: this.config.ttlMs }, blamed);
    return causes.reduce((m, cause) => `${m}; likely cause: ${cause}`, message);
  }

  /**
   * Every row any connection of the scenario received (answers, events, hello-ok), as last seen, by
   * lower-cased instanceId; `update(this.all)` folds only what came since the last failed check.
   */
  readonly seenRows = new SeenRowsFold<Received>((r) => ({ value: r.frame.kind === "result" ? r.frame.result : r.frame.kind === "event" ? r.frame.payload : undefined, seq: r.record.seq }));

  /** A premise's message (why a scenario is not judged), with what most likely broke it (checks/likely-causes.ts). */
  withPremiseCauses(message: string, rows: unknown): string {
    const causes = premiseCauses(message, rows, { ...this.clock, advertisedTtlMs: this.config.ttlMs });
    return causes.reduce((m, cause) => `${m}; likely cause: ${cause}`, message);
  }

  /** A check that failed because the step could not run or go on (abort, no answer in time, bad variable). */
  recordError(id: string, title: string, message: string, rules: RuleId[], level: Level, frames: WireRecord[] = []): void {
    this.checks.push({ id, title, rules, level, message, ...(frames.length ? { frames } : {}) });
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.all.map((c) => c.close().catch(() => undefined)));
  }

  terminateAll(): void {
    for (const c of this.all) c.terminate();
  }
}

/** The slack of real-time scenarios (`${config.marginMs}`): TTL/20, at least 1 s, at most 15 s. */
export function realTimeMargin(ttlMs: number): number {
  return Math.min(15_000, Math.max(1000, Math.round(ttlMs / 20)));
}

export function defaultTitle(step: Step): string {
  const who = "actor" in step ? ` (${step.actor})` : "";
  switch (step.step) {
    case "connect":
      return `connect${who} is answered as expected`;
    case "send":
      return `${step.method ?? (step.batch ? "batch" : "raw frame")}${who} is answered as expected`;
    case "list":
      return `system-presence${who} lists the expected rows`;
    case "expectEvent":
      return `${step.event} event arrives${who}`;
    case "expectNoEvent":
      return `no ${step.event} event${who}`;
    case "wait":
      return `wait ${step.ms} ms`;
    default:
      return `${step.step}${who}`;
  }
}

export function waitMessage(error: unknown): string {
  if (error instanceof WaitError || error instanceof StepAbort) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : show(error);
}
