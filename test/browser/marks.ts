/**
 * The change marks as the page draws them: every class a table row takes, recorded in the page by a
 * MutationObserver set up (as an init script) before the page's own script runs.
 */
import type { Page } from "playwright-core";

export interface Mark {
  /** The row's `data-key` (`id:<instanceId>`, `self`, ...). */
  key: string;
  /** Its class attribute then: "", "changed" or "changed-fading". */
  cls: string;
  /** performance.now() in the page, ms. */
  at: number;
}

/** Records the class of every row added to, or changed in, the table body (window.marks). Pass to openPage's initScript. */
export function recordMarks(): void {
  const marks: Mark[] = [];
  (window as unknown as { marks: Mark[] }).marks = marks;
  const note = (tr: HTMLElement) => marks.push({ key: tr.dataset.key ?? "", cls: tr.className, at: performance.now() });
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes" && record.target instanceof HTMLTableRowElement) note(record.target);
      for (const node of Array.from(record.addedNodes)) if (node instanceof HTMLTableRowElement && node.parentElement?.id === "rows") note(node);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
}

/** A row's classes in turn (a row moved to the top is added again: the same class twice counts once). */
export async function marksOf(page: Page, key: string): Promise<Mark[]> {
  const marks = (await page.evaluate(() => (window as unknown as { marks: Mark[] }).marks)).filter((m) => m.key === key);
  return marks.filter((m, i) => i === 0 || m.cls !== marks[i - 1].cls);
}

export const classesOf = async (page: Page, key: string) => (await marksOf(page, key)).map((m) => m.cls);

/** The keys of the rows marked (`changed`) at or after `since` (performance.now() in the page), sorted. */
export async function markedSince(page: Page, since: number): Promise<string[]> {
  const marks = await page.evaluate(() => (window as unknown as { marks: Mark[] }).marks);
  return [...new Set(marks.filter((m) => m.at >= since && m.cls === "changed").map((m) => m.key))].sort();
}

/** performance.now() in the page. */
export const pageNow = (page: Page) => page.evaluate(() => performance.now());
