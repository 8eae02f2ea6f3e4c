/**
 * What this gateway wrote while Redis was out of reach, per key, so it can be written back when
 * Redis returns. Writes compose by the K3 merge (later scalars win, roles/scopes are unions), so
 * replaying the composed update once equals replaying every write in order.
 */
import type { PresenceEntry } from "../../protocol/presence.js";
import { mergeEntry } from "../merge.js";
import type { PresenceFields } from "../types.js";

export interface JournalEntry {
  /** The composed update. */
  fields: PresenceFields;
  /** The latest connection address offered for the row (P5: written only if no beacon reported an ip). */
  connectionIp?: string;
  /** A beacon reported an `ip` for the row (P5). */
  reportedIp: boolean;
}

export class Journal {
  private entries = new Map<string, JournalEntry>();

  get size(): number {
    return this.entries.size;
  }

  add(key: string, fields: PresenceFields, connectionIp?: string): void {
    const before = this.entries.get(key);
    this.entries.set(key, {
      fields: compose(before?.fields, fields),
      connectionIp: connectionIp ?? before?.connectionIp,
      reportedIp: (before?.reportedIp ?? false) || fields.ip !== undefined,
    });
  }

  /** The row went (expired or evicted): its updates are not written back. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Takes every entry out (to send them); putBack() returns them if the sending failed. */
  take(): Map<string, JournalEntry> {
    const taken = this.entries;
    this.entries = new Map();
    return taken;
  }

  /** Puts entries taken earlier back under the ones written since (those stay the later writes). */
  putBack(taken: Map<string, JournalEntry>): void {
    const newer = this.entries;
    this.entries = taken;
    for (const [key, entry] of newer) {
      const before = this.entries.get(key);
      this.entries.set(key, {
        fields: compose(before?.fields, entry.fields),
        connectionIp: entry.connectionIp ?? before?.connectionIp,
        reportedIp: (before?.reportedIp ?? false) || entry.reportedIp,
      });
    }
  }
}

function compose(before: PresenceFields | undefined, update: PresenceFields): PresenceFields {
  const { ts: _ts, ...fields } = mergeEntry(before as PresenceEntry | undefined, update, 0);
  return fields;
}
