/**
 * The in-memory presence store (SPEC K1-K4, P1, P6, S1, S2).
 *
 * Rows are kept in ascending `ts` order (OrderedRows): every write moves its row to the newest end
 * with ts = clock (clamped so it never goes backwards), so the oldest row is always at the other end.
 * That makes cap eviction O(1) and expiry O(rows expired) (amortised O(1) per write); only list()
 * walks the rows. The self row is kept outside them, so it can be neither expired nor evicted.
 */
import type { PresenceEntry } from "../protocol/presence.js";
import { isEphemeralMode } from "./ephemeral.js";
import { cleanFields, copyEntry, mergeEntry, PresenceInputError } from "./merge.js";
import { resolveStoreOptions } from "./options.js";
import { OrderedRows } from "./ordered-rows.js";
import {
  SELF_KEY,
  type PresenceChange,
  type PresenceChangeKind,
  type PresenceFields,
  type PresenceStore,
  type PresenceStoreOptions,
} from "./types.js";

export function createMemoryPresenceStore(options: PresenceStoreOptions = {}): PresenceStore {
  const opts = resolveStoreOptions(options);
  const rows = new OrderedRows();
  const listeners = new Set<(change: PresenceChange) => void>();
  const pending: PresenceChange[] = [];
  let self: PresenceEntry | undefined;
  let lastTs = 0;
  let version = 0;
  let flushing = false;

  /** The clock as an integer that never goes below an earlier reading (nor 0). */
  function now(): number {
    const raw = opts.clock.now();
    if (typeof raw !== "number" || !Number.isFinite(raw)) {
      throw new TypeError(`presence store: clock.now() returned ${String(raw)}, not a finite number`);
    }
    lastTs = Math.max(lastTs, Math.floor(raw));
    return lastTs;
  }

  function record(kind: PresenceChangeKind, key: string, entry: PresenceEntry): void {
    version += 1;
    pending.push({ kind, key, entry: copyEntry(entry), version });
  }

  /** Delivers queued changes in version order, also when a listener writes to the store. */
  function flush(): void {
    if (flushing) return;
    flushing = true;
    try {
      for (let i = 0; i < pending.length; i++) {
        for (const listener of [...listeners]) {
          try {
            listener(pending[i]);
          } catch (error) {
            opts.onListenerError(error);
          }
        }
      }
    } finally {
      pending.length = 0;
      flushing = false;
    }
  }

  /** Removes rows more than ttlMs old at time `t` (S1); they are at the front of the Map. */
  function sweep(t: number): number {
    const cutoff = t - opts.ttlMs;
    let removed = 0;
    for (let oldest = rows.oldest(); oldest && oldest.row.ts < cutoff; oldest = rows.oldest()) {
      rows.delete(oldest.key);
      record("expire", oldest.key, oldest.row);
      removed++;
    }
    return removed;
  }

  function evictOldest(): void {
    const oldest = rows.oldest();
    if (!oldest) return;
    rows.delete(oldest.key);
    record("evict", oldest.key, oldest.row);
  }

  /** Room for rows other than self (S2: self counts towards maxEntries). */
  function capacity(): number {
    return opts.maxEntries - (self ? 1 : 0);
  }

  /** Runs expiry, then `body`, then tells listeners about everything that changed. */
  function run<T>(body: (t: number) => T): T {
    try {
      const t = now();
      sweep(t);
      return body(t);
    } finally {
      flush();
    }
  }

  function freshSelf(t: number): PresenceEntry | undefined {
    return self ? { ...copyEntry(self), ts: t } : undefined;
  }

  let timer: ReturnType<typeof setInterval> | undefined;
  if (opts.sweepIntervalMs > 0) {
    timer = setInterval(() => {
      try {
        run(() => undefined);
      } catch (error) {
        opts.onListenerError(error);
      }
    }, opts.sweepIntervalMs);
    (timer as { unref?: () => void }).unref?.();
  }

  return {
    async setSelf(fields: PresenceFields): Promise<PresenceEntry> {
      const clean = cleanFields(fields);
      return run((t) => {
        if (!self) while (rows.size > 0 && rows.size >= opts.maxEntries) evictOldest();
        const next = mergeEntry(self, clean, t);
        if (next.reason === undefined) next.reason = "self";
        self = next;
        record("upsert", SELF_KEY, next);
        return copyEntry(next);
      });
    },

    async upsert(key: string, fields: PresenceFields): Promise<PresenceEntry> {
      const k = normaliseKey(key);
      const clean = cleanFields(fields);
      return run((t) => {
        const stored = rows.get(k);
        if (!stored) {
          // maxEntries 1 with a self row: there is no room for any other row; nothing is stored.
          if (capacity() <= 0) return mergeEntry(undefined, clean, t);
          while (rows.size >= capacity()) evictOldest();
        }
        const next = mergeEntry(stored, clean, t);
        rows.write(k, next);
        record("upsert", k, next);
        return copyEntry(next);
      });
    },

    async markDisconnected(key: string): Promise<PresenceEntry | undefined> {
      const k = normaliseKey(key);
      return run((t) => {
        const stored = rows.get(k);
        if (!stored) return undefined;
        const next = mergeEntry(stored, { reason: "disconnect" }, t);
        rows.write(k, next);
        record("disconnect", k, next);
        return copyEntry(next);
      });
    },

    async touch(keys: string | Iterable<string>): Promise<void> {
      // Refresh before expiry runs: a live row must not expire because the clock jumped (S3, P7).
      try {
        const t = now();
        for (const key of typeof keys === "string" ? [keys] : keys) {
          if (key === SELF_KEY) continue;
          const k = normaliseKey(key);
          const stored = rows.get(k);
          if (stored) rows.write(k, { ...stored, ts: t });
        }
        sweep(t);
      } finally {
        flush();
      }
    },

    async get(key: string): Promise<PresenceEntry | undefined> {
      if (key === SELF_KEY) return run(freshSelf);
      const k = normaliseKey(key);
      return run(() => {
        const row = rows.get(k);
        return row ? copyEntry(row) : undefined;
      });
    },

    async list(): Promise<PresenceEntry[]> {
      return run((t) => {
        const out: PresenceEntry[] = [];
        const own = freshSelf(t);
        if (own) out.push(own);
        for (const row of rows.newestFirst()) out.push(copyEntry(row));
        return out;
      });
    },

    async expire(): Promise<number> {
      try {
        return sweep(now());
      } finally {
        flush();
      }
    },

    async version(): Promise<number> {
      return run(() => version);
    },

    async size(): Promise<number> {
      return run(() => rows.size + (self ? 1 : 0));
    },

    isEphemeral(mode: string | undefined): boolean {
      return isEphemeralMode(mode, opts.ephemeralModes);
    },

    onChange(listener: (change: PresenceChange) => void): () => void {
      if (typeof listener !== "function") throw new TypeError("presence store: onChange needs a function");
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async close(): Promise<void> {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}

/** SPEC K1, defensively: keys are trimmed and lower-cased here too (presenceKey() already does it). */
export function normaliseKey(key: string): string {
  if (typeof key !== "string") throw new PresenceInputError(`key must be a string, got ${typeof key}`);
  const k = key.trim().toLowerCase();
  if (!k) throw new PresenceInputError("key must not be empty");
  return k;
}
