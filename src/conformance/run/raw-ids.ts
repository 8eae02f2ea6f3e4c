/**
 * Which answers a `raw` send step waits for, read from the ids inside the frame, and what an answer to
 * a request id that would not come back unchanged through JSON carries instead.
 *
 * A numeric id whose numeral JSON changes (`1e400` -> Infinity, written back as null; `-0` -> 0;
 * `9007199254740993` -> ...992; `1e-400` -> 0; `1.00000000000000001` -> 1: src/transport/request-id.ts
 * and id-numeral.ts) cannot be answered with the id as sent by a gateway that parses it. The step then
 * waits for the first answer after the send, whatever its id, and judges the id from the answer's
 * raw text (docs/conformance.md, "B1/T2 (request ids)"):
 * - `id: null`: the request refused as JSON-RPC 2.0 §5 answers an invalid request. Passes.
 * - the numeral exactly as the client wrote it (`"id":1e-400`): "the same value as the request"
 *   (JSON-RPC 2.0 §5), nothing changed. Passes the id check (the step's expectation is judged as usual).
 * - the value JSON.parse made of it, written back (`"id":0` for `1e-400`, OpenClaw's answer): an id
 *   the client never sent. Fails at `/id`, saying so.
 * - any other id: fails at `/id`, saying it is neither.
 */
import type { ClientBinding } from "../../transport/binding.js";
import type { InboundFrame, RequestId } from "../../transport/frames.js";
import { idNumeralProblem, idNumerals, numericIdNumeral } from "../../transport/id-numeral.js";
import { describeId, isRoundTripId, requestIdProblem } from "../../transport/request-id.js";
import type { Mismatch } from "../checks/matchers.js";

export interface RawWait {
  /** The id the answer carries: the request's own, or null for a frame without a usable id. */
  id: RequestId | null;
  /** The numeral of a numeric id that would not come back unchanged (single request frames only): any answer after the send is taken, and must carry id null. */
  lossy?: string;
}

/** What is wrong with a numeric id written as `numeral` (undefined: it comes back unchanged, or it is no number). */
function lossyProblem(id: unknown, numeral: string | undefined): string | undefined {
  if (typeof id !== "number") return undefined;
  return requestIdProblem(id) ?? idNumeralProblem(id, numeral);
}

/**
 * The answers a raw frame waits for: by the id inside it when it has one that survives JSON, else the
 * next answer with id null (a lossy numeric id in a single request: the next answer, checked by
 * `lossyIdMismatch`); a raw batch waits for one answer per entry that has an id (notifications get
 * none), in order.
 */
export function rawAnswerWaits(raw: string): RawWait[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [{ id: null }];
  }
  const idOf = (entry: unknown): RequestId | null => {
    const id = (entry as { id?: unknown } | null)?.id;
    return isRoundTripId(id) ? id : null;
  };
  if (!Array.isArray(parsed) || parsed.length === 0) {
    const id = (parsed as { id?: unknown } | null)?.id;
    const numeral = typeof id === "number" ? numericIdNumeral(raw) : undefined;
    if (lossyProblem(id, numeral) !== undefined) return [{ id: null, lossy: numeral ?? describeId(id) }];
    return [{ id: idOf(parsed) }];
  }
  const numerals = idNumerals(raw);
  return parsed.flatMap((entry, i) => {
    if (entry !== null && typeof entry === "object" && !("id" in entry)) return [];
    const id = (entry as { id?: unknown } | null)?.id;
    return [{ id: lossyProblem(id, numerals[i]) === undefined ? idOf(entry) : null }];
  });
}

/**
 * The id a decoded answer carries when its text echoed a lossy numeral exactly as sent: JSON has no
 * value for it (JSON.parse would make 0 of `1e-400`), so the frame is decoded with this string in its
 * place, and lossyIdMismatch reads the numeral from the text.
 */
export const ECHOED_ID = "(the id as sent)";

/**
 * An answer the binding could not decode only because its id is one of `sentNumerals` (lossy numerals
 * this connection sent raw) written exactly as sent: decoded with ECHOED_ID as its id, since it
 * carries its request's id. Undefined for any other frame (it stays a decode error, a W1 finding).
 */
export function decodeEchoedId(binding: ClientBinding, text: string, sentNumerals: ReadonlySet<string>): InboundFrame[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || typeof (parsed as { id?: unknown }).id !== "number") return undefined;
  const numeral = numericIdNumeral(text);
  if (numeral === undefined || !sentNumerals.has(numeral)) return undefined;
  try {
    return binding.decode(JSON.stringify({ ...parsed, id: ECHOED_ID }));
  } catch {
    return undefined;
  }
}

/** The numeral of an answer's numeric id as its text writes it (undefined: not a number, or the logged text was cut). */
function answerIdNumeral(answer: { text: string; bytes?: number }): string | undefined {
  if (answer.bytes !== undefined) return undefined;
  try {
    const id = (JSON.parse(answer.text) as { id?: unknown } | null)?.id;
    return typeof id === "number" ? numericIdNumeral(answer.text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `/id` finding for the answer to a request whose id was written `wait.lossy` (none when it is
 * null or the numeral as written), judged from the answer's raw text (`answer`: its wire record).
 */
export function lossyIdMismatch(wait: RawWait, answerId: RequestId | null, answer: { text: string; bytes?: number }): Mismatch[] {
  if (wait.lossy === undefined) return [];
  const numeral = answerIdNumeral(answer);
  if (numeral === wait.lossy || (answerId === null && numeral === undefined)) return [];
  const sent = `the request's id was written ${wait.lossy}, which JSON does not give back unchanged`;
  const fix = "answer with id null, as JSON-RPC 2.0 answers an invalid request, or with the numeral exactly as written";
  const carried = numeral ?? (answerId === ECHOED_ID ? undefined : describeId(answerId));
  if (carried !== undefined && carried === writtenBack(wait.lossy)) {
    return [{ path: "/id", message: `${sent}; the answer carries ${carried}, the value JSON.parse read from it written back, not the id as sent: an id the client did not send (${fix})` }];
  }
  return [{ path: "/id", message: `${sent}; the answer carries ${carried ?? "another id"}, neither the id as sent nor null: an id the client did not send (${fix})` }];
}

/** What a JSON.parse + JSON.stringify round trip makes of a numeral (`1e-400` -> `0`, `1e400` -> `null`). */
function writtenBack(numeral: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(numeral));
  } catch {
    return undefined;
  }
}
