/**
 * Text a peer wrote, made safe to print on a terminal or in a log line. Any client with write scope
 * sets another row's `host`, `text`, `mode`, ... (SPEC K2) to any string the schema allows, escape
 * characters included, and `list`, `watch` and `doctor` print those strings on an operator's
 * terminal: ESC sequences there can retitle the window, clear the screen, hide or recolour rows, or
 * (OSC 52, in terminals that allow it) write the clipboard; bidi overrides reverse the rest of the
 * line and zero-width characters make two different instanceIds look alike.
 */

/**
 * What a terminal or a log line must not get from a peer as it is: C0 and C1 controls, DEL, NEL, the
 * line and paragraph separators, bidi marks, embeddings, overrides and isolates (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069) and the invisible zero-width characters (U+200B-U+200D,
 * U+2060, U+FEFF).
 */
// eslint-disable-next-line no-control-regex
export const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** `\x1b`, `\u202e`: the character's code as text. */
function escaped(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` for a terminal: tab, line feed, carriage return, vertical tab, form feed and the line and
 * paragraph separators become one space each (a table cell, a report line stays one line); every
 * other UNPRINTABLE character is shown as its escape (`\x1b`, `\u202e`, `\u200b`), so the reader
 * sees that it is there and which it is. Everything else is kept as it is.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => (/[\t\n\v\f\r\u2028\u2029]/.test(char) ? " " : escaped(char)));
}

/** Deepest nesting printableDeep copies; deeper values are left out (a peer's value can nest 250,000 levels). */
const MAX_DEPTH = 64;

/**
 * A deep copy of plain data (`value`: objects, arrays, primitives) with every string, keys included,
 * as `printable` shows it; a value nested deeper than 64 levels becomes `"…"`.
 */
export function printableDeep<T>(value: T, depth = 0): T {
  if (typeof value === "string") return printable(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "…" as T;
  if (Array.isArray(value)) return value.map((item: unknown) => printableDeep(item, depth + 1)) as T;
  // fromEntries, not assignment: a peer's "__proto__" key stays a key.
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [printable(key), printableDeep(inner, depth + 1)])) as T;
}
