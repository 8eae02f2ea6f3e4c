/**
 * JSON text that is already serialized (the cached presence list, issue 11), embedded in an answer
 * or a push without parsing and serializing it again. `stringifyWithRaw` splices the text in; a
 * plain JSON.stringify still gives the right output (toJSON parses it), only slower.
 */
import { randomBytes } from "node:crypto";

/** Marks where a RawJson goes; the nonce is never sent, so no client string can forge a marker. */
const MARK = `\u0000raw-${randomBytes(12).toString("hex")}-`;
const MARKER = new RegExp(`"${JSON.stringify(MARK).slice(1, -1).replace(/\\/g, "\\\\")}(\\d+)"`, "g");

let collecting: string[] | undefined;

export class RawJson {
  /** `text` must be valid JSON (the caller serialized it). */
  constructor(readonly text: string) {}

  toJSON(): unknown {
    if (collecting === undefined) return JSON.parse(this.text);
    collecting.push(this.text);
    return `${MARK}${collecting.length - 1}`;
  }
}

/** JSON.stringify, with every RawJson inside `value` written as its text. */
export function stringifyWithRaw(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  const outer = collecting;
  const raws: string[] = (collecting = []);
  try {
    const text = JSON.stringify(value);
    return raws.length === 0 ? text : text.replace(MARKER, (_, i: string) => raws[Number(i)]);
  } finally {
    collecting = outer;
  }
}
