/**
 * The method table, binding-neutral, over the generated PresenceHandlers interface: the handshake
 * gate (SPEC H1, H6), then per method its scope (H7), then (system-event) the rate limit (B2), then
 * params validation against the generated schema (INVALID_PARAMS with paths, B1), then the handler.
 */
import { METHOD_SCHEMAS, PARAMS_OPTIONAL_METHODS, type MethodName } from "../../generated/methods.js";
import type { PresenceHandlers } from "../../generated/server.js";
import { formatIssues, validate } from "../../validation/index.js";
import { createSystemEventHandler, takeBeaconToken } from "./beacon.js";
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { GatewayError } from "./errors.js";
import { createConnectHandler } from "./handshake.js";
import { requireScope } from "./scopes.js";
import { createClockAdvanceHandler } from "./test-clock.js";
import { illFormedString } from "./well-formed.js";
import { resync } from "./fanout/push.js";
import { andThen, type MaybePromise } from "./maybe-promise.js";
import type { PresenceEntry } from "../../protocol/presence.js";

/** The methods this gateway offers, in `hello-ok.features.methods` order. */
export function offeredMethods(testClock: boolean): MethodName[] {
  const methods: MethodName[] = ["connect", "system-event", "system-presence", "presence.resync"];
  if (testClock) methods.push("test.clock.advance");
  return methods;
}

export interface MethodTable {
  /** The offered methods (`test.clock.advance` only in test mode, SPEC S3). */
  readonly names: readonly MethodName[];
  offers(method: string): method is MethodName;
  /**
   * The handshake gate: NOT_CONNECTED for anything but a lone `connect` before connect (a batch
   * entry counts as not alone, SPEC H1), ALREADY_CONNECTED for a second `connect` (H6).
   */
  gate(conn: Connection, method: string, inBatch: boolean): GatewayError | undefined;
  /**
   * Runs an offered method (after the gate): scope, rate limit, params, handler. Throws (or rejects
   * with) a GatewayError. The result comes at once when the handler did not have to wait.
   */
  call(conn: Connection, method: MethodName, params: unknown): MaybePromise<unknown>;
}

export function createMethodTable(gw: GatewayContext): MethodTable {
  const handlers: PresenceHandlers<Connection> = {
    connect: createConnectHandler(gw),
    "system-event": createSystemEventHandler(gw),
    // The cached text (issue 11), spliced into the answer by the binding (raw-json.ts).
    "system-presence": () => andThen(gw.snapshots.get(), (snapshot) => snapshot.raw() as unknown as PresenceEntry[]),
    "presence.resync": (_params, conn) => resync(gw, conn),
    "test.clock.advance": createClockAdvanceHandler(gw),
  };
  const guards: Record<MethodName, (conn: Connection) => void> = {
    connect: () => {},
    "system-event": (conn) => {
      requireScope(conn, "operator.write", "system-event");
      takeBeaconToken(gw, conn);
    },
    "system-presence": (conn) => requireScope(conn, "operator.read", "system-presence"),
    "presence.resync": (conn) => requireScope(conn, "operator.read", "presence.resync"),
    "test.clock.advance": () => {},
  };
  const names = offeredMethods(gw.options.testClock);
  const offered = new Set<string>(names);
  const paramsOptional = new Set<string>(PARAMS_OPTIONAL_METHODS);
  return {
    names,
    offers: (method): method is MethodName => offered.has(method),
    gate: handshakeGate,
    call(conn, name, params) {
      guards[name](conn);
      const checked = validate(METHOD_SCHEMAS[name].params, params === undefined && paramsOptional.has(name) ? {} : params);
      if (!checked.ok) {
        throw new GatewayError("INVALID_PARAMS", `invalid params for ${name}: ${formatIssues(checked.issues)}`, {
          errors: checked.issues,
          method: name,
        });
      }
      // A lone surrogate can only come from a `\u` escape: most frames have none (conn.frameHasEscapes).
      const illFormed = conn.frameHasEscapes === false ? undefined : illFormedString(name, checked.value);
      if (illFormed) {
        throw new GatewayError("INVALID_PARAMS", `invalid params for ${name}: ${formatIssues([illFormed])}`, { errors: [illFormed], method: name });
      }
      const handler = handlers[name] as (params: unknown, conn: Connection) => unknown;
      return handler(checked.value, conn);
    },
  };
}

function handshakeGate(conn: Connection, method: string, inBatch: boolean): GatewayError | undefined {
  if (method === "connect" && conn.connected) {
    return new GatewayError("ALREADY_CONNECTED", "already connected: connect may be sent once per connection", { method });
  }
  if (!conn.connected && (method !== "connect" || inBatch)) {
    const why = inBatch ? "connect must be sent alone, before any batch" : "send connect first";
    return new GatewayError("NOT_CONNECTED", `not connected: ${why}`, { method });
  }
  return undefined;
}
