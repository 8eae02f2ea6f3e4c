/**
 * The last-input reports the page saw, by row, so Last input stays true across keep-alives.
 *
 * A row's idle time now is its `lastInputSeconds` plus the time since that value was reported. The row
 * gives only `ts`, the time of its latest write, and most writes do not report input: a keep-alive
 * refresh moves `ts` and keeps the stored `lastInputSeconds` as the client reported it (SPEC P7, K3),
 * and so do a connect (P2), a disconnect (P6) and a beacon without the field (K3). Read against the new
 * `ts`, an idle client's idle time dropped back by up to the keep-alive period (30 s on the reference
 * gateway, TTL/2 by SPEC) at every refresh the page saw. So while a row's `lastInputSeconds` stays the
 * same, the page keeps the report it had (its time and value); a new value is a new report at the row's
 * `ts`. A beacon that reports the very value again cannot be told from the field kept: the page keeps
 * the earlier report (docs/web.md says what that means).
 */
import type { MirrorSource } from "../client/mirror.js";
import type { PresenceEntry } from "../protocol/presence.js";
import { newestFirst, reportOf, rowKeys, type InputReport, type InputReports } from "./rows.js";

export class InputReportLog implements InputReports {
  #rows = new Map<string, InputReport>();

  /**
   * Takes a list as received (every list, also while the tab is hidden). A value new to the page in a
   * push or a re-read was written just now (a beacon, or a connect that created the row): its `ts` is
   * the report's time (`exact`). In a snapshot (the page opened, or reconnected) a row's `ts` may be a
   * keep-alive's, unless the page knew the row with the same value before.
   */
  update(entries: readonly PresenceEntry[], source: MirrorSource): void {
    const sorted = newestFirst(entries);
    const keys = rowKeys(sorted);
    const next = new Map<string, InputReport>();
    sorted.forEach((entry, i) => {
      const report = reportOf(entry);
      if (!report) return;
      const was = this.#rows.get(keys[i]);
      next.set(keys[i], was && was.seconds === report.seconds && was.at <= report.at ? was : { ...report, exact: source !== "snapshot" });
    });
    this.#rows = next;
  }

  /** The report kept for the row `key`, while it matches the row's `lastInputSeconds` (`entry`, as displayed now). */
  get(key: string, entry: PresenceEntry): InputReport | undefined {
    const kept = this.#rows.get(key);
    return kept && kept.seconds === entry.lastInputSeconds ? kept : undefined;
  }
}
