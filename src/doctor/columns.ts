/**
 * Text tables for a terminal (`list`'s Instances table, the doctor's evidence): cells are cut and
 * padded by the columns they take on screen, not by UTF-16 code units. A CJK character or an emoji
 * takes two columns, a combining mark none, so `会議室-端末` (6 characters, 11 columns) padded with
 * padEnd pushed the rest of its row 5 columns right of the header; and a cut by code units could split
 * an emoji's surrogate pair, printing half a character.
 */

/** East Asian Wide and Fullwidth ranges (Unicode's EastAsianWidth W and F, in short) and emoji shown as pictures. */
const WIDE =
  /[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{1b000}-\u{1b2ff}\u{1f200}-\u{1f2ff}\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}/u;
/** Characters that take no column of their own: combining marks, variation selectors, the zero-width joiner. */
const ZERO = /[\p{M}\u200b-\u200d\ufe00-\ufe0f]/u;

/** The columns one character (one code point) takes: 0, 1 or 2. */
function columnsOf(char: string): number {
  return ZERO.test(char) ? 0 : WIDE.test(char) ? 2 : 1;
}

/** The columns `text` takes on a terminal. */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += columnsOf(char);
  return width;
}

/** `text` in at most `width` columns: cut between characters (never inside one), ending in "…" when cut. */
export function cutToWidth(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const char of text) {
    const w = columnsOf(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** Rows of cells as lines, each column as wide as its widest cell on screen, two spaces apart, no trailing blanks. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, textWidth(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => cell + " ".repeat(widths[i] - textWidth(cell)))
      .join("  ")
      .trimEnd(),
  );
}
