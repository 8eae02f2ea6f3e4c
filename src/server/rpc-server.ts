/**
 * JSON-RPC dispatch with json-rpc-2.0 over the generated PresenceHandlers interface: every method
 * checks its scope, then (system-event) the rate limit, then validates its params against the
 * generated schema (INVALID_PARAMS with paths, SPEC B1).
 */
import { JSONRPCServer, type JSONRPCResponse } from "json-rpc-2.0";
import { METHOD_SCHEMAS, PARAMS_OPTIONAL_METHODS, type MethodName } from "../generated/methods.js";
import type { PresenceHandlers } from "../generated/server.js";
import { formatIssues, validate } from "../validation/index.js";
import { createSystemEventHandler, takeBeaconToken } from "./beacon.js";
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { createConnectHandler } from "./handshake.js";
import { errorResponse, GatewayError, toGatewayError } from "./rpc-errors.js";
import { requireScope } from "./scopes.js";
import { createClockAdvanceHandler } from "./test-clock.js";

/** The methods this gateway offers, in `hello-ok.features.methods` order. */
export function offeredMethods(testClock: boolean): MethodName[] {
  const methods: MethodName[] = ["connect", "system-event", "system-presence"];
  if (testClock) methods.push("test.clock.advance");
  return methods;
}

export function createRpcServer(gw: GatewayContext): JSONRPCServer<Connection> {
  const { faults } = gw.options;
  const server = new JSONRPCServer<Connection>({
    errorListener: (message, error) => {
      if (toGatewayError(error).errorName === "INTERNAL_ERROR") gw.log(`error ${message} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    },
  });
  server.mapErrorToJSONRPCErrorResponse = (id, error) => errorResponse(id, toGatewayError(error), faults);
  server.handleMethodNotFound = async (request): Promise<JSONRPCResponse | null> => {
    if (request.id === undefined) return null;
    const error = new GatewayError("METHOD_NOT_FOUND", `unknown method ${JSON.stringify(request.method)}`, { method: request.method });
    return errorResponse(request.id, error, faults);
  };

  const handlers: PresenceHandlers<Connection> = {
    connect: createConnectHandler(gw),
    "system-event": createSystemEventHandler(gw),
    "system-presence": () => gw.listPresence(),
    "test.clock.advance": createClockAdvanceHandler(gw),
  };
  const guards: Record<MethodName, (conn: Connection) => void> = {
    connect: () => {},
    "system-event": (conn) => {
      requireScope(conn, "operator.write", "system-event");
      takeBeaconToken(gw, conn);
    },
    "system-presence": (conn) => requireScope(conn, "operator.read", "system-presence"),
    "test.clock.advance": () => {},
  };
  for (const name of offeredMethods(gw.options.testClock)) {
    const handler = handlers[name] as (params: unknown, conn: Connection) => unknown;
    const optional = (PARAMS_OPTIONAL_METHODS as readonly string[]).includes(name);
    server.addMethod(name, async (params: unknown, conn: Connection) => {
      guards[name](conn);
      const checked = validate(METHOD_SCHEMAS[name].params, params === undefined && optional ? {} : params);
      if (!checked.ok) {
        throw new GatewayError("INVALID_PARAMS", `invalid params for ${name}: ${formatIssues(checked.issues)}`, {
          errors: checked.issues,
          method: name,
        });
      }
      return handler(checked.value, conn);
    });
  }
  return server;
}
