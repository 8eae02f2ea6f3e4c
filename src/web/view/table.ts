/**
 * The Instances table body, keyed by row: rows are reused, moved and updated cell by cell, so a
 * tick that only changes ages touches only those cells (and a screen reader's place is kept).
 */
import type { DisplayRow } from "../rows.js";
import { setText } from "./dom.js";

/**
 * A cell's tooltip: the whole text when the cell may cut it (style.css cuts cells at 16rem, about 28
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
}

export class InstancesTable {
  readonly #rows = new Map<string, RowNodes>();

  constructor(private readonly tbody: HTMLTableSectionElement) {}

  /** Shows exactly `rows`, in order. */
  render(rows: readonly DisplayRow[]): void {
    const wanted = new Set(rows.map((r) => r.key));
    for (const [key, nodes] of this.#rows) {
      if (!wanted.has(key)) {
        nodes.tr.remove();
        this.#rows.delete(key);
      }
    }
    let previous: HTMLTableRowElement | null = null;
    for (const row of rows) {
      const nodes = this.#rows.get(row.key) ?? this.#create(row.key);
      this.#update(nodes, row);
      const expected: ChildNode | null = previous ? previous.nextSibling : this.tbody.firstChild;
      if (expected !== nodes.tr) this.tbody.insertBefore(nodes.tr, expected);
      previous = nodes.tr;
    }
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
