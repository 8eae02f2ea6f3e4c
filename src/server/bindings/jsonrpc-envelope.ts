/** Is a decoded value a JSON-RPC 2.0 request (SPEC B1)? Names what is wrong, with paths. */
import { isJSONRPCID, type JSONRPCID, type JSONRPCRequest } from "json-rpc-2.0";
import type { ValidationIssue } from "../../protocol/errors.js";

export type EnvelopeCheck = { ok: true; request: JSONRPCRequest } | { ok: false; id: JSONRPCID; issues: ValidationIssue[] };

export function checkEnvelope(value: unknown): EnvelopeCheck {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const what = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    return { ok: false, id: null, issues: [{ path: "", message: `must be a JSON-RPC request object, got ${what}`, keyword: "type" }] };
  }
  const m = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (m.jsonrpc !== "2.0") issues.push({ path: "/jsonrpc", message: 'must be "2.0"', keyword: "const" });
  if (typeof m.method !== "string" || m.method.length === 0) {
    issues.push({ path: "/method", message: "must be a non-empty string", keyword: "type" });
  }
  const hasId = "id" in m;
  if (hasId && !isJSONRPCID(m.id)) issues.push({ path: "/id", message: "must be a string, a number or null", keyword: "type" });
  for (const field of ["result", "error"]) {
    if (field in m) issues.push({ path: `/${field}`, message: "is not allowed in a request", keyword: "additionalProperties" });
  }
  const id = hasId && isJSONRPCID(m.id) ? m.id : null;
  if (issues.length > 0) return { ok: false, id, issues };
  const request: JSONRPCRequest = { jsonrpc: "2.0", method: m.method as string };
  if (hasId) request.id = id;
  if ("params" in m) request.params = m.params;
  return { ok: true, request };
}
