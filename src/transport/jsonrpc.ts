/** The `jsonrpc` binding (SPEC T2): JSON-RPC 2.0 requests, responses and notifications. */
import type { JSONRPCResponse } from "json-rpc-2.0";
import { ERROR_CODES, type ErrorName } from "../protocol/errors.js";
import { JSONRPC_PROTOCOL_VERSION } from "../protocol/methods.js";
import type { ClientBinding } from "./binding.js";
import { FrameDecodeError, type InboundFrame, type WireError } from "./frames.js";

// Written out rather than imported: json-rpc-2.0 does not tree-shake, and the client bundle would
// carry the whole library for this one check.
const isRequestId = (id: unknown): id is string | number => typeof id === "string" || typeof id === "number";

const NAME_BY_CODE = new Map<number, ErrorName>(Object.entries(ERROR_CODES).map(([name, code]) => [code, name as ErrorName]));

/** The SPEC §10 name of a JSON-RPC error: `data.code` when the gateway sent it, else from the numeric code. */
export function jsonRpcErrorName(code: number, data: unknown): ErrorName | string {
  const named = (data as { code?: unknown } | undefined)?.code;
  if (typeof named === "string") return named;
  return NAME_BY_CODE.get(code) ?? String(code);
}

function decodeOne(message: unknown, text: string): InboundFrame {
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    throw new FrameDecodeError("not a JSON-RPC object", text);
  }
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== "2.0") throw new FrameDecodeError('missing "jsonrpc": "2.0"', text);
  if (typeof m.method === "string" && m.id === undefined) {
    return { kind: "event", event: m.method, payload: m.params };
  }
  const response = m as unknown as JSONRPCResponse;
  if (response.error !== undefined) {
    const e = response.error as { code: number; message: string; data?: unknown };
    const error: WireError = {
      name: jsonRpcErrorName(e.code, e.data),
      code: e.code,
      message: e.message,
      ...(e.data !== undefined && typeof e.data === "object" ? { data: e.data as Record<string, unknown> } : {}),
    };
    return { kind: "error", id: isRequestId(response.id) ? response.id : null, error };
  }
  if ("result" in m && isRequestId(m.id)) return { kind: "result", id: m.id, result: m.result };
  throw new FrameDecodeError("neither a response nor a notification", text);
}

export const jsonRpcBinding: ClientBinding = {
  name: "jsonrpc",
  protocol: { min: JSONRPC_PROTOCOL_VERSION, max: JSONRPC_PROTOCOL_VERSION },
  encodeRequest(id, method, params) {
    return JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
  },
  decode(text) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new FrameDecodeError("not JSON", text);
    }
    return Array.isArray(parsed) ? parsed.map((m) => decodeOne(m, text)) : [decodeOne(parsed, text)];
  },
};
