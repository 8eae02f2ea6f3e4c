/**
 * The recording format (JSON Lines), shared with ../shared/recordings: one object per line with
 * `conn` (connection name), `dir` (send: client -> gateway, recv: gateway -> client, meta, note),
 * `ts` (ISO time), `ms` (epoch ms), `dt` (ms since the recording started), `t` (ms since the
 * connection opened; ours only) and `frame` (parsed JSON) or `text` (a frame that is not JSON, or
 * one holding a number JSON would not write back unchanged, see `hasLossyNumber`).
 */
import { idNumeralProblem, idNumerals } from "../transport/id-numeral.js";
import { describeId, requestIdProblem } from "../transport/request-id.js";

export type RecordingDirection = "send" | "recv" | "meta" | "note";

export interface RecordingLine {
  ts?: string;
  ms?: number;
  dt?: number;
  t?: number;
  conn: string;
  dir: RecordingDirection;
  bytes?: number;
  frame?: unknown;
  /** A text frame that is not JSON (send/recv), or a note's text. */
  text?: string;
  /** meta: `open`, `close`, `error`. */
  event?: string;
  code?: number;
  reason?: string;
  /** meta close: who closed first. */
  by?: "client" | "gateway";
  url?: string;
  [extra: string]: unknown;
}

/**
 * Nested deeper than `max` levels (arrays and objects), found without recursion (a hostile frame can
 * nest 250,000 levels in 500 KB). The recorder keeps such a frame as text: parsed, neither its
 * redaction nor its JSON line could be written.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const v of level) {
      if (v === null || typeof v !== "object") continue;
      if (depth >= max) return true;
      for (const inner of Array.isArray(v) ? v : Object.values(v)) if (inner !== null && typeof inner === "object") next.push(inner);
    }
    level = next;
  }
  return false;
}

/**
 * A number `JSON.stringify` would not write back as it was read: Infinity (a numeral such as 1e400),
 * an integer past 2^53 (rounded on parse), or -0 (written as 0). The recorder keeps a frame holding
 * one as text, so the recording says what was on the wire.
 */
export function hasLossyNumber(value: unknown, depth = 0): boolean {
  if (typeof value === "number") return !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)) || Object.is(value, -0);
  if (value === null || typeof value !== "object" || depth > 64) return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((v) => hasLossyNumber(v, depth + 1));
}

/**
 * A numeric request id written with a numeral JSON.parse changes (`1e-400` -> 0,
 * `1.00000000000000001` -> 1; transport/id-numeral.ts): parsed, the recording would not show it.
 */
export function hasLossyIdNumeral(frame: unknown, text: string): boolean {
  const entries: unknown[] = Array.isArray(frame) ? frame : [frame];
  const idOf = (entry: unknown): unknown => (entry as { id?: unknown } | null)?.id;
  if (!entries.some((entry) => typeof idOf(entry) === "number")) return false;
  const numerals = idNumerals(text);
  return entries.some((entry, i) => typeof idOf(entry) === "number" && idNumeralProblem(idOf(entry) as number, numerals[i]) !== undefined);
}

const DIRECTIONS = new Set<string>(["send", "recv", "meta", "note"]);

export class RecordingFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "RecordingFormatError";
  }
}

/** Parses JSON Lines; a bad line is an error naming its number and what is wrong. */
export function parseRecording(text: string): RecordingLine[] {
  const lines: RecordingLine[] = [];
  text.split("\n").forEach((raw, index) => {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new RecordingFormatError(index + 1, "not JSON");
    }
    const line = value as Partial<RecordingLine> | null;
    if (line === null || typeof line !== "object" || Array.isArray(line)) throw new RecordingFormatError(index + 1, "not an object");
    if (typeof line.conn !== "string" || line.conn === "") throw new RecordingFormatError(index + 1, 'missing "conn"');
    if (typeof line.dir !== "string" || !DIRECTIONS.has(line.dir)) {
      throw new RecordingFormatError(index + 1, `"dir" must be send, recv, meta or note, got ${JSON.stringify(line.dir)}`);
    }
    if ((line.dir === "send" || line.dir === "recv") && line.frame === undefined && typeof line.text !== "string") {
      throw new RecordingFormatError(index + 1, `a ${line.dir} line needs "frame" or "text"`);
    }
    const idProblem = frameIdProblem(line.frame);
    if (idProblem !== undefined) throw new RecordingFormatError(index + 1, `${idProblem}; a frame whose id does not survive JSON must be recorded as "text"`);
    lines.push(line as RecordingLine);
  });
  return lines;
}

/** What is wrong with the id (or a batch entry's id) of a recorded frame, if anything. */
function frameIdProblem(frame: unknown): string | undefined {
  const entries = Array.isArray(frame) ? frame : [frame];
  for (const [i, entry] of entries.entries()) {
    if (entry === null || typeof entry !== "object" || !("id" in entry)) continue;
    const problem = requestIdProblem((entry as { id: unknown }).id);
    if (problem !== undefined) return `frame${Array.isArray(frame) ? `[${i}]` : ""} id ${describeId((entry as { id: unknown }).id)} ${problem}`;
  }
  return undefined;
}

export function formatRecordingLine(line: RecordingLine): string {
  return `${JSON.stringify(line)}\n`;
}
