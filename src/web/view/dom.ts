/** Two DOM helpers the view uses everywhere. */

/** The element with this id; throws naming it when the page lacks it (a broken build, not user input). */
export function byId<T extends HTMLElement = HTMLElement>(id: string, doc: Document = document): T {
  const found = doc.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** Sets text and title only when they differ (no needless DOM writes on every tick). */
export function setText(node: HTMLElement, text: string, title?: string): void {
  if (node.textContent !== text) node.textContent = text;
  if (title !== undefined && node.title !== title) node.title = title;
}
