/**
 * The `jsonrpc` server binding (SPEC T2, default): JSON-RPC 2.0 requests and batches (T3) dispatched
 * onto the core's method table, errors with SPEC §10's numeric codes, pushes as notifications
 * `{"jsonrpc":"2.0","method":"presence","params":{presence, stateVersion}}` (or `presence.delta`).
 * Cached list text (RawJson) is spliced into answers and pushes as it is.
 *
 * Dispatch is a direct lookup in the method table, not json-rpc-2.0's JSONRPCServer (issue 11): its
 * promise chain per request (method wrapper, middleware, error mapping, response mapping) was a good
 * part of a beacon's cost, and a request the core answers at once is answered here in the same turn.
 * The wire shapes are json-rpc-2.0's (its types and its error-response constructor); the SDK's client
 * takes only its types (src/transport/jsonrpc.ts decodes frames itself).
 */
import { createJSONRPCErrorResponse, type JSONRPCErrorResponse, type JSONRPCID, type JSONRPCRequest } from "json-rpc-2.0";
import type { ValidationIssue } from "../../protocol/errors.js";
import { JSONRPC_PROTOCOL_VERSION } from "../../protocol/methods.js";
import type { ServerBinding, ServerBindingFactory } from "../core/binding.js";
import type { Connection } from "../core/connection.js";
import type { GatewayContext } from "../core/context.js";
import { GatewayError, toGatewayError, wireError } from "../core/errors.js";
import { sharedFrame } from "../core/fanout/event-frames.js";
import { invalidRequest } from "../core/inbound.js";
import { ChunkedJson, encodeAnswer, encodeWithRaw, RawJson, type EncodedJson, type JsonChunk } from "../core/fanout/raw-json.js";
import { isPromise, type MaybePromise } from "../core/maybe-promise.js";
import type { MethodTable } from "../core/methods.js";
import { idNumerals, numericIdNumeral } from "../../transport/id-numeral.js";
import { checkEnvelope, repeatedIds, type EnvelopeCheck } from "./jsonrpc-envelope.js";

/** Most requests in one batch; a larger batch is answered with one INVALID_REQUEST. */
export const MAX_BATCH = 100;

/**
 * One answer as JSON (text, or UTF-8 bytes in chunks when it carries the cached list: ChunkedJson),
 * or null for none (a notification). Answers stay serialized so a batch joins them without serializing them again.
 */
type Answer = EncodedJson | null;

export const createJsonRpcBinding: ServerBindingFactory = (gw, methods) => {
  const respond = (id: JSONRPCID, error: GatewayError): string => JSON.stringify(errorResponse(id, error, gw));
  const call = createDispatch(gw, methods, respond);

  function handleEntry(conn: Connection, envelope: EnvelopeCheck, inBatch: boolean): MaybePromise<Answer> {
    if (!envelope.ok) {
      const message = `invalid request: ${envelope.issues.map((i) => `${i.path || "(root)"} ${i.message}`).join("; ")}`;
      return respond(envelope.id, new GatewayError("INVALID_REQUEST", message, { errors: envelope.issues }));
    }
    const { request } = envelope;
    const gate = methods.gate(conn, request.method, inBatch);
    if (gate) return request.id === undefined ? null : respond(request.id, gate);
    if (conn.closeAfterReply) return null;
    return call(conn, request);
  }

  /** An entry of a batch whose ids repeat: not run, answered INVALID_REQUEST (a notification: not at all). */
  const refuseRepeated = (request: JSONRPCRequest, issue: ValidationIssue | undefined): Answer =>
    request.id === undefined || issue === undefined ? null : respond(request.id, new GatewayError("INVALID_REQUEST", `invalid request: ${issue.message}`, { errors: [issue] }));

  /** Batch entries run one after another, in order (each may wait on the store). */
  async function batch(conn: Connection, message: unknown[], text: string | undefined): Promise<EncodedJson | undefined> {
    const numerals = text !== undefined && message.some(hasNumericId) ? idNumerals(text) : undefined;
    const envelopes = message.map((entry, index) => checkEnvelope(entry, numerals?.[index]));
    const repeated = repeatedIds(envelopes);
    const answers: JsonChunk[] = [];
    for (const [index, envelope] of envelopes.entries()) {
      const answer = repeated && envelope.ok ? refuseRepeated(envelope.request, repeated.get(index)) : await handleEntry(conn, envelope, true);
      if (answer === null) continue;
      answers.push(answers.length === 0 ? "[" : ",");
      if (answer instanceof ChunkedJson) answers.push(...answer.chunks);
      else answers.push(answer);
    }
    if (answers.length === 0) return undefined;
    answers.push("]");
    return answers.every((a) => typeof a === "string") ? answers.join("") : new ChunkedJson(answers);
  }

  const binding: ServerBinding = {
    name: "jsonrpc",
    protocol: { min: JSONRPC_PROTOCOL_VERSION, max: JSONRPC_PROTOCOL_VERSION },
    receive(conn, message, text) {
      if (!Array.isArray(message)) {
        const numeral = text !== undefined && hasNumericId(message) ? numericIdNumeral(text) : undefined;
        const answer = handleEntry(conn, checkEnvelope(message, numeral), false);
        return isPromise(answer) ? answer.then(orUndefined) : orUndefined(answer);
      }
      if (message.length === 0) return respond(null, invalidRequest("empty batch", ""));
      if (message.length > MAX_BATCH) return respond(null, invalidRequest(`batch of ${message.length} requests; at most ${MAX_BATCH}`, ""));
      return batch(conn, message, text);
    },
    encodeError: (error) => JSON.stringify(createJSONRPCErrorResponse(null, error.code, error.message, error.data)),
    // No seq: one Buffer per push, written to every socket as it is (issue 11).
    encodeEvent(push) {
      const params = push.stateVersion === undefined ? push.payload : { ...push.payload, stateVersion: push.stateVersion };
      return sharedFrame(encodeWithRaw({ jsonrpc: "2.0", method: push.event, params }));
    },
  };
  return binding;
};

/** Only numeric ids need their numeral read back from the text (transport/id-numeral.ts). */
const hasNumericId = (entry: unknown): boolean => typeof (entry as { id?: unknown } | null)?.id === "number";

const orUndefined = (answer: Answer): EncodedJson | undefined => answer ?? undefined;

/**
 * Calls a method of the table for a request that passed the envelope check and the handshake gate:
 * METHOD_NOT_FOUND for one the gateway does not offer; the result, or the error the call threw,
 * as the answer. A notification (no id) runs the same and is answered with nothing (JSON-RPC 2.0 §4.1).
 */
function createDispatch(gw: GatewayContext, methods: MethodTable, respond: (id: JSONRPCID, error: GatewayError) => string) {
  const failed = (conn: Connection, request: JSONRPCRequest, error: unknown): Answer => {
    const known = toGatewayError(error);
    if (known.errorName === "INTERNAL_ERROR") {
      gw.log(`error ${request.method} failed on conn=${conn.id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    return request.id === undefined ? null : respond(request.id, known);
  };
  const succeeded = (request: JSONRPCRequest, result: unknown): Answer => (request.id === undefined ? null : successText(request.id, result));

  return function call(conn: Connection, request: JSONRPCRequest): MaybePromise<Answer> {
    const { method } = request;
    if (!methods.offers(method)) {
      return request.id === undefined ? null : respond(request.id, new GatewayError("METHOD_NOT_FOUND", `unknown method ${JSON.stringify(method)}`, { method }));
    }
    let result: unknown;
    try {
      result = methods.call(conn, method, request.params);
    } catch (error) {
      return failed(conn, request, error);
    }
    if (!isPromise(result)) return succeeded(request, result);
    return result.then(
      (value) => succeeded(request, value),
      (error: unknown) => failed(conn, request, error),
    );
  };
}

/**
 * `{"jsonrpc":"2.0","id":..,"result":..}` as json-rpc-2.0's createJSONRPCSuccessResponse shapes it
 * (a missing result is null); a cached list (RawJson) is spliced in as it is.
 */
function successText(id: JSONRPCID, result: unknown): EncodedJson {
  if (!(result instanceof RawJson)) return encodeAnswer({ jsonrpc: "2.0", id, result: result ?? null });
  const head = `{"jsonrpc":"2.0","id":${typeof id === "number" ? id : JSON.stringify(id)},"result":`;
  return result.length < 256 ? `${head}${result.text}}` : new ChunkedJson([head, ...result.chunks, "}"]);
}

/** The JSON-RPC error response (SPEC §10 code, `data.code` the name), faults applied. */
function errorResponse(id: JSONRPCID, error: GatewayError, gw: GatewayContext): JSONRPCErrorResponse {
  const sent = wireError(error, gw.options.faults);
  return createJSONRPCErrorResponse(id, sent.code, sent.message, sent.data);
}
