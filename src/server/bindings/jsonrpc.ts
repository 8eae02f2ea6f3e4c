/**
 * The `jsonrpc` server binding (SPEC T2, default): JSON-RPC 2.0 requests and batches (T3) dispatched
 * with json-rpc-2.0 onto the core's method table, errors with SPEC §10's numeric codes, pushes as
 * notifications `{"jsonrpc":"2.0","method":"presence","params":{presence, stateVersion}}` (or
 * `presence.delta`). Cached list text (RawJson) is spliced into answers and pushes as it is.
 */
import { createJSONRPCErrorResponse, JSONRPCServer, type JSONRPCErrorResponse, type JSONRPCID, type JSONRPCRequest, type JSONRPCResponse } from "json-rpc-2.0";
import type { ValidationIssue } from "../../protocol/errors.js";
import { JSONRPC_PROTOCOL_VERSION } from "../../protocol/methods.js";
import type { ServerBinding, ServerBindingFactory } from "../core/binding.js";
import type { Connection } from "../core/connection.js";
import type { GatewayContext } from "../core/context.js";
import { GatewayError, toGatewayError, wireError } from "../core/errors.js";
import { sharedFrame } from "../core/fanout/event-frames.js";
import { invalidRequest } from "../core/inbound.js";
import { stringifyWithRaw } from "../core/fanout/raw-json.js";
import type { MethodTable } from "../core/methods.js";
import { checkEnvelope, repeatedIds, type EnvelopeCheck } from "./jsonrpc-envelope.js";

/** Most requests in one batch; a larger batch is answered with one INVALID_REQUEST. */
export const MAX_BATCH = 100;

export const createJsonRpcBinding: ServerBindingFactory = (gw, methods) => {
  const rpc = createRpcServer(gw, methods);
  const respond = (id: JSONRPCID, error: GatewayError) => errorResponse(id, error, gw);

  async function handleEntry(conn: Connection, envelope: EnvelopeCheck, inBatch: boolean): Promise<JSONRPCResponse | null> {
    if (!envelope.ok) {
      const message = `invalid request: ${envelope.issues.map((i) => `${i.path || "(root)"} ${i.message}`).join("; ")}`;
      return respond(envelope.id, new GatewayError("INVALID_REQUEST", message, { errors: envelope.issues }));
    }
    const { request } = envelope;
    const gate = methods.gate(conn, request.method, inBatch);
    if (gate) return request.id === undefined ? null : respond(request.id, gate);
    if (conn.closeAfterReply) return null;
    return rpc.receive(request, conn);
  }

  /** An entry of a batch whose ids repeat: not run, answered INVALID_REQUEST (a notification: not at all). */
  const refuseRepeated = (request: JSONRPCRequest, issue: ValidationIssue | undefined): JSONRPCResponse | null =>
    request.id === undefined || issue === undefined ? null : respond(request.id, new GatewayError("INVALID_REQUEST", `invalid request: ${issue.message}`, { errors: [issue] }));

  const binding: ServerBinding = {
    name: "jsonrpc",
    protocol: { min: JSONRPC_PROTOCOL_VERSION, max: JSONRPC_PROTOCOL_VERSION },
    async receive(conn, message) {
      if (!Array.isArray(message)) {
        const response = await handleEntry(conn, checkEnvelope(message), false);
        return response ? stringifyWithRaw(response) : undefined;
      }
      if (message.length === 0) return JSON.stringify(respond(null, invalidRequest("empty batch", "")));
      if (message.length > MAX_BATCH) {
        return JSON.stringify(respond(null, invalidRequest(`batch of ${message.length} requests; at most ${MAX_BATCH}`, "")));
      }
      const envelopes = message.map(checkEnvelope);
      const repeated = repeatedIds(envelopes);
      const responses: JSONRPCResponse[] = [];
      for (const [index, envelope] of envelopes.entries()) {
        const response =
          repeated && envelope.ok ? refuseRepeated(envelope.request, repeated.get(index)) : await handleEntry(conn, envelope, true);
        if (response) responses.push(response);
      }
      return responses.length > 0 ? stringifyWithRaw(responses) : undefined;
    },
    encodeError: (error) => JSON.stringify(createJSONRPCErrorResponse(null, error.code, error.message, error.data)),
    // No seq: one Buffer per push, written to every socket as it is (issue 11).
    encodeEvent(push) {
      const params = push.stateVersion === undefined ? push.payload : { ...push.payload, stateVersion: push.stateVersion };
      return sharedFrame(stringifyWithRaw({ jsonrpc: "2.0", method: push.event, params }));
    },
  };
  return binding;
};

/** json-rpc-2.0 dispatch onto the core's methods (the handshake gate ran before). */
function createRpcServer(gw: GatewayContext, methods: MethodTable): JSONRPCServer<Connection> {
  const server = new JSONRPCServer<Connection>({
    errorListener: (message, error) => {
      if (toGatewayError(error).errorName === "INTERNAL_ERROR") gw.log(`error ${message} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    },
  });
  server.mapErrorToJSONRPCErrorResponse = (id, error) => errorResponse(id, toGatewayError(error), gw);
  server.handleMethodNotFound = async (request): Promise<JSONRPCResponse | null> => {
    if (request.id === undefined) return null;
    const error = new GatewayError("METHOD_NOT_FOUND", `unknown method ${JSON.stringify(request.method)}`, { method: request.method });
    return errorResponse(request.id, error, gw);
  };
  for (const name of methods.names) server.addMethod(name, (params: unknown, conn: Connection) => methods.call(conn, name, params));
  return server;
}

/** The JSON-RPC error response (SPEC §10 code, `data.code` the name), faults applied. */
function errorResponse(id: JSONRPCID, error: GatewayError, gw: GatewayContext): JSONRPCErrorResponse {
  const sent = wireError(error, gw.options.faults);
  return createJSONRPCErrorResponse(id, sent.code, sent.message, sent.data);
}
