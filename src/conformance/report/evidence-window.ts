/**
 * A wire-format finding's example frame, cut so the field that is wrong shows: a frame longer than a
 * report keeps (MAX_TEXT_CHARS) is cut at its start by the wire log, and the 150th row of a listing
 * may lie far past that cut. The evidence then shows a window of the whole text around that field;
 * so do the reports that cut a frame shorter (conform's terminal lines, report compare).
 */

/** How much of the text before the wrong value a window shows (its key and the row it is in). */
const CONTEXT_BEFORE = 200;
/** How much of the wrong value the text's start must show to be kept as the evidence. */
const SHOWN_OF_VALUE = 100;

/**
 * `text` (the whole frame) as evidence of at most `max` characters that shows the value at JSON
 * Pointer `pointer` (a frame's own path, or one inside the result or payload it carries: the first
 * value whose path ends with it): a window `…<text around the value>…` starting CONTEXT_BEFORE
 * characters before it. Undefined when the text's first `max` characters show the value already, or
 * it is not found (text that is not JSON, a pointer to the frame itself): the frame's start is the evidence.
 */
export function evidenceWindow(text: string, pointer: string, max: number): string | undefined {
  const at = pointer ? valueOffset(text, pointer) : -1;
  if (at < 0 || at + SHOWN_OF_VALUE <= max) return undefined;
  const start = at - CONTEXT_BEFORE;
  const end = Math.min(text.length, start + max - 2);
  return `…${text.slice(start, end)}${end < text.length ? "…" : ""}`;
}

/**
 * A frame's text for a report that shows `max` characters of it: a finding's evidence (with `at`) as
 * a window around its wrong value when the first `max` characters do not show it, else as it is.
 */
export function frameTextShowing(frame: { text: string; at?: string }, max: number): string {
  return (frame.at !== undefined && evidenceWindow(frame.text, frame.at, max)) || frame.text;
}

/** Where the first value whose JSON Pointer ends with `pointer` starts in JSON `text`, or -1 (not found, not JSON). */
export function valueOffset(text: string, pointer: string): number {
  const wanted = pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const path: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const matches = () => path.length >= wanted.length && wanted.every((s, k) => path[path.length - wanted.length + k] === s);
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  // Returns the offset of the match inside this value, or -1; leaves `i` after the value.
  const value = (): number => {
    ws();
    if (matches()) return i;
    const open = text[i];
    if (open === "{" || open === "[") {
      i++;
      for (let index = 0; ; index++) {
        ws();
        if (text[i] === "}" || text[i] === "]") break;
        if (open === "{") {
          path.push(string());
          ws();
          i++; // ':'
        } else path.push(String(index));
        const found = value();
        path.pop();
        if (found >= 0) return found;
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== "}" && text[i] !== "]") throw new SyntaxError("not JSON");
      }
      i++;
    } else if (open === '"') string();
    else {
      const start = i;
      while (i < text.length && !",}] \t\n\r".includes(text[i]!)) i++;
      if (i === start) throw new SyntaxError("not JSON");
    }
    return -1;
  };
  try {
    return value();
  } catch {
    // Not JSON (a frame the binding could not decode), or nested too deep to walk here.
    return -1;
  }
}
