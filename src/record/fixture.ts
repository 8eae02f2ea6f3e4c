/**
 * A recording -> a replayable conformance scenario (`gateway-presence fixture`). Each recorded
 * connection becomes an actor; requests become steps whose expectations come from the recorded
 * answers; presence pushes become expectEvent steps. Volatile values are normalised: instanceIds
 * get a prefix of the run and the fixture (`${run}-<tag>-`), timestamps, connIds, nonces and device blocks are left out or
 * matched by type, so a fixture replays on any gateway and finds only its own rows.
 */
import type { Actor, RuleId, Scenario, Step } from "../conformance/scenario/scenario.js";
import { PRESENCE_DELTA_CAP } from "../protocol/delta.js";
import { toExchanges, type Exchange, type RequestExchange } from "./exchanges.js";
import type { RecordingLine } from "./recording.js";
import { redactValue } from "../transport/redact.js";
import { fixtureTag, RowNormaliser } from "./rows.js";

export interface FixtureOptions {
  /** Scenario id (after `recorded-`) and title; default from the source name. */
  name: string;
  /** Where the recording came from, for the description. */
  source?: string;
  /** Wait for each expected push this long (default 5000 ms). */
  eventWithinMs?: number;
}

const CONNECT_FIELDS = new Set(["minProtocol", "maxProtocol", "client", "role", "scopes", "auth", "device"]);

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "recording";
}

/**
 * An actor from its recorded connect. An OpenClaw connect recorded without a device block replays
 * unsigned (`extra.device: null`, which the openclaw binding honours): 2026.9.x grants such clients
 * fewer scopes, and that is part of what was recorded. A replay sends what was recorded, so the
 * harness does not adapt it to what a gateway needs (`adapt: false`; the binding still encodes it).
 */
function actorFrom(params: Record<string, unknown>, rows: RowNormaliser, binding: string, refusedUnauthorized: boolean): Actor {
  const client = { ...(params.client as Record<string, unknown>) };
  if (typeof client.instanceId === "string") client.instanceId = rows.instanceId(client.instanceId);
  const actor: Actor = { client };
  if (typeof params.role === "string") actor.role = params.role;
  if (Array.isArray(params.scopes)) actor.scopes = params.scopes as string[];
  // A connect recorded without a token replays without one only when that was the point (the gateway
  // refused it UNAUTHORIZED). One its gateway accepted (a loopback gateway that wants no token) sends
  // the run's token when the run has one, as it would have to the gateway it is replayed on.
  const recordedToken = (params.auth as { token?: unknown } | undefined)?.token !== undefined;
  actor.auth = recordedToken || !refusedUnauthorized ? "default" : "none";
  const extra: Record<string, unknown> = Object.fromEntries(Object.entries(params).filter(([k]) => !CONNECT_FIELDS.has(k)));
  // A recorded delta stream is replayed as whole lists (exchanges.ts builds them), so the replay asks for none.
  if (Array.isArray(extra.caps)) {
    const caps = extra.caps.filter((cap) => cap !== PRESENCE_DELTA_CAP);
    if (caps.length > 0) extra.caps = caps;
    else delete extra.caps;
  }
  if (binding === "openclaw" && params.device === undefined) extra.device = null;
  if (Object.keys(extra).length > 0) actor.extra = redactValue(extra) as Record<string, unknown>;
  actor.adapt = false;
  return actor;
}

function errorExpectation(error: { name: string; data?: Record<string, unknown> }) {
  const missingScope = error.data?.missingScope;
  return typeof missingScope === "string" ? { name: error.name, data: { missingScope } } : error.name;
}

export function recordingToScenario(lines: readonly RecordingLine[], options: FixtureOptions): Scenario {
  const { binding, exchanges } = toExchanges(lines);
  const rows = new RowNormaliser(fixtureTag(options.name));
  for (const e of exchanges) if (e.kind === "request") rows.collect(e);
  const within = options.eventWithinMs ?? 5000;
  const actors: Record<string, Actor> = {};
  const actorOf = new Map<string, string>();
  /** Connections whose socket is open (connected and not yet closed). */
  const open = new Set<string>();
  const steps: Step[] = [];
  const rules = new Set<RuleId>();
  const requires = new Set<NonNullable<Scenario["requires"]>[number]>();
  /** Per actor: the last recorded push not yet turned into a step. */
  const pendingPush = new Map<string, unknown>();
  /** The recorded instanceId (lower case) of each connection that connected with one. */
  const instanceOf = new Map<string, string>();
  /** Lower-case instanceIds whose connections the clients have closed, none of them open again. */
  const closedIds = new Set<string>();

  const actorName = (conn: string): string => {
    const name = actorOf.get(conn);
    if (!name) throw new Error(`connection "${conn}" sends before its connect`);
    return name;
  };
  /**
   * A push that still shows a row `connect` whose every connection the recording had already closed
   * is stale: a gateway that pushes per change sent it late (OpenClaw 2026.1.30). The replay's steps
   * have closed that client by then, so a gateway that coalesces would never send that list; it is
   * left out of the expectations (later pushes and listings still check the rows).
   */
  const stale = (payload: unknown): boolean => {
    const rowsOf = (payload as { presence?: unknown } | null)?.presence;
    if (!Array.isArray(rowsOf)) return false;
    return rowsOf.some((r: { instanceId?: unknown; reason?: unknown }) => typeof r?.instanceId === "string" && r.reason === "connect" && closedIds.has(r.instanceId.trim().toLowerCase()));
  };
  /**
   * P6 is cited only by a step that shows a row of a client the recording had closed (its listing,
   * push or hello-ok snapshot): a `disconnect` step alone checks nothing of it (a cli client has no
   * row, and a close at the recording's end is followed by nothing).
   */
  const showsClosed = (rowsOf: unknown): boolean =>
    Array.isArray(rowsOf) && rowsOf.some((r: { instanceId?: unknown } | null) => typeof r?.instanceId === "string" && closedIds.has(r.instanceId.trim().toLowerCase()));
  const flushPushes = () => {
    for (const [actor, payload] of pendingPush) {
      if (stale(payload)) continue;
      steps.push({ step: "expectEvent", actor, event: "presence", match: rows.pushMatcher(payload), withinMs: within });
      requires.add("presenceEvents");
      rules.add("E1");
      if (showsClosed((payload as { presence?: unknown } | null)?.presence)) rules.add("P6");
    }
    pendingPush.clear();
  };
  const requestStep = (e: RequestExchange, actor: string): Step => {
    const expect = e.answer === undefined ? undefined : "error" in e.answer ? { error: errorExpectation(e.answer.error) } : { result: rows.resultMatcher(e.method, e.answer.result) };
    const closing = e.closedWith !== undefined ? { close: e.closedWith } : {};
    if (e.method === "system-presence" && e.answer && "result" in e.answer && Array.isArray(e.answer.result)) {
      rules.add("M1");
      if (showsClosed(e.answer.result)) rules.add("P6");
      return { step: "list", actor, ...rows.listExpectation(e.answer.result) };
    }
    if (e.method === null) return { step: "send", actor, raw: e.raw!, ...(expect ? { expect } : { noAnswer: true }), ...closing };
    // No `requires: systemEvent`: the recorded beacons carry what their gateway needed (OpenClaw:
    // text and operator.admin), and a gateway that answers them differently is what a replay shows.
    if (e.method === "system-event") rules.add("M2");
    const params = e.params === undefined ? {} : { params: rows.params(e.params) };
    const asRecorded = e.method === "system-event" ? { adapt: false } : {};
    return { step: "send", actor, method: e.method, ...params, ...(expect ? { expect } : { noAnswer: true }), ...closing, ...asRecorded };
  };

  for (const e of exchanges as Exchange[]) {
    if (e.kind === "push") {
      if (actorOf.has(e.conn)) pendingPush.set(actorName(e.conn), e.payload);
      continue;
    }
    flushPushes();
    if (e.kind === "close") {
      if (!actorOf.has(e.conn)) continue;
      open.delete(e.conn);
      const id = instanceOf.get(e.conn);
      if (e.by === "client" && id !== undefined && ![...open].some((c) => instanceOf.get(c) === id)) closedIds.add(id);
      steps.push(e.by === "client" ? { step: "disconnect", actor: actorName(e.conn) } : { step: "expectClose", actor: actorName(e.conn), code: e.code, withinMs: within });
      continue;
    }
    rows.wrote(e);
    if (e.method === "connect" && !open.has(e.conn)) {
      // A first connect, or a reconnect under a recorded connection name after its close.
      const refusedUnauthorized = e.answer !== undefined && "error" in e.answer && e.answer.error.name === "UNAUTHORIZED";
      const actor = actorFrom((e.params ?? {}) as Record<string, unknown>, rows, binding, refusedUnauthorized);
      const previous = actorOf.get(e.conn);
      let name = previous;
      if (!previous || JSON.stringify(actors[previous]) !== JSON.stringify(actor)) {
        name = slug(e.conn);
        for (let n = 2; name in actors; n++) name = `${slug(e.conn)}-${n}`;
        actors[name] = actor;
        actorOf.set(e.conn, name);
      }
      open.add(e.conn);
      const recordedId = ((e.params ?? {}) as { client?: { instanceId?: unknown } }).client?.instanceId;
      if (typeof recordedId === "string") {
        instanceOf.set(e.conn, recordedId.trim().toLowerCase());
        closedIds.delete(recordedId.trim().toLowerCase());
      }
      if (e.closedWith !== undefined) open.delete(e.conn);
      const actorName = name!;
      if ((e.params as { auth?: { token?: unknown } } | undefined)?.auth?.token !== undefined) requires.add("token");
      rules.add("H4");
      if (e.answer !== undefined && "result" in e.answer && showsClosed((e.answer.result as { snapshot?: { presence?: unknown } } | null)?.snapshot?.presence)) rules.add("P6");
      const expect = e.answer === undefined ? undefined : "error" in e.answer ? { error: errorExpectation(e.answer.error) } : { result: rows.helloMatcher(e.answer.result) };
      steps.push({ step: "connect", actor: actorName, ...(expect ? { expect } : {}), ...(e.closedWith !== undefined ? { close: e.closedWith } : {}) });
      continue;
    }
    if (e.closedWith !== undefined) open.delete(e.conn);
    steps.push(requestStep(e, actorName(e.conn)));
  }
  flushPushes();
  if (steps.length === 0) throw new Error("the recording holds no request to replay");
  return {
    id: `recorded-${slug(options.name)}`,
    title: `Recorded: ${options.name}`,
    description:
      `Converted by \`gateway-presence fixture\` from ${options.source ?? options.name} (${binding} frames). ` +
      "Expectations are the recorded gateway's answers; a gateway that behaves differently fails them, which is the point of replaying.",
    rules: [...rules].sort(),
    level: "SHOULD",
    ...(requires.size > 0 ? { requires: [...requires].sort() } : {}),
    actors,
    steps,
  };
}
