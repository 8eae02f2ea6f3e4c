/**
 * The rows of the in-memory store and its two limits: expiry after ttlMs (SPEC S1) and the cap
 * (S2, self included), with the self row (P1) kept apart so it is neither expired nor evicted.
 *
 * Rows are kept in ascending `ts` order (OrderedRows): every write moves its row to the newest end
 * with ts = the store's clock, so the oldest row is always at the other end. That makes cap
 * eviction O(1) and expiry O(rows expired) (amortised O(1) per write); only a listing walks the rows.
 */
import type { PresenceEntry } from "../protocol/presence.js";
import type { ConnectionCounts } from "./connection-counts.js";
import { copyEntry, mergeEntry } from "./merge.js";
import { OrderedRows } from "./ordered-rows.js";
import type { ReportedIps } from "./reported-ips.js";
import { SELF_KEY, type PresenceChangeKind, type PresenceFields } from "./types.js";

/** Tells the store's change feed about one change (the entry is the store's own: copy it). */
export type RecordChange = (kind: PresenceChangeKind, key: string, entry: PresenceEntry) => void;

export class MemoryRows {
  readonly rows = new OrderedRows();
  /** The gateway's own row (P1), outside `rows`. */
  self: PresenceEntry | undefined;

  constructor(
    private readonly limits: { readonly ttlMs: number; readonly maxEntries: number },
    private readonly counts: ConnectionCounts,
    private readonly ips: ReportedIps,
    private readonly record: RecordChange,
  ) {}

  /** Rows listed, self included. */
  get size(): number {
    return this.rows.size + (this.self ? 1 : 0);
  }

  /**
   * Removes rows more than ttlMs old at time `t` (S1); they are at the front of the list. A row
   * with an open connection is alive (P7): it moves to the newest end instead, with ts = t.
   */
  sweep(t: number): number {
    const cutoff = t - this.limits.ttlMs;
    let removed = 0;
    for (let oldest = this.rows.oldest(); oldest && oldest.row.ts < cutoff; oldest = this.rows.oldest()) {
      if (this.counts.isOpen(oldest.key)) {
        this.rows.write(oldest.key, { ...oldest.row, ts: t });
        continue;
      }
      this.#remove("expire", oldest.key, oldest.row);
      removed++;
    }
    return removed;
  }

  /** The upsert of K3/S2 at time t; an `ip` in `clean` is a reported one (P5) unless `fromConnection`. */
  write(t: number, k: string, clean: PresenceFields, fromConnection = false): PresenceEntry {
    const stored = this.rows.get(k);
    if (!stored) {
      // maxEntries 1 with a self row: there is no room for any other row; nothing is stored.
      if (this.#capacity() <= 0) return mergeEntry(undefined, clean, t);
      while (this.rows.size >= this.#capacity()) this.#evictOldest();
    }
    const next = mergeEntry(stored, clean, t);
    this.rows.write(k, next);
    this.ips.stored(k, clean, fromConnection);
    this.record("upsert", k, next);
    return next;
  }

  /** Marks the row of `k` disconnected at time t (P6); undefined when there is none. */
  disconnect(t: number, k: string): PresenceEntry | undefined {
    const stored = this.rows.get(k);
    if (!stored) return undefined;
    const next = mergeEntry(stored, { reason: "disconnect" }, t);
    this.rows.write(k, next);
    this.record("disconnect", k, next);
    return next;
  }

  /** Refreshes the row of `k` (if any) to time t, without recording a change (keep-alive, P7). */
  refresh(t: number, k: string): void {
    const stored = this.rows.get(k);
    if (stored) this.rows.write(k, { ...stored, ts: t });
  }

  /** Writes the self row (P1; `reason: "self"` unless told otherwise), making room for it first (S2). */
  setSelf(t: number, clean: PresenceFields): PresenceEntry {
    if (!this.self) while (this.rows.size > 0 && this.rows.size >= this.limits.maxEntries) this.#evictOldest();
    const next = mergeEntry(this.self, clean.reason !== undefined || this.self?.reason !== undefined ? clean : { ...clean, reason: "self" }, t);
    this.self = next;
    this.record("upsert", SELF_KEY, next);
    return next;
  }

  /**
   * The self row as listed at time t: always fresh (P1). Listings of one millisecond get the same
   * object (read-only, like every listed row), so a snapshot cache keyed by row object serializes
   * it once per millisecond, not once per listing (issue 11: under load every handshake lists).
   */
  freshSelf(t: number): PresenceEntry | undefined {
    if (!this.self) return undefined;
    const last = this.#listedSelf;
    if (last !== undefined && last.from === this.self && last.entry.ts === t) return last.entry;
    const entry = { ...copyEntry(this.self), ts: t };
    this.#listedSelf = { from: this.self, entry };
    return entry;
  }

  #listedSelf: { from: PresenceEntry; entry: PresenceEntry } | undefined;

  /** Room for rows other than self (S2: self counts towards maxEntries). */
  #capacity(): number {
    return this.limits.maxEntries - (this.self ? 1 : 0);
  }

  #evictOldest(): void {
    const oldest = this.rows.oldest();
    if (oldest) this.#remove("evict", oldest.key, oldest.row);
  }

  #remove(kind: "expire" | "evict", key: string, row: PresenceEntry): void {
    this.rows.delete(key);
    this.ips.forget(key);
    this.record(kind, key, row);
  }
}
