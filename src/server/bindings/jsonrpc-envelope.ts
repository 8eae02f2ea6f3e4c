/**
 * Is a decoded value a JSON-RPC 2.0 request (SPEC B1)? Names what is wrong, with paths. An id must
 * come back unchanged in the answer (src/transport/request-id.ts: no 1e400, no integer past 2^53,
 * no -0; src/transport/id-numeral.ts: no numeral JSON.parse changes, such as 1e-400 or
 * 1.00000000000000001), and ids must not repeat within a batch.
 */
import type { JSONRPCID, JSONRPCRequest } from "json-rpc-2.0";
import type { ValidationIssue } from "../../protocol/errors.js";
import { idNumeralProblem } from "../../transport/id-numeral.js";
import { describeId, requestIdProblem } from "../../transport/request-id.js";

export type EnvelopeCheck = { ok: true; request: JSONRPCRequest } | { ok: false; id: JSONRPCID; issues: ValidationIssue[] };

/**
 * `idNumeral`: how a numeric id was written in the frame's text (idNumerals), when the caller has
 * the text; the id is refused when the numeral does not denote exactly the parsed number.
 */
export function checkEnvelope(value: unknown, idNumeral?: string): EnvelopeCheck {
  // The common case first, without building anything: a well-formed request is used as it is (its
  // other members, if any, are never read).
  const r = value as Record<string, unknown> | null;
  if (
    r !== null &&
    typeof r === "object" &&
    r.jsonrpc === "2.0" &&
    typeof r.method === "string" &&
    r.method.length > 0 &&
    !Array.isArray(r) &&
    !("result" in r) &&
    !("error" in r) &&
    (!("id" in r) || requestIdProblem(r.id) === undefined) &&
    (idNumeral === undefined || idNumeralProblem(r.id as number, idNumeral) === undefined)
  ) {
    return { ok: true, request: r as unknown as JSONRPCRequest };
  }
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
  const idProblem = hasId ? (requestIdProblem(m.id) ?? (typeof m.id === "number" ? idNumeralProblem(m.id, idNumeral) : undefined)) : undefined;
  if (idProblem !== undefined) {
    const keyword = typeof m.id === "number" ? "format" : "type";
    issues.push({ path: "/id", message: typeof m.id === "number" ? `${describeId(m.id)} ${idProblem}` : idProblem, keyword });
  }
  for (const field of ["result", "error"]) {
    if (field in m) issues.push({ path: `/${field}`, message: "is not allowed in a request", keyword: "additionalProperties" });
  }
  // An id that would not come back unchanged is answered with null (the client cannot match it anyway).
  const id = hasId && idProblem === undefined ? (m.id as JSONRPCID) : null;
  if (issues.length > 0) return { ok: false, id, issues };
  const request: JSONRPCRequest = { jsonrpc: "2.0", method: m.method as string };
  if (hasId) request.id = id;
  if ("params" in m) request.params = m.params;
  return { ok: true, request };
}

/**
 * A batch whose ids repeat (SPEC T3 reading, docs/gateway.md): the answers could not be told apart,
 * so no entry of it runs. Returns, per entry that has an id, what to answer; undefined when every
 * id is unique. Ids are compared as JSON values: `9` and `"9"` differ, `9` and `9.0` do not.
 *
 * Each answer names one repeat (its own for an entry whose id repeats, else the first) with the id
 * abbreviated, and says how many other ids repeat: naming every repeat in every answer made a
 * 500 KB batch of 100 long ids, in pairs, answered with 60 MB (docs/security.md).
 */
export function repeatedIds(envelopes: readonly EnvelopeCheck[]): Map<number, ValidationIssue> | undefined {
  const seen = new Map<string, { id: JSONRPCID; at: number[] }>();
  envelopes.forEach((e, index) => {
    if (!e.ok || e.request.id === undefined) return;
    const key = JSON.stringify(e.request.id);
    const group = seen.get(key);
    if (group) group.at.push(index);
    else seen.set(key, { id: e.request.id, at: [index] });
  });
  const repeats = [...seen.values()].filter(({ at }) => at.length > 1);
  if (repeats.length === 0) return undefined;
  const others = (n: number) => (n === 0 ? "" : `; ${n} other id${n === 1 ? "" : "s"} repeat${n === 1 ? "s" : ""} too`);
  const answers = new Map<number, ValidationIssue>();
  for (const group of seen.values()) {
    const own = group.at.length > 1;
    const named = own ? group : repeats[0]!;
    const message = `ids must be unique within a batch (id ${shownId(named.id)} at entries ${named.at.join(", ")}${others(repeats.length - 1)}): no entry of this batch was run`;
    for (const index of group.at) answers.set(index, { path: own ? "/id" : "", message, keyword: own ? "uniqueItems" : "batch" });
  }
  return answers;
}

/** Most characters of a string id shown in a message (the answer carries the id itself anyway). */
const SHOWN_ID_CHARS = 40;

/** The id as JSON; a long string id abbreviated (never splitting a surrogate pair). */
function shownId(id: JSONRPCID): string {
  if (typeof id !== "string" || id.length <= SHOWN_ID_CHARS) return JSON.stringify(id);
  const cut = /[\ud800-\udbff]/.test(id[SHOWN_ID_CHARS - 1]!) ? SHOWN_ID_CHARS - 1 : SHOWN_ID_CHARS;
  return `${JSON.stringify(id.slice(0, cut))}... (${id.length} characters)`;
}
