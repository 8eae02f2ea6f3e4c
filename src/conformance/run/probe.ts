/**
 * The probe, before any scenario: waits until the gateway is ready (it refuses TCP, or answers a
 * retryable error such as OpenClaw's `UNAVAILABLE "gateway starting"`), then learns what it can do by
 * trying, not only by reading hello-ok: which methods answer (a working method it does not advertise
 * breaks SPEC H4 / S3), and what it needs beyond SPEC for `system-event` (a scope, a text), which the
 * scenarios are then adapted to. It connects as an unrecorded `cli` client and sends only a text-less,
 * instanceId-less beacon, which a SPEC gateway acknowledges without a change (K2) and which can
 * create no row keyed by a text.
 */
import { noAnswerWithin, noHandshakeWith, notOpenWithin, OPENCLAW_FRAMES_GUESS } from "../../client/errors.js";
import { noPushBeforeHelloCheck } from "../checks/handshake-order.js";
import { advertisingCheck, type MethodState, type ProbedMethod } from "../checks/advertising.js";
import type { WireFindings } from "../checks/wire-format.js";
import type { WireError } from "../../transport/frames.js";
import { redactUrl, redactUrlsIn } from "../../transport/redact.js";
import type { CheckResult, ProbeReport, ProgressEvent, ScenarioResult } from "../report/results.js";
import type { Scenario } from "../scenario/scenario.js";
import { NO_NEEDS, SPEC_OPERATOR_SCOPES, type GatewayNeeds } from "./adapt.js";
import { buildConnectParams, declareActor, handshake, openActor } from "./actors.js";
import { checkBinding } from "./binding-check.js";
import { ScenarioContext, type RunConfig } from "./context.js";
import { sleep } from "./exec-events.js";
import { acceptedWithoutTokenText } from "./option-words.js";
import { bindingHint, describe, notReadyText, refusalHint } from "./probe-messages.js";
import { RefusedUpgradeError, refusalText, RETRY_DEFAULT_MS, RETRYABLE_OPEN, RETRYABLE_STATUSES, retryAfter, type Refusal } from "./refusals.js";
import type { Received, WireConnection } from "./wire.js";

export { retryAfter } from "./refusals.js";

export const DEFAULT_WAIT_READY_MS = 30_000;
/** Scope rounds: each FORBIDDEN naming a scope the probe lacks adds it and tries again. */
const MAX_SCOPE_ROUNDS = 3;

export interface ProbeOptions {
  /** How long to wait for a gateway that is not ready yet (0: do not wait). */
  waitReadyMs: number;
  onProgress?: (event: ProgressEvent) => void;
  /** The probe's frames are checked too (SPEC §11), as the scenario `probe`. */
  wireFindings?: WireFindings;
}

/** What each probed method did: answered, is unknown to the gateway, or could not be told (refused by scope). */
export type { MethodState };

export interface ProbeOutcome {
  hello?: unknown;
  error?: string;
  needs: GatewayNeeds;
  methods: Record<ProbedMethod, MethodState>;
  report: ProbeReport;
}


const PROBE_SCENARIO: Scenario = {
  id: "probe",
  title: "the probe: what hello-ok advertises is what the gateway does (SPEC H4, S3)",
  rules: ["H4", "S3"],
  level: "MUST",
  // Asking for the opt-in delta stream tells whether the gateway offers it (capability presenceDelta).
  actors: {
    probe: { client: { id: "conformance-probe", mode: "cli" }, extra: { caps: ["presence.delta"] } },
    // When the run has a token: does the gateway let a client in without one (SPEC H5)?
    tokenless: { client: { id: "conformance-probe", mode: "cli" }, auth: "none" },
  },
  steps: [{ step: "connect", actor: "probe" }],
};

class Probe {
  readonly ctx: ScenarioContext;
  readonly checks: Omit<CheckResult, "status">[] = [];
  attempts = 0;
  waitedMs = 0;
  scopes: string[] | undefined;

  constructor(
    readonly config: RunConfig,
    readonly options: ProbeOptions,
  ) {
    this.ctx = new ScenarioContext(PROBE_SCENARIO, config);
  }

  /** Connects, waiting out a gateway that is not ready; returns hello-ok or why not. `ready`: counted as readiness attempts. */
  async connect(ready = true): Promise<{ conn?: WireConnection; hello?: unknown; error?: string }> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (ready) this.attempts = attempt;
      const params = buildConnectParams(this.ctx, PROBE_SCENARIO.actors.probe);
      declareActor(this.ctx, "probe", this.scopes ? { ...params, scopes: this.scopes } : params);
      let retryIn: number | undefined;
      let reason: string;
      let refusal: Refusal | undefined;
      let conn: WireConnection | undefined;
      try {
        conn = await openActor(this.ctx, "probe", this.config.stepTimeoutMs);
        const { answer } = await this.handshake(conn);
        if (answer.frame.kind === "result") return { conn, hello: answer.frame.result };
        if (answer.frame.kind !== "error") return { error: "probe connect answered with an event" };
        reason = describe(answer.frame.error);
        retryIn = retryAfter(answer.frame.error);
        if (retryIn === undefined) return { error: `probe connect refused: ${reason}${refusalHint(answer.frame.error, this.config.token !== undefined, this.config.words)}` };
      } catch (error) {
        reason = (error as Error).message;
        const closed = conn?.closeInfo?.code === 1013;
        // A refused upgrade says what was answered and the wait asked for, which is waited (within --wait-ready).
        refusal = (error as Error).cause instanceof RefusedUpgradeError ? ((error as Error).cause as RefusedUpgradeError).refusal : undefined;
        if (refusal) reason = reason.replace(/Unexpected server response: \d+$/, `the gateway ${refusalText(refusal)}`);
        else if (reason.endsWith(notOpenWithin(this.config.stepTimeoutMs))) reason += ` (${this.config.words.stepTimeout})`;
        const retryable = closed || RETRYABLE_OPEN.test(reason) || (refusal !== undefined && RETRYABLE_STATUSES.has(refusal.httpStatus));
        if (!retryable) return { error: `probe connect failed: ${conn ? this.noHandshake(conn, reason) : reason}` };
        retryIn = refusal?.retryAfterMs ?? RETRY_DEFAULT_MS;
      }
      await conn?.close();
      const waited = Date.now() - started;
      const { url, words } = this.config;
      const opening = refusal !== undefined || RETRYABLE_OPEN.test(reason);
      if (waited + retryIn > this.options.waitReadyMs) {
        // What answered: nothing (refused TCP), an HTTP refusal, or a gateway that said it is not ready.
        const answered = /ECONNREFUSED/.test(reason) ? "nothing" : refusal ? "http" : "gateway";
        const said = attempt > 1 || (refusal !== undefined && this.options.waitReadyMs > 0);
        const waitedText = said ? notReadyText(answered, waited, attempt, this.options.waitReadyMs, words, refusal ? retryIn : undefined) : "";
        return { error: `probe connect ${opening ? "failed" : "refused"}: ${reason}${waitedText}` };
      }
      // The URL is said beside the reason, not again inside it; neither shows a token it may hold.
      const secrets = this.config.token ? [this.config.token] : [];
      const cause = redactUrlsIn(reason.replace(`actor "probe": could not open ${url}: `, ""), [url], secrets);
      this.options.onProgress?.({ type: "waiting-ready", url: redactUrl(url, secrets), attempt, waitedMs: waited, limitMs: this.options.waitReadyMs, reason: cause, retryInMs: retryIn, noWait: words.waitReady(0) });
      await sleep(retryIn);
      if (ready) this.waitedMs = Date.now() - started;
    }
  }

  /**
   * Why a socket that opened gave no hello-ok. A JSON-RPC connect that got no frame at all is said as
   * list says it (`no handshake with the gateway at <url>: connect: no answer within N ms`, guessing
   * OpenClaw's binding): the gateway was reached. Otherwise the binding's hint, if any.
   */
  noHandshake(conn: WireConnection, reason: string): string {
    const { binding, url, token, stepTimeoutMs, words } = this.config;
    const hint = bindingHint(binding.name, this.ctx.log.records);
    if (hint || binding.name === "openclaw" || conn.received.length > 0 || conn.decodeErrors.length > 0) return `${reason}${hint}`;
    const timedOut = /^actor "probe": no answer to request "[^"]*" within \d+ ms/.test(reason);
    const why = timedOut ? `${noAnswerWithin("connect", stepTimeoutMs)} (${words.stepTimeout}; ${OPENCLAW_FRAMES_GUESS})` : `connect: ${reason.replace(/^actor "probe": /, "")}`;
    return `${noHandshakeWith(redactUrl(url, token ? [token] : []))}: ${why}`;
  }

  /** The handshake; on the openclaw binding, a JSON-RPC gateway is told apart at once (binding-check.ts). */
  async handshake(conn: WireConnection): ReturnType<typeof handshake> {
    const check = checkBinding(this.ctx, conn, this.config.stepTimeoutMs);
    try {
      return await handshake(this.ctx, "probe", conn, this.config.stepTimeoutMs);
    } finally {
      await check?.stop();
    }
  }

  /**
   * Whether the gateway accepts a connect without `auth.token` (true), refuses it (false), or neither
   * could be told. A missing token guesses nothing: a gateway's failed-auth limits do not count it.
   */
  async acceptsNoToken(): Promise<boolean | undefined> {
    declareActor(this.ctx, "tokenless", buildConnectParams(this.ctx, PROBE_SCENARIO.actors.tokenless));
    try {
      const conn = await openActor(this.ctx, "tokenless", this.config.stepTimeoutMs);
      const { answer } = await handshake(this.ctx, "tokenless", conn, this.config.stepTimeoutMs);
      await conn.close();
      return answer.frame.kind === "result" ? true : answer.frame.kind === "error" ? false : undefined;
    } catch {
      return undefined;
    }
  }

  async call(conn: WireConnection, method: string, params: unknown): Promise<Received["frame"] | undefined> {
    const { id } = conn.request(method, params);
    try {
      return (await conn.waitResponse(id, this.config.stepTimeoutMs)).frame;
    } catch {
      return undefined;
    }
  }
}

function stateOf(frame: Received["frame"] | undefined): MethodState {
  if (frame?.kind === "result") return "works";
  if (frame?.kind !== "error") return "unknown";
  if (frame.error.name === "METHOD_NOT_FOUND") return "missing";
  // OpenClaw answers unknown methods to non-admins with FORBIDDEN: existence cannot be told then.
  return frame.error.name === "FORBIDDEN" || frame.error.name === "UNAUTHORIZED" ? "unknown" : "works";
}

/** The gateway wants a `text` on beacons: INVALID_PARAMS naming /text as required (OpenClaw: "text required"). */
function wantsText(error: WireError): boolean {
  const issues = Array.isArray(error.data?.errors) ? (error.data.errors as { path?: unknown; keyword?: unknown }[]) : [];
  if (issues.some((i) => i.path === "/text" && (i.keyword === "required" || i.keyword === "minLength"))) return true;
  return /\btext\b[^.;]*\brequired\b|\brequired\b[^.;]*\btext\b/i.test(error.message);
}

/** Learns what system-event needs: each FORBIDDEN naming a scope the probe lacks adds it (reconnecting), then a text. */
async function learnBeaconNeeds(probe: Probe, conn: WireConnection): Promise<{ conn: WireConnection; needs: GatewayNeeds; state: MethodState }> {
  const needs: GatewayNeeds = { scopes: {}, beaconText: false, evidence: [] };
  for (let round = 0; ; round++) {
    const frame = await probe.call(conn, "system-event", {});
    const state = stateOf(frame);
    if (frame?.kind !== "error") return { conn, needs, state };
    const { error } = frame;
    const missing = typeof error.data?.missingScope === "string" ? error.data.missingScope : undefined;
    const held = probe.scopes ?? [...SPEC_OPERATOR_SCOPES];
    if (error.name === "FORBIDDEN" && missing && !held.includes(missing) && round < MAX_SCOPE_ROUNDS) {
      (needs.scopes["system-event"] ??= []).push(missing);
      needs.evidence.push(`system-event {} as ${held.join(", ")}: ${describe(error)}`);
      probe.scopes = [...held, missing];
      await conn.close();
      const again = await probe.connect(false);
      if (!again.conn) return { conn, needs, state: "unknown" };
      conn = again.conn;
      continue;
    }
    if (wantsText(error)) {
      needs.beaconText = true;
      needs.evidence.push(`system-event {} (text-less): ${describe(error)}`);
      return { conn, needs, state: "works" };
    }
    return { conn, needs, state };
  }
}

export async function probeGateway(config: RunConfig, options: ProbeOptions): Promise<ProbeOutcome> {
  const probe = new Probe(config, options);
  const methods: Record<ProbedMethod, MethodState> = { "system-presence": "unknown", "system-event": "unknown", "test.clock.advance": "unknown" };
  const started = Date.now();
  const notes: string[] = [];
  let outcome: Omit<ProbeOutcome, "report"> = { needs: NO_NEEDS, methods };
  try {
    const first = await probe.connect();
    if (!first.conn) {
      outcome = { ...outcome, error: first.error };
    } else {
      const advertised = (hello: unknown) => {
        const listed = (hello as { features?: { methods?: unknown } } | undefined)?.features?.methods;
        return new Set(Array.isArray(listed) ? listed : []);
      };
      const listed = advertised(first.hello);
      const answered = first.conn.received.findIndex((r) => r.frame.kind !== "event");
      const before = first.conn.received.slice(0, answered < 0 ? 0 : answered).flatMap((r) => (r.frame.kind === "event" ? [r.frame.event] : []));
      probe.checks.push(noPushBeforeHelloCheck(before));
      const learned = await learnBeaconNeeds(probe, first.conn);
      methods["system-event"] = learned.state;
      methods["system-presence"] = stateOf(await probe.call(learned.conn, "system-presence", {}));
      methods["test.clock.advance"] = stateOf(await probe.call(learned.conn, "test.clock.advance", { ms: 0 }));
      for (const method of Object.keys(methods) as ProbedMethod[]) {
        const check = advertisingCheck(method, listed.has(method), methods[method]);
        if (check) probe.checks.push(check);
      }
      outcome = { hello: first.hello, needs: learned.needs, methods };
      // Said before the scenarios: the H5 ones fail, and the run cannot tell whether the token was wrong to give.
      if (config.token !== undefined && (await probe.acceptsNoToken())) notes.push(`${acceptedWithoutTokenText("none", config.words)}; the H5 checks fail either way`);
    }
  } finally {
    await probe.ctx.closeAll();
    options.wireFindings?.collect(PROBE_SCENARIO.id, probe.ctx.all, probe.ctx.log.records, config.binding.name);
  }
  const result: ScenarioResult = {
    id: PROBE_SCENARIO.id,
    title: PROBE_SCENARIO.title,
    rules: PROBE_SCENARIO.rules,
    level: PROBE_SCENARIO.level,
    status: "passed",
    durationMs: Date.now() - started,
    checks: probe.checks.map((c) => ({ ...c, status: c.message === undefined ? "passed" : "failed" })),
    wire: probe.ctx.log.records,
    wireOmitted: probe.ctx.log.omitted,
    ...(probe.ctx.adaptations.length ? { adaptations: probe.ctx.adaptations } : {}),
  };
  result.status = result.checks.some((c) => c.status === "failed") ? "failed" : "passed";
  const serverVersion = (outcome.hello as { server?: { version?: unknown } } | undefined)?.server?.version;
  const needs = [
    ...Object.entries(outcome.needs.scopes).map(([method, scopes]) => `${method} needs ${scopes.join(", ")}`),
    ...(outcome.needs.beaconText ? ["system-event needs a non-empty text"] : []),
  ].map((need, i) => `${need} (${outcome.needs.evidence[i] ?? "probe"})`);
  return {
    ...outcome,
    report: {
      attempts: probe.attempts,
      waitedMs: probe.waitedMs,
      ...(typeof serverVersion === "string" ? { serverVersion } : {}),
      needs,
      ...(notes.length ? { notes } : {}),
      ...(outcome.hello !== undefined ? { result } : {}),
    },
  };
}
