/**
 * The recording format (JSON Lines), shared with ../shared/recordings: one object per line with
 * `conn` (connection name), `dir` (send: client -> gateway, recv: gateway -> client, meta, note),
 * `ts` (ISO time), `ms` (epoch ms), `dt` (ms since the recording started), `t` (ms since the
 * connection opened; ours only) and `frame` (parsed JSON) or `text` (a frame that is not JSON).
 */

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
    lines.push(line as RecordingLine);
  });
  return lines;
}

export function formatRecordingLine(line: RecordingLine): string {
  return `${JSON.stringify(line)}\n`;
}
