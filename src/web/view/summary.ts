/** Counts per status, rows against the cap (SPEC S2), and how many the filters show. */
import type { PresenceStatus } from "../../client/status.js";
import { STATUSES } from "../rows.js";
import { byId, setText } from "./dom.js";

export class Summary {
  readonly #counts = Object.fromEntries(STATUSES.map((s) => [s, byId(`count-${s.toLowerCase()}`)])) as Record<PresenceStatus, HTMLElement>;
  readonly #rows = byId("count-rows");
  readonly #shown = byId("count-shown");
  readonly #empty = byId("empty");

  render(counts: Record<PresenceStatus, number>, total: number, shown: number, cap: number | undefined): void {
    for (const status of STATUSES) setText(this.#counts[status], String(counts[status]));
    setText(this.#rows, cap === undefined ? `${total} rows` : `${total} / ${cap} rows`);
    setText(this.#shown, shown === total ? "" : `showing ${shown} of ${total}`);
    this.#empty.hidden = shown > 0 || total === 0;
  }
}
