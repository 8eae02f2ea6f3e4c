/**
 * The aria-live region: what changed in the list, in words, for screen-reader users (who cannot
 * watch dots change colour). Changes are gathered and spoken at most once a second, a few at a time.
 */
import type { DisplayRow } from "../rows.js";

const MAX_SPOKEN = 4;

/** Sentences for what differs between two renderings of the (unfiltered) list. */
export function describeChanges(before: readonly DisplayRow[], after: readonly DisplayRow[]): string[] {
  const old = new Map(before.map((r) => [r.key, r]));
  const out: string[] = [];
  for (const row of after) {
    const name = row.host || "an instance";
    const was = old.get(row.key);
    old.delete(row.key);
    if (!was) out.push(`${name} appeared (${row.reason || row.mode || "new"})`);
    else if (was.reason !== row.reason && row.reason === "disconnect") out.push(`${name} disconnected`);
    else if (was.status !== row.status) out.push(`${name} is now ${row.status}`);
  }
  for (const gone of old.values()) out.push(`${gone.host || "an instance"} left the list`);
  return out;
}

export class Announcer {
  #pending: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly region: HTMLElement) {}

  say(sentences: readonly string[]): void {
    if (sentences.length === 0) return;
    this.#pending.push(...sentences);
    this.#timer ??= setTimeout(() => this.#flush(), 1000);
  }

  #flush(): void {
    this.#timer = undefined;
    const all = this.#pending;
    this.#pending = [];
    const spoken = all.slice(0, MAX_SPOKEN);
    if (all.length > MAX_SPOKEN) spoken.push(`and ${all.length - MAX_SPOKEN} more changes`);
    this.region.textContent = `${spoken.join(". ")}.`;
  }
}
