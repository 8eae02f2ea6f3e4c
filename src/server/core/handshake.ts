/** `connect` (SPEC H1-H7, P2-P5): negotiation, auth, scopes, the connection's row, hello-ok. */
import type { ConnectParams } from "../../protocol/connect.js";
import { PRESENCE_DELTA_CAP } from "../../protocol/delta.js";
import type { HelloOk } from "../../protocol/hello.js";
import type { PresenceEntry } from "../../protocol/presence.js";
import type { OpenConnectionOptions, PresenceFields } from "../../presence/types.js";
import { EVENT_NAMES } from "../../generated/events.js";
import { tokenMatches } from "./auth.js";
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { STARTING_FAULT_MS } from "../faults.js";
import { connectionIp } from "./remote-address.js";
import { GatewayError } from "./errors.js";
import { grantedScopes, hasScope } from "./scopes.js";
import { GATEWAY_VERSION } from "./self-row.js";
import { holdUnlessClosed, logRejection } from "../limits/refuse.js";
import { budgetKey } from "../limits/address-limits.js";
import { andThen, type MaybePromise } from "./maybe-promise.js";
import { EventFrames } from "./fanout/event-frames.js";

export function createConnectHandler(gw: GatewayContext) {
  return function connect(params: ConnectParams, conn: Connection): MaybePromise<HelloOk> {
    if (gw.options.faults.startsSlowly && stillStarting(gw)) {
      reject(gw, conn, 1013, "INTERNAL_ERROR", "gateway starting");
      throw new GatewayError("INTERNAL_ERROR", "gateway starting; retry shortly", { retryAfterMs: 500 });
    }
    conn.protocol = negotiate(gw, params, conn);
    return andThen(authenticate(gw, params, conn), () =>
      andThen(conn.binding.verifyConnect?.(conn, params), () => andThen(openRow(gw, params, conn), () => accepted(gw, params, conn))));
  };
}

/** Gateways of the `startsSlowly` fault that have refused a `connect` as starting. */
const refusedWhileStarting = new WeakSet<GatewayContext>();

/**
 * The `startsSlowly` fault: starting for STARTING_FAULT_MS after start-up, and until it has refused
 * one `connect`. A client that is slow to arrive (a child process starting on a loaded machine) still
 * meets a gateway that is starting, as the test that started it meant.
 */
function stillStarting(gw: GatewayContext): boolean {
  if (performance.now() - gw.startedAt >= STARTING_FAULT_MS && refusedWhileStarting.has(gw)) return false;
  refusedWhileStarting.add(gw);
  return true;
}

/** The connection's row (not for an ephemeral mode, SPEC P3), written before the connection counts as connected. */
function openRow(gw: GatewayContext, params: ConnectParams, conn: Connection): MaybePromise<void> {
  const role = params.role ?? "operator";
  conn.role = role;
  conn.scopes = grantedScopes(role, params.scopes);
  if (gw.isEphemeral(params.client.mode)) return;
  const key = gw.keyFor(params.client.instanceId, conn.id);
  // A refused write leaves the connection unconnected. The store counts the connection (SPEC P6, on
  // every gateway of a cluster).
  const fields = connectionFields(gw, params, conn);
  const { sync } = gw.store;
  if (sync) {
    sync.openConnection(key, fields, ipFromConnection(gw, conn));
    return gw.registry.track(conn, key);
  }
  return gw.store.openConnection(key, fields, ipFromConnection(gw, conn)).then(() => gw.registry.track(conn, key));
}

function accepted(gw: GatewayContext, params: ConnectParams, conn: Connection): MaybePromise<HelloOk> {
  conn.connected = true;
  gw.limits.handshaken(conn);
  conn.clientId = params.client.id;
  conn.mode = params.client.mode;
  clearTimeout(conn.handshakeTimer);
  if (gw.options.faults.pushBeforeHelloOk) new EventFrames({ event: "tick", payload: { ts: gw.clock.now() } }).sendTo(conn);
  gw.log(
    `connect conn=${conn.id} client=${params.client.id} mode=${params.client.mode} role=${conn.role}` +
      ` key=${conn.key ?? "-(ephemeral)"} address=${conn.address ?? "?"}`,
  );
  // Typed as SPEC H4's hello-ok; a binding may send its own shape of it.
  return andThen(helloOk(gw, conn, params), (hello) => (conn.binding.helloOk?.(hello, conn, params) ?? hello) as HelloOk);
}

/** SPEC H3: the highest version both sides speak, else PROTOCOL_MISMATCH (then close 1002). */
function negotiate(gw: GatewayContext, params: ConnectParams, conn: Connection): number {
  const { min, max } = conn.binding.protocol;
  const chosen = Math.min(max, params.maxProtocol);
  if (chosen >= min && chosen >= params.minProtocol) return chosen;
  const message = `protocol mismatch: the gateway speaks ${min}..${max}, the client asked for ${params.minProtocol}..${params.maxProtocol}`;
  reject(gw, conn, 1002, "PROTOCOL_MISMATCH", message);
  throw new GatewayError("PROTOCOL_MISMATCH", message, { min, max });
}

/**
 * SPEC H5, under the per-address auth limits (docs/security.md): a locked-out address gets
 * RATE_LIMITED whatever its token; a wrong token is answered after a delay that doubles with each
 * failure from that address, and enough failures lock it out. A missing token guesses nothing: it is
 * answered at once and not counted (as OpenClaw's `token_missing`), so a client that first tries
 * without one (the Instances page asks for the token only then) never locks its address out.
 */
function authenticate(gw: GatewayContext, params: ConnectParams, conn: Connection): MaybePromise<void> {
  const expected = gw.options.token;
  if (expected === undefined) return;
  const lockedMs = gw.limits.lockedFor(conn.address);
  if (lockedMs !== undefined) {
    // The lockout is the budget's (an IPv6 address's /64), not the one address: named as such.
    const message = `too many failed connects from ${conn.address === undefined ? "this address" : budgetKey(conn.address)}: retry in ${lockedMs} ms`;
    gw.metrics.limitRefusals++;
    reject(gw, conn, 1008, "AUTH_RATE_LIMITED", message);
    throw new GatewayError("RATE_LIMITED", message, { retryAfterMs: lockedMs, method: "connect" });
  }
  const token = params.auth?.token;
  if (token === undefined) {
    const message = "unauthorized: auth.token is required";
    reject(gw, conn, 1008, "UNAUTHORIZED", message);
    throw new GatewayError("UNAUTHORIZED", message);
  }
  if (tokenMatches(expected, token)) return gw.limits.authSucceeded(conn.address);
  const { delayMs, locked } = gw.limits.authFailed(conn.address);
  const message = "unauthorized: wrong auth.token";
  const lockout = locked ? `; ${conn.address === undefined ? "the address" : budgetKey(conn.address)} locked out for ${gw.options.limits.authFailures.lockoutMs} ms` : "";
  reject(gw, conn, 1008, "UNAUTHORIZED", `${message} (answered after ${delayMs} ms${lockout})`);
  return holdUnlessClosed(conn, delayMs).then(() => {
    throw new GatewayError("UNAUTHORIZED", message);
  });
}

/** Counts and logs a refused connect, and has the connection closed after the answer. */
export function reject(gw: GatewayContext, conn: Connection, code: number, name: string, message: string): void {
  conn.closeAfterReply = { code, reason: name.toLowerCase().replace(/_/g, " ") };
  gw.metrics.rejections++;
  logRejection(gw, conn, name, message);
}

/** A connection that may not read presence sees only its own row. */
function ownRowOnly(gw: GatewayContext, conn: Connection): MaybePromise<PresenceEntry[]> {
  const rowList = (row: PresenceEntry | undefined) => (row ? [row] : []);
  if (conn.key === undefined) return [];
  return gw.store.sync ? rowList(gw.store.sync.get(conn.key)) : gw.store.get(conn.key).then(rowList);
}

/** SPEC P2, P4: the fields a successful connect writes (the ip is the store's part of P5). */
function connectionFields(gw: GatewayContext, params: ConnectParams, conn: Connection): PresenceFields {
  const { client } = params;
  const fields: PresenceFields = {
    host: client.displayName ?? client.id,
    version: client.version,
    platform: client.platform,
    mode: client.mode,
    roles: [conn.role],
    scopes: [...conn.scopes],
    reason: conn.role === "node" ? "node-connected" : "connect",
  };
  if (client.deviceFamily !== undefined) fields.deviceFamily = client.deviceFamily;
  if (client.modelIdentifier !== undefined) fields.modelIdentifier = client.modelIdentifier;
  if (client.instanceId !== undefined) fields.instanceId = client.instanceId.trim();
  // The fault writes the address as if a beacon reported it: it overwrites a reported ip.
  if (gw.options.faults.loopbackWipesIp && conn.address !== undefined) fields.ip = conn.address;
  return fields;
}

/** SPEC P5: a loopback address is ignored; the store keeps a beacon-reported ip over this one. */
function ipFromConnection(gw: GatewayContext, conn: Connection): OpenConnectionOptions {
  const ip = gw.options.faults.loopbackWipesIp ? undefined : connectionIp(conn.address);
  return ip === undefined ? {} : { connectionIp: ip };
}

/**
 * SPEC H4. A reader's list is the cached snapshot's text (issue 11); with the `presence.delta` cap
 * (docs/delta.md D1, D2) its keys come too, and that snapshot is what the first delta starts from.
 */
function helloOk(gw: GatewayContext, conn: Connection, params: ConnectParams): MaybePromise<HelloOk> {
  // Read before listing: the list is then at least as new as the version (a later push only adds).
  const version = gw.published.version;
  conn.snapshotVersion = version;
  const reader = hasScope(conn, "operator.read");
  const caps = reader && params.caps?.includes(PRESENCE_DELTA_CAP) ? [PRESENCE_DELTA_CAP] : [];
  if (!reader) return andThen(ownRowOnly(gw, conn), (presence) => hello(gw, conn, version, caps, presence));
  return andThen(gw.snapshots.get(), (snapshot) => {
    const presence = snapshot.raw() as unknown as PresenceEntry[];
    if (caps.length === 0) return hello(gw, conn, version, caps, presence);
    conn.deltaBase = { snapshot: snapshot.origin, version };
    return hello(gw, conn, version, caps, presence, snapshot.keys());
  });
}

function hello(gw: GatewayContext, conn: Connection, version: number, caps: string[], presence: PresenceEntry[], presenceKeys?: string[]): HelloOk {
  return {
    type: "hello-ok",
    protocol: conn.protocol ?? conn.binding.protocol.max,
    server: { version: GATEWAY_VERSION, connId: conn.id },
    features: { methods: gw.methods.filter((m) => !(gw.options.faults.hiddenTestClock && m === "test.clock.advance")), events: [...EVENT_NAMES], ...(caps.length > 0 ? { caps } : {}) },
    snapshot: {
      presence,
      ...(presenceKeys ? { presenceKeys } : {}),
      stateVersion: { presence: version },
      uptimeMs: Math.max(0, Math.round(performance.now() - gw.startedAt)),
    },
    policy: {
      maxPayload: gw.options.maxPayload,
      maxBufferedBytes: gw.options.maxBufferedBytes,
      tickIntervalMs: gw.options.tickIntervalMs,
      presenceTtlMs: gw.options.ttlMs,
      presenceMaxEntries: gw.options.maxEntries,
    },
  };
}
