/**
 * Request ids that come back unchanged. A JSON-RPC answer must carry the id of its request, and the
 * id travels through `JSON.parse` and `JSON.stringify` on both sides: a numeral too large for a
 * double (`1e400`) parses to Infinity and is written back as `null`, an integer past 2^53
 * (`9007199254740993`) is rounded to a neighbour, and `-0` is written back as `0`. Such an id is
 * refused wherever ids are made or read (gateway, SDK, harness, recorder), so an answer can always
 * be matched to its request. The rule is I-JSON's (RFC 7493 §2.2): numbers are finite doubles and
 * integers lie within ±(2^53 - 1).
 */
import type { RequestId } from "./frames.js";

/** JSON-RPC 2.0 allows string, number and null ids; numbers pass only when they survive a JSON round trip. */
export function requestIdProblem(id: unknown): string | undefined {
  if (typeof id === "string" || id === null) return undefined;
  if (typeof id !== "number") return "must be a string, a number or null";
  if (!Number.isFinite(id)) {
    return "must be a finite number (a numeral too large for a double, such as 1e400, becomes Infinity, which JSON writes back as null)";
  }
  if (Number.isInteger(id) && !Number.isSafeInteger(id)) {
    return `must be an integer within ±${Number.MAX_SAFE_INTEGER} (2^53 - 1): ${id} cannot be told apart from its neighbours and would not come back unchanged; use a string`;
  }
  if (Object.is(id, -0)) return "must not be -0 (JSON writes it back as 0); use 0 or a string";
  return undefined;
}

/** A string, or a number that survives a JSON round trip (null is not a request id the SDK sends). */
export function isRoundTripId(id: unknown): id is RequestId {
  return id !== null && requestIdProblem(id) === undefined;
}

/** Throws a TypeError naming the id when it would not come back unchanged. */
export function assertRoundTripId(id: unknown): asserts id is RequestId {
  const problem = id === null ? "must be a string or a number" : requestIdProblem(id);
  if (problem !== undefined) throw new TypeError(`request id ${describeId(id)} ${problem}`);
}

/** The id as a reader would recognise it (`-0` and `Infinity` stay visible, unlike JSON.stringify). */
export function describeId(id: unknown): string {
  if (typeof id === "number") return Object.is(id, -0) ? "-0" : String(id);
  return JSON.stringify(id) ?? String(id);
}
