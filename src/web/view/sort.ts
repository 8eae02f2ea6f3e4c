/**
 * Sortable columns: every column header is a button (keyboard and screen readers reach it) and the
 * sorted column's header says so (`aria-sort`, an arrow). A click sorts by that column ascending, a
 * second click descending. Age ascending is SPEC M1's newest first, the page's default.
 */
import { NEWEST_FIRST, type Sort, type SortColumn } from "../rows.js";
import { byId, setText } from "./dom.js";

export class SortControl {
  #sort: Sort = NEWEST_FIRST;
  readonly #headers = Array.from(document.querySelectorAll<HTMLTableCellElement>("th[data-sort]"));

  constructor(onChange: () => void) {
    for (const th of this.#headers) {
      th.querySelector("button")!.addEventListener("click", () => {
        const column = th.dataset.sort as SortColumn;
        this.#sort = { column, descending: this.#sort.column === column && !this.#sort.descending };
        this.#show();
        onChange();
      });
    }
    this.#show();
  }

  get value(): Sort {
    return this.#sort;
  }

  /** The arrows and `aria-sort`, and the caption's words: "newest first", "by Host (descending)". */
  #show(): void {
    const { column, descending } = this.#sort;
    for (const th of this.#headers) {
      if (th.dataset.sort === column) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
    const name = this.#headers.find((th) => th.dataset.sort === column)?.textContent ?? column;
    const order = column === "age" ? (descending ? "oldest first" : "newest first") : `by ${name} (${descending ? "descending" : "ascending"})`;
    setText(byId("caption-order"), order);
  }
}
