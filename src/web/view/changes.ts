/**
 * Which rows the change highlight marks: a row that appeared, or whose shown fields changed, since the
 * last rendering the visitor saw of a live list. Ages are not a change (they tick every second); a row's
 * last input is one only when a new `lastInputSeconds` puts the input instant elsewhere (a beacon of a
 * still idle client reports more idle seconds at a later ts: the same instant, within the whole seconds
 * it is given in; a keep-alive moves ts and leaves the reported value as it was: no new input, SPEC P7).
 * Removed rows leave the table at once and are not marked (docs/web.md says why).
 *
 * Across a reconnect the new list is compared with the last live one: renderings while not connected
 * (the last known list, its ages counting) are not taken, and a row the new list lacks at first (its
 * client reconnects later than the page, to a restarted gateway) is compared, when it comes back within
 * RETURN_MS, with what it was before: unchanged, it is not marked.
 */
import type { DisplayRow } from "../rows.js";

/** How long a mark lasts, in ms (style/table.css: two steps of half of it). */
export const MARK_MS = 1_500;
/** The input instant moves by less than this between two beacons of a client that stayed idle (whole seconds, rounded down). */
const INPUT_JITTER_MS = 1_500;
/**
 * How long after a reconnect a row of the last live list that the new list lacked is still compared
 * with what it was, in ms: SDK clients wait at most 30 s between attempts (x0.7 to 1), so a client
 * whose wait began as the gateway came back is in by then.
 */
export const RETURN_MS = 60_000;

interface Shown {
  fields: string;
  inputAt: number;
  /** The `lastInputSeconds` reported (NaN when none). */
  seconds: number;
}

/** The fields a row shows apart from Age (and Last input, compared by its instant). */
function shown(row: DisplayRow): Shown {
  const fields = [row.status, row.host, row.ip, row.mode, row.version, row.platform, row.reason, row.roles, Number.isNaN(row.inputAt) ? row.lastInput : ""];
  return { fields: fields.join("\u0000"), inputAt: row.inputAt, seconds: row.inputSeconds };
}

/**
 * The input instant moved: another reported value at another instant. A keep-alive refresh moves
 * `ts` with the reported value unchanged (the page keeps the report's instant: src/web/input-reports.ts).
 */
const inputMoved = (was: Shown, now: Shown) =>
  Number.isNaN(was.inputAt) !== Number.isNaN(now.inputAt) || (!Object.is(was.seconds, now.seconds) && Math.abs(was.inputAt - now.inputAt) >= INPUT_JITTER_MS);

export class ChangeTracker {
  /** The rows of the last rendering by key; undefined until a list was shown (the first list marks nothing). */
  #last: Map<string, Shown> | undefined;
  /** The rows of the last live list before a reconnect, until `#awayUntil` (performance.now(), ms). */
  #away = new Map<string, Shown>();
  #awayUntil = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** True once a list was taken (since construction or `reset()`). */
  get started(): boolean {
    return this.#last !== undefined;
  }

  /**
   * The keys of `rows` (the whole list, not the filtered one) that are new or changed since the last
   * call; nothing on the first call after construction or `reset()`.
   */
  changed(rows: readonly DisplayRow[]): Set<string> {
    const last = this.#last;
    const away = this.now() < this.#awayUntil ? this.#away : undefined;
    const next = new Map<string, Shown>();
    const out = new Set<string>();
    for (const row of rows) {
      const now = shown(row);
      next.set(row.key, now);
      // A row listed since the reconnect is compared with the lists from then on, as usual.
      const was = last?.get(row.key) ?? away?.get(row.key);
      away?.delete(row.key);
      if (last && (!was || was.fields !== now.fields || inputMoved(was, now))) out.add(row.key);
    }
    this.#last = next;
    return out;
  }

  /**
   * A reconnect's list is about to be taken: the rows of the last live rendering are kept for
   * RETURN_MS, so a row that comes back later than the list is compared with what it was.
   */
  reconnected(): void {
    if (!this.#last) return;
    this.#away = new Map(this.#last);
    this.#awayUntil = this.now() + RETURN_MS;
  }

  /**
   * Forgets the last rendering: the next list is taken as it is, unmarked (first list, back from a hidden
   * tab). The rows a reconnect keeps stay until RETURN_MS is over: one that comes back later than the tab
   * is shown again is compared with what it was, as without the hidden tab.
   */
  reset(): void {
    this.#last = undefined;
  }
}
