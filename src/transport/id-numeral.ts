/**
 * Request ids whose numeral JSON.parse changes. `1e-400` parses to 0 and `1.00000000000000001` to
 * 1: both are finite, safe numbers, so request-id.ts's rule lets them pass, yet the answer would
 * carry `0` or `1`, which the client cannot match to what it sent. Only the frame's text shows it,
 * so the numeral is read back from the text and its decimal value (sign, significant digits,
 * exponent) compared with that of `String(number)`, the shortest numeral JSON writes back:
 * `1.50` and `15e-1` pass for 1.5, `1.00000000000000001` does not pass for 1.
 *
 * Cost: called only for a numeric id. A frame with no backslash and one `"id"` (a beacon) needs
 * three indexOf calls; an integer numeral of up to 15 digits is exact and needs no comparison. A
 * request object whose `"id"` occurs more than once (`connect`: the request's id and `client.id`)
 * is read by numericIdNumeral with indexOf calls too, not walked character by character: that
 * walk runs too rarely to be optimized and cost ~15 µs per 2 KB connect frame.
 */
import { describeId } from "./request-id.js";

/** Integer numerals of up to 15 digits denote their double exactly (2^53 has 16 digits). */
const SHORT_INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;

/**
 * What is wrong with a numeric id written as `numeral`, or undefined when the numeral denotes
 * exactly the number JSON.parse made of it (so JSON.stringify writes back the same value).
 */
export function idNumeralProblem(id: number, numeral: string | undefined): string | undefined {
  if (numeral === undefined || SHORT_INTEGER.test(numeral)) return undefined;
  if (decimalOf(numeral) === decimalOf(String(id))) return undefined;
  const short = numeral.length > 40 ? `${numeral.slice(0, 40)}...` : numeral;
  return `is written ${short}, which JSON reads as ${describeId(id)}: the answer would carry ${describeId(id)}, not the id as sent; use a number JSON keeps exactly, or a string`;
}

/**
 * A decimal numeral's value as `sign digits e exponent` with the significant digits only
 * (`-1.50e2` -> `-15e1`, `0.000` -> `0`); two numerals denote the same number when these are equal.
 */
function decimalOf(numeral: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(numeral);
  if (!m) return undefined;
  const fraction = m[3] ?? "";
  const all = `${m[2]}${fraction}`;
  const lead = /^0*/.exec(all)![0].length;
  if (lead === all.length) return "0";
  const trail = /0*$/.exec(all)![0].length;
  const digits = all.slice(lead, all.length - trail);
  const written = (m[4] ?? "0").replace(/^([+-]?)0+(?=\d)/, "$1");
  // An exponent of more than 15 digits lies far outside any double: it cannot match String(number).
  if (written.replace(/^[+-]/, "").length > 15) return `${m[1]}${digits}e${written}`;
  return `${m[1]}${digits}e${Number(written) - fraction.length + trail}`;
}

/**
 * The numeral text of the `id` member of each request in a frame, as written: one entry for an
 * object, one per element for an array (a batch); undefined where the id is not a number (or the
 * element not an object). `text` must be valid JSON (it parsed). JSON.parse keeps the last of
 * repeated keys, and so does this.
 */
export function idNumerals(text: string): Array<string | undefined> {
  // The common frame: no escape anywhere and one `"id"`, which must then be the request's own key.
  const at = text.indexOf('"id"');
  if (at !== -1 && text.indexOf('"id"', at + 4) === -1 && text.indexOf("\\") === -1 && text.charCodeAt(skipSpace(text, 0)) === OPEN_OBJECT) {
    const start = skipSpace(text, skipSpace(text, at + 4) + 1);
    return [numeralAt(text, start)];
  }
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) === OPEN_OBJECT) return [idOfObject(text, i)[0]];
  if (text.charCodeAt(i) !== OPEN_ARRAY) return [];
  const out: Array<string | undefined> = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_ARRAY) return out;
  for (;;) {
    if (text.charCodeAt(i) === OPEN_OBJECT) {
      const [numeral, end] = idOfObject(text, i);
      out.push(numeral);
      i = end;
    } else {
      out.push(undefined);
      i = skipValue(text, i);
    }
    i = skipSpace(text, i);
    if (text.charCodeAt(i) !== COMMA) return out;
    i = skipSpace(text, i + 1);
  }
}

/**
 * The numeral of the `id` member of the single request object in `text`, for a caller that knows
 * (from JSON.parse) that this id is a number; same answer as `idNumerals(text)[0]`.
 *
 * Shortcut, exact: without a backslash every `"` in valid JSON delimits a string, so each `"id"`
 * in the text is the string id, and a key when a `:` follows. When only one such key has a number
 * for value, it is the request's own (last) id: that one is a number, and it is an `"id"` key.
 * Otherwise (escapes, several numeric `id` keys) the object is walked (idNumerals).
 */
export function numericIdNumeral(text: string): string | undefined {
  if (text.indexOf("\\") === -1 && text.charCodeAt(skipSpace(text, 0)) === OPEN_OBJECT) {
    let found: string | undefined;
    let numeric = 0;
    for (let at = text.indexOf('"id"'); at !== -1 && numeric < 2; at = text.indexOf('"id"', at + 4)) {
      const colon = skipSpace(text, at + 4);
      if (text.charCodeAt(colon) !== COLON) continue;
      const numeral = numeralAt(text, skipSpace(text, colon + 1));
      if (numeral === undefined) continue;
      numeric++;
      found = numeral;
    }
    if (numeric === 1) return found;
  }
  return idNumerals(text)[0];
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The numeral of the object at `i`'s last `id` member (if a number), and the index after the object. */
function idOfObject(text: string, i: number): [string | undefined, number] {
  let found: string | undefined;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_OBJECT) return [undefined, i + 1];
  for (;;) {
    const keyEnd = stringEnd(text, i);
    const key = text.slice(i, keyEnd);
    const start = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const end = skipValue(text, start);
    if (key === '"id"' || (key.length > 4 && key.includes("\\") && JSON.parse(key) === "id")) found = numeralAt(text, start);
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== COMMA) return [found, i + 1];
    i = skipSpace(text, i + 1);
  }
}

/** The numeral starting at `i`, or undefined when the value there is not a number. */
function numeralAt(text: string, i: number): string | undefined {
  const c = text.charCodeAt(i);
  if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) return undefined;
  return text.slice(i, skipValue(text, i));
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** Index after the string that opens at `i`. */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return i;
}

/** Index after the value that starts at `i` (containers skipped by depth, without recursion). */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = stringEnd(text, i);
        continue;
      }
      if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
      else if ((d === CLOSE_OBJECT || d === CLOSE_ARRAY) && --depth === 0) return i + 1;
      i++;
    }
    return i;
  }
  // A number or a literal: up to the next delimiter.
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return i;
    i++;
  }
  return i;
}
