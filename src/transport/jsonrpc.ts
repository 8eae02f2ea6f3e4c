/** The `jsonrpc` binding (SPEC T2): JSON-RPC 2.0 requests, responses and notifications. */
import type { JSONRPCResponse } from "json-rpc-2.0";
import { ERROR_CODES, type ErrorName } from "../protocol/errors.js";
import { JSONRPC_PROTOCOL_VERSION } from "../protocol/methods.js";
import type { ClientBinding } from "./binding.js";
import { EMPTY_CODE, FrameDecodeError, NO_CODE, otherBindingMessage, type InboundFrame, type RequestId, type WireError } from "./frames.js";
import { idNumeralProblem, idNumerals } from "./id-numeral.js";
import { assertRoundTripId, describeId, requestIdProblem } from "./request-id.js";

const NAME_BY_CODE = new Map<number, ErrorName>(Object.entries(ERROR_CODES).map(([name, code]) => [code, name as ErrorName]));

/**
 * The SPEC §10 name of a JSON-RPC error: `data.code` when the gateway sent one (an empty one names
 * nothing), else from the numeric code (a number outside SPEC §10, or a string code, is its own name);
 * NO_CODE when the error carries neither and EMPTY_CODE for a code `""` (JSON-RPC requires an integer
 * code; no text should quote one the gateway did not send).
 */
export function jsonRpcErrorName(code: unknown, data: unknown): ErrorName | string {
  const named = (data as { code?: unknown } | null | undefined)?.code;
  if (typeof named === "string" && named !== "") return named;
  if (typeof code === "number") return NAME_BY_CODE.get(code) ?? String(code);
  if (typeof code === "string") return code === "" ? EMPTY_CODE : code;
  return NO_CODE;
}

function decodeOne(message: unknown, text: string, idNumeral: string | undefined): InboundFrame {
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    throw new FrameDecodeError("not a JSON-RPC object", text);
  }
  const m = message as Record<string, unknown>;
  if (m.jsonrpc === undefined && (m.type === "event" || m.type === "res") && !("method" in m)) {
    const what = typeof m.event === "string" ? `an OpenClaw "${m.event}" event` : `an OpenClaw "${m.type}" frame`;
    throw new FrameDecodeError(otherBindingMessage(what, "openclaw"), text, "openclaw");
  }
  if (m.jsonrpc !== "2.0") throw new FrameDecodeError('missing "jsonrpc": "2.0"', text);
  if (typeof m.method === "string" && m.id === undefined) {
    return { kind: "event", event: m.method, payload: m.params };
  }
  const response = m as unknown as JSONRPCResponse;
  const id = answerId(m, text, idNumeral);
  if (response.error !== undefined) {
    const e = response.error as { code?: unknown; message: string; data?: unknown } | null;
    if (e === null || typeof e !== "object" || Array.isArray(e)) {
      throw new FrameDecodeError(`"error" must be an object (JSON-RPC 2.0 §5.1), got ${e === null ? "null" : Array.isArray(e) ? "an array" : `a ${typeof e}`}`, text);
    }
    const error: WireError = {
      name: jsonRpcErrorName(e.code, e.data),
      // Only a number: any other code stays in `sent` and the name (a W1 finding in reports).
      ...(typeof e.code === "number" ? { code: e.code } : {}),
      message: e.message,
      ...(e.data !== undefined && typeof e.data === "object" ? { data: e.data as Record<string, unknown> } : {}),
      sent: response.error,
    };
    return { kind: "error", id, error };
  }
  if ("result" in m && id !== null) return { kind: "result", id, result: m.result };
  throw new FrameDecodeError("neither a response nor a notification", text);
}

/**
 * The id of an answer: null when absent or null, else a string or a number that survived the JSON
 * round trip (and whose numeral denotes exactly that number); any other id cannot be matched to a
 * request and makes the frame undecodable.
 */
function answerId(m: Record<string, unknown>, text: string, idNumeral: string | undefined): RequestId | null {
  if (m.id === undefined || m.id === null) return null;
  const problem = requestIdProblem(m.id) ?? (typeof m.id === "number" ? idNumeralProblem(m.id, idNumeral) : undefined);
  if (problem !== undefined) throw new FrameDecodeError(`answer id ${describeId(m.id)} ${problem}`, text);
  return m.id as RequestId;
}

const hasNumericId = (m: unknown): boolean => typeof (m as { id?: unknown } | null)?.id === "number";

export const jsonRpcBinding: ClientBinding = {
  name: "jsonrpc",
  protocol: { min: JSONRPC_PROTOCOL_VERSION, max: JSONRPC_PROTOCOL_VERSION },
  encodeRequest(id, method, params) {
    assertRoundTripId(id);
    return JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
  },
  decode(text) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new FrameDecodeError("not JSON", text);
    }
    const numerals = (Array.isArray(parsed) ? parsed : [parsed]).some(hasNumericId) ? idNumerals(text) : [];
    return Array.isArray(parsed) ? parsed.map((m, i) => decodeOne(m, text, numerals[i])) : [decodeOne(parsed, text, numerals[0])];
  },
};
