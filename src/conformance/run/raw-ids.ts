/**
 * Which answers a `raw` send step waits for, read from the ids inside the frame, and whether an answer
 * to a request id that would not come back unchanged carries a different id.
 *
 * A numeric id whose numeral JSON changes (`1e400` -> Infinity, written back as null; `-0` -> 0;
 * `9007199254740993` -> ...992; `1e-400` -> 0; `1.00000000000000001` -> 1: src/transport/request-id.ts
 * and id-numeral.ts) cannot be answered with the id as sent. A gateway must refuse such a request with
 * `id: null` (JSON-RPC 2.0 §5: an Invalid Request is answered with id null; our reading of SPEC B1/T2 for
 * both bindings). Answering with the parsed number (`0` for `1e-400`, as OpenClaw does) gives the
 * client an answer to a request it did not send: the step then waits for the first answer after the
 * send, whatever its id, and reports any id but null as a mismatch at `/id`.
 */
import type { RequestId } from "../../transport/frames.js";
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

/** The answer to a request whose id was written `lossy` must carry id null; any other id is not the one sent. */
export function lossyIdMismatch(wait: RawWait, answerId: RequestId | null): Mismatch[] {
  if (wait.lossy === undefined || answerId === null) return [];
  return [
    {
      path: "/id",
      message: `the request's id was written ${wait.lossy}, which JSON does not give back unchanged; the answer carries ${describeId(answerId)}, an id the client did not send (refuse it with id null, as JSON-RPC 2.0 answers an invalid request)`,
    },
  ];
}
