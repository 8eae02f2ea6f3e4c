/**
 * The rows of a snapshot as UTF-8 JSON, comma-separated (the inside of the list), built from the
 * previous snapshot's bytes where it can (issue 11). Under load every handshake changes the list, so
 * every hello-ok needs a new snapshot; joining and encoding all rows each time (20 KB for 200 rows)
 * made most of a handshake's garbage.
 *
 * Rows are listed newest first and a write moves its row to the front, so a new listing is a few
 * new rows followed by the previous rows in their order, minus those that moved or went. The runs
 * of previous rows are copied as bytes; only the other rows are serialized. A row object is never
 * changed once a store holds it (stores replace rows), so the same object has the same text, which
 * is all the copy relies on: a row that is not found is serialized, so any listing gives the same
 * bytes as joining every row's text (test/server/fanout/list-bytes.property.test.ts).
 */
import type { PresenceEntry } from "../../../protocol/presence.js";

/** Rows as a listing gives them (a store's `{key, entry}`); only `entry` is read. */
export type ListedRow = { readonly entry: PresenceEntry };

/** How far ahead in the previous listing a row is looked for (rows skipped: removed or moved). */
const LOOKAHEAD = 8;

/** A run of previous rows [from, to), or one row serialized now. */
type Piece = { from: number; to: number } | { text: string; size: number };

export class ListBytes {
  private constructor(
    /** The listing and where the rows start in it (row i is listed[from + i]; compared by identity with the next). */
    private readonly listed: readonly ListedRow[],
    private readonly from: number,
    /** Their JSON, comma-separated. */
    readonly bytes: Buffer,
    /** ends[i]: the byte offset just past row i (row i starts at 0, or ends[i - 1] + 1 after the comma). */
    private readonly ends: readonly number[],
  ) {}

  /**
   * The bytes of the rows listed[from..]; `json` serializes a row (a cache), `previous` is the last
   * list built (may be undefined). Copies runs of `previous` when most rows are in it, else joins
   * every row.
   */
  static build(listed: readonly ListedRow[], from: number, json: (entry: PresenceEntry) => string, previous?: ListBytes): ListBytes {
    const n = listed.length - from;
    if (previous === undefined || previous.length === 0 || n <= 0) return ListBytes.joined(listed, from, json);
    const pieces: Piece[] = [];
    let j = 0;
    let serialized = 0;
    for (let i = 0; i < n; i++) {
      const entry = listed[from + i].entry;
      const at = previous.find(entry, j);
      if (at >= 0) {
        const last = pieces[pieces.length - 1];
        if (last !== undefined && "from" in last && last.to === at) last.to = at + 1;
        else pieces.push({ from: at, to: at + 1 });
        j = at + 1;
        continue;
      }
      // Mostly new rows (a first listing, a store that lists copies): one join and encode is cheaper.
      if (++serialized > n / 2 + 4) return ListBytes.joined(listed, from, json);
      const text = json(entry);
      pieces.push({ text, size: Buffer.byteLength(text, "utf8") });
    }
    return ListBytes.assembled(listed, from, pieces, previous);
  }

  /** How many rows. */
  get length(): number {
    return this.listed.length - this.from;
  }

  /** Which of these rows is `entry`, looking from row `start` on, at most LOOKAHEAD rows; -1 when none. */
  private find(entry: PresenceEntry, start: number): number {
    const end = Math.min(this.length, start + LOOKAHEAD);
    for (let k = start; k < end; k++) if (this.listed[this.from + k].entry === entry) return k;
    return -1;
  }

  private start(row: number): number {
    return row === 0 ? 0 : this.ends[row - 1] + 1;
  }

  private static assembled(listed: readonly ListedRow[], from: number, pieces: readonly Piece[], previous: ListBytes): ListBytes {
    // Commas between pieces; those between the rows of a run are in its bytes.
    let size = pieces.length - 1;
    for (const piece of pieces) size += "from" in piece ? previous.ends[piece.to - 1] - previous.start(piece.from) : piece.size;
    const out = Buffer.allocUnsafe(size);
    const ends = new Array<number>(listed.length - from);
    let at = 0;
    let row = 0;
    for (const piece of pieces) {
      if (row > 0) out[at++] = 0x2c; // ","
      if ("from" in piece) {
        // The run's inner commas come with it.
        const start = previous.start(piece.from);
        previous.bytes.copy(out, at, start, previous.ends[piece.to - 1]);
        for (let r = piece.from; r < piece.to; r++) ends[row++] = at + previous.ends[r] - start;
        at = ends[row - 1];
      } else {
        at += out.write(piece.text, at, "utf8");
        ends[row++] = at;
      }
    }
    return new ListBytes(listed, from, out, ends);
  }

  private static joined(listed: readonly ListedRow[], from: number, json: (entry: PresenceEntry) => string): ListBytes {
    const texts = new Array<string>(Math.max(0, listed.length - from));
    for (let i = 0; i < texts.length; i++) texts[i] = json(listed[from + i].entry);
    const text = texts.join(",");
    // One encode (native, over the whole text) beats a write per row.
    const bytes = Buffer.from(text, "utf8");
    // ASCII text (the usual case) has as many bytes as characters: the ends follow from the lengths.
    const ascii = bytes.length === text.length;
    const ends = new Array<number>(texts.length);
    let at = -1;
    for (let i = 0; i < texts.length; i++) ends[i] = at += 1 + (ascii ? texts[i].length : Buffer.byteLength(texts[i], "utf8"));
    return new ListBytes(listed, from, bytes, ends);
  }
}
