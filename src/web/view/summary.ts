/**
 * Counts per status, rows against the cap (SPEC S2), how many the filters show, and the caption's
 * count: the list holds disconnected rows too (kept until they expire, SPEC P6), so it says how many.
 */
import type { PresenceStatus } from "../../client/status.js";
import { STATUSES } from "../rows.js";
import { byId, setText } from "./dom.js";

export class Summary {
  readonly #counts = Object.fromEntries(STATUSES.map((s) => [s, byId(`count-${s.toLowerCase()}`)])) as Record<PresenceStatus, HTMLElement>;
  readonly #rows = byId("count-rows");
  readonly #shown = byId("count-shown");
  readonly #empty = byId("empty");
  readonly #caption = byId("caption-count");

  render(counts: Record<PresenceStatus, number>, total: number, shown: number, cap: number | undefined, disconnected: number): void {
    for (const status of STATUSES) setText(this.#counts[status], String(counts[status]));
    setText(this.#rows, cap === undefined ? `${total} rows` : `${total} / ${cap} rows`);
    setText(this.#shown, shown === total ? "" : `showing ${shown} of ${total}`);
    this.#empty.hidden = shown > 0 || total === 0;
    setText(this.#caption, total === 0 ? "" : ` · ${total} listed, ${disconnected} disconnected`);
  }
}
