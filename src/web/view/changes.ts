/**
 * Which rows the change highlight marks: a row that appeared, or whose shown fields changed, since the
 * last rendering the visitor saw. Ages are not a change (they tick every second); a row's last input is
 * one only when a new `lastInputSeconds` puts the input instant elsewhere (a beacon of a still idle
 * client reports more idle seconds at a later ts: the same instant, within the whole seconds it is
 * given in; a keep-alive moves ts and leaves the reported value as it was: no new input, SPEC P7).
 * Removed rows leave the table at once and are not marked (docs/web.md says why).
 */
import type { DisplayRow } from "../rows.js";

/** How long a mark lasts, in ms (style/table.css: two steps of half of it). */
export const MARK_MS = 1_500;
/** The input instant moves by less than this between two beacons of a client that stayed idle (whole seconds, rounded down). */
const INPUT_JITTER_MS = 1_500;

interface Shown {
  fields: string;
  inputAt: number;
  /** The Last input cell's tooltip: the value as reported (`reported as 30 s idle ...`). */
  reported: string;
}

/** The fields a row shows apart from Age (and Last input, compared by its instant). */
function shown(row: DisplayRow): Shown {
  const fields = [row.status, row.host, row.ip, row.mode, row.version, row.platform, row.reason, row.roles, Number.isNaN(row.inputAt) ? row.lastInput : ""];
  return { fields: fields.join("\u0000"), inputAt: row.inputAt, reported: row.titles.lastInput };
}

/**
 * The input instant moved: another reported value at another instant. A keep-alive refresh moves
 * `ts`, and so `inputAt`, by up to 30 s with the reported value unchanged: the page's re-read every
 * 30 s marked every open client's row that reports its input.
 */
const inputMoved = (was: Shown, now: Shown) =>
  Number.isNaN(was.inputAt) !== Number.isNaN(now.inputAt) || (was.reported !== now.reported && Math.abs(was.inputAt - now.inputAt) >= INPUT_JITTER_MS);

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
      if (last && (!was || was.fields !== now.fields || inputMoved(was, now))) out.add(row.key);
    }
    this.#last = next;
    return out;
  }

  /** Forgets the last rendering: the next list is taken as it is, unmarked (first list, back from a hidden tab). */
  reset(): void {
    this.#last = undefined;
  }
}
