/**
 * Which rows the change highlight marks: a row that appeared, or whose shown fields changed, since the
 * last rendering the visitor saw. Ages are not a change (they tick every second); a row's last input is
 * one only when the input instant moved (a beacon of a still idle client reports more idle seconds at a
 * later ts: the same instant, within the whole seconds `lastInputSeconds` is given in). Removed rows
 * leave the table at once and are not marked (docs/web.md says why).
 */
import type { DisplayRow } from "../rows.js";

/** How long a mark lasts, in ms (style/table.css: two steps of half of it). */
export const MARK_MS = 1_500;
/** The input instant moves by less than this between two beacons of a client that stayed idle (whole seconds, rounded down). */
const INPUT_JITTER_MS = 1_500;

interface Shown {
  fields: string;
  inputAt: number;
}

/** The fields a row shows apart from Age (and Last input, compared by its instant). */
function shown(row: DisplayRow): Shown {
  const fields = [row.status, row.host, row.ip, row.mode, row.version, row.platform, row.reason, row.roles, Number.isNaN(row.inputAt) ? row.lastInput : ""];
  return { fields: fields.join("\u0000"), inputAt: row.inputAt };
}

const inputMoved = (a: number, b: number) => (Number.isNaN(a) ? !Number.isNaN(b) : Number.isNaN(b) || Math.abs(a - b) >= INPUT_JITTER_MS);

export class ChangeTracker {
  /** The rows of the last rendering by key; undefined until a list was shown (the first list marks nothing). */
  #last: Map<string, Shown> | undefined;

  /**
   * The keys of `rows` (the whole list, not the filtered one) that are new or changed since the last
   * call; nothing on the first call after construction or `reset()`.
   */
  changed(rows: readonly DisplayRow[]): Set<string> {
    const last = this.#last;
    const next = new Map<string, Shown>();
    const out = new Set<string>();
    for (const row of rows) {
      const now = shown(row);
      next.set(row.key, now);
      const was = last?.get(row.key);
      if (last && (!was || was.fields !== now.fields || inputMoved(was.inputAt, now.inputAt))) out.add(row.key);
    }
    this.#last = next;
    return out;
  }

  /** Forgets the last rendering: the next list is taken as it is, unmarked (first list, back from a hidden tab). */
  reset(): void {
    this.#last = undefined;
  }
}
