/**
 * The Instances table body, keyed by row: rows are reused, moved and updated cell by cell, so a
 * tick that only changes ages touches only those cells (and a screen reader's place is kept).
 * Rows that changed are marked for MARK_MS: class `changed`, then `changed-fading` (a lighter
 * background; the same one with prefers-reduced-motion: a static mark), then none; one timer steps them.
 */
import type { DisplayRow } from "../rows.js";
import { MARK_MS } from "./changes.js";
import { setText } from "./dom.js";

/** The marks' timer runs at most this often, in ms (a mark lasts MARK_MS give or take this). */
const STEP_MS = 100;

/**
 * A cell's tooltip: the whole text when the cell may cut it (style/table.css cuts cells at 16rem, about 28
 * Latin characters), then what the model says about the value.
 */
export const tooltip = (text: string, about = "") => [mayBeCut(text) ? text : "", about].filter(Boolean).join("\n");

/**
 * Whether `text` may be wider than a cell: over 24 columns, a character from U+1100 on (Hangul, CJK,
 * emoji, ...) counted as two, as such glyphs are about twice as wide (16 CJK characters fill 16rem; by
 * `text.length` a 24-character Japanese host was cut with no tooltip to read it whole).
 */
function mayBeCut(text: string): boolean {
  if (text.length > 24) return true;
  let columns = 0;
  for (let i = 0; i < text.length; i++) columns += text.charCodeAt(i) >= 0x1100 ? 2 : 1;
  return columns > 24;
}

/** Cell order; `host` is the row header (`<th scope="row">`). */
const COLUMNS = ["status", "host", "ip", "mode", "version", "platform", "lastInput", "reason", "roles", "age"] as const;
type Column = (typeof COLUMNS)[number];

interface RowNodes {
  tr: HTMLTableRowElement;
  cells: Record<Column, HTMLElement>;
  dot: HTMLElement;
  statusText: HTMLElement;
  /** When it was last marked (performance.now()), while marked. */
  markedAt?: number;
}

export class InstancesTable {
  readonly #rows = new Map<string, RowNodes>();
  readonly #marked = new Set<RowNodes>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly tbody: HTMLTableSectionElement) {}

  /** Shows exactly `rows`, in order, and marks those whose key is in `changed`. */
  render(rows: readonly DisplayRow[], changed: ReadonlySet<string> = new Set()): void {
    const wanted = new Set(rows.map((r) => r.key));
    for (const [key, nodes] of this.#rows) {
      if (!wanted.has(key)) {
        nodes.tr.remove();
        this.#rows.delete(key);
        this.#marked.delete(nodes);
      }
    }
    let previous: HTMLTableRowElement | null = null;
    for (const row of rows) {
      const nodes = this.#rows.get(row.key) ?? this.#create(row.key);
      this.#update(nodes, row);
      if (changed.has(row.key)) this.#mark(nodes);
      const expected: ChildNode | null = previous ? previous.nextSibling : this.tbody.firstChild;
      if (expected !== nodes.tr) this.tbody.insertBefore(nodes.tr, expected);
      previous = nodes.tr;
    }
  }

  /** Marks a row (again) from now: `changed`, then `changed-fading` from half-way, then nothing after MARK_MS. */
  #mark(nodes: RowNodes): void {
    const list = nodes.tr.classList;
    if (!list.contains("changed")) {
      list.remove("changed-fading");
      list.add("changed");
    }
    nodes.markedAt = performance.now();
    this.#marked.add(nodes);
    this.#timer ??= setTimeout(() => this.#fade(), MARK_MS / 2);
  }

  /**
   * Moves the marks on: each a step (or off) when due, those due within the next STEP_MS too, so
   * under churn this runs at most about 1000 / STEP_MS times a second, never once a frame as a CSS
   * fade would (a background animation took the page from about 550 to 990 ms of main-thread time a
   * second under churn: docs/web.md).
   */
  #fade(): void {
    this.#timer = undefined;
    if (document.hidden) return; // the marks wait, untouched, for unmarkAll() when the tab is shown
    const now = performance.now() + STEP_MS;
    let next = Infinity;
    for (const nodes of this.#marked) {
      const fadeAt = nodes.markedAt! + MARK_MS / 2;
      const offAt = nodes.markedAt! + MARK_MS;
      const list = nodes.tr.classList;
      if (offAt <= now) {
        list.remove("changed", "changed-fading");
        nodes.markedAt = undefined;
        this.#marked.delete(nodes);
        continue;
      }
      if (fadeAt <= now) list.replace("changed", "changed-fading");
      next = Math.min(next, list.contains("changed") ? fadeAt : offAt);
    }
    if (next !== Infinity) this.#timer = setTimeout(() => this.#fade(), Math.max(STEP_MS, next - now + STEP_MS));
  }

  /** Takes every mark off now (back from a hidden tab: its marks are long past). */
  unmarkAll(): void {
    for (const nodes of this.#marked) {
      nodes.tr.classList.remove("changed", "changed-fading");
      nodes.markedAt = undefined;
    }
    this.#marked.clear();
  }

  #create(key: string): RowNodes {
    const doc = this.tbody.ownerDocument;
    const tr = doc.createElement("tr");
    tr.dataset.key = key;
    const cells = {} as Record<Column, HTMLElement>;
    for (const column of COLUMNS) {
      const cell = doc.createElement(column === "host" ? "th" : "td");
      if (column === "host") cell.setAttribute("scope", "row");
      cell.className = `col-${column}`;
      tr.append(cell);
      cells[column] = cell;
    }
    const dot = doc.createElement("span");
    dot.className = "dot";
    dot.setAttribute("aria-hidden", "true");
    const statusText = doc.createElement("span");
    cells.status.append(dot, statusText);
    const nodes = { tr, cells, dot, statusText };
    this.#rows.set(key, nodes);
    return nodes;
  }

  #update(nodes: RowNodes, row: DisplayRow): void {
    if (nodes.tr.dataset.status !== row.status) {
      nodes.tr.dataset.status = row.status;
      nodes.dot.className = `dot dot-${row.status.toLowerCase()}`;
    }
    setText(nodes.statusText, row.status);
    setText(nodes.cells.host, row.host, row.hostIsInstanceId ? row.titles.host : tooltip(row.host, row.titles.host));
    nodes.cells.host.classList.toggle("host-is-id", row.hostIsInstanceId);
    setText(nodes.cells.ip, row.ip, tooltip(row.ip));
    setText(nodes.cells.mode, row.mode, tooltip(row.mode));
    setText(nodes.cells.version, row.version, tooltip(row.version));
    setText(nodes.cells.platform, row.platform, tooltip(row.platform, row.titles.platform));
    setText(nodes.cells.lastInput, row.lastInput, row.titles.lastInput);
    setText(nodes.cells.reason, row.reason, tooltip(row.reason));
    setText(nodes.cells.roles, row.roles, tooltip(row.roles));
    setText(nodes.cells.age, row.age, row.titles.age);
  }
}
