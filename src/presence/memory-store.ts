/**
 * The in-memory presence store (SPEC K1-K4, P1, P5, P6, S1, S2).
 *
 * Rows are kept in ascending `ts` order (OrderedRows): every write moves its row to the newest end
 * with ts = clock (clamped so it never goes backwards), so the oldest row is always at the other end.
 * That makes cap eviction O(1) and expiry O(rows expired) (amortised O(1) per write); only list()
 * walks the rows. The self row is kept outside them, so it can be neither expired nor evicted.
 * The Redis store (./redis/) keeps the same order with the same rules, and falls back to this store
 * while Redis is out of reach (seeded with the last list it knew: MemoryStoreSeed).
 */
import type { PresenceEntry } from "../protocol/presence.js";
import { isAdjustableClock } from "./types.js";
import { isEphemeralMode } from "./ephemeral.js";
import { cleanFields, copyEntry, mergeEntry, normaliseKey, PresenceInputError } from "./merge.js";
import { resolveStoreOptions } from "./options.js";
import { OrderedRows } from "./ordered-rows.js";
import { ChangeFeed } from "./change-feed.js";
import {
  SELF_KEY,
  type KeyedPresenceEntry,
  type OpenConnectionOptions,
  type PresenceChange,
  type PresenceChangeKind,
  type PresenceFields,
  type PresenceStore,
  type PresenceStoreOptions,
} from "./types.js";

/** State a memory store starts from (the Redis store's local fallback starts from its last known list). */
export { normaliseKey };

export interface MemoryStoreSeed {
  /** Rows with their own `ts` (any order; written oldest first). */
  rows?: Iterable<{ key: string; entry: PresenceEntry }>;
  /** Open connections per key (P6, P7). */
  counts?: Iterable<[string, number]>;
  /** Keys whose `ip` a beacon reported (P5). */
  reportedIps?: Iterable<string>;
  /** The change counter starts here. */
  version?: number;
}

export function createMemoryPresenceStore(options: PresenceStoreOptions = {}, seed: MemoryStoreSeed = {}): PresenceStore {
  const opts = resolveStoreOptions(options);
  const rows = new OrderedRows();
  /** Open connections per key (SPEC P6: the row is marked disconnected when the last one closes). */
  const counts = new Map<string, number>(seed.counts ?? []);
  /** Keys whose ip was reported by a beacon (SPEC P5, K3): a connection's address never overwrites it. */
  const reportedIps = new Set<string>(seed.reportedIps ?? []);
  let self: PresenceEntry | undefined;
  let lastTs = 0;
  const feed = new ChangeFeed(opts.onListenerError);
  let version = seed.version ?? 0;
  function record(kind: PresenceChangeKind, key: string, entry: PresenceEntry): void {
    version += 1;
    feed.queue({ kind, key, entry: copyEntry(entry), version });
  }
  const flush = () => feed.flush();
  for (const { key, entry } of [...(seed.rows ?? [])].sort((a, b) => a.entry.ts - b.entry.ts)) {
    rows.write(normaliseKey(key), copyEntry(entry));
    lastTs = Math.max(lastTs, entry.ts);
  }

  /** The clock as an integer that never goes below an earlier reading (nor 0). */
  function now(): number {
    const raw = opts.clock.now();
    if (typeof raw !== "number" || !Number.isFinite(raw)) {
      throw new TypeError(`presence store: clock.now() returned ${String(raw)}, not a finite number`);
    }
    lastTs = Math.max(lastTs, Math.floor(raw));
    return lastTs;
  }

  /**
   * Removes rows more than ttlMs old at time `t` (S1); they are at the front of the list. A row
   * with an open connection is alive (P7): it moves to the newest end instead, with ts = t.
   */
  function sweep(t: number): number {
    const cutoff = t - opts.ttlMs;
    let removed = 0;
    for (let oldest = rows.oldest(); oldest && oldest.row.ts < cutoff; oldest = rows.oldest()) {
      if ((counts.get(oldest.key) ?? 0) > 0) {
        rows.write(oldest.key, { ...oldest.row, ts: t });
        continue;
      }
      remove("expire", oldest.key, oldest.row);
      removed++;
    }
    return removed;
  }

  function remove(kind: "expire" | "evict", key: string, row: PresenceEntry): void {
    rows.delete(key);
    reportedIps.delete(key);
    record(kind, key, row);
  }

  function evictOldest(): void {
    const oldest = rows.oldest();
    if (oldest) remove("evict", oldest.key, oldest.row);
  }

  /** The upsert of K3/S2 at time t; an `ip` in `clean` is a reported one (P5) unless `fromConnection`. */
  function write(t: number, k: string, clean: PresenceFields, fromConnection = false): PresenceEntry {
    const stored = rows.get(k);
    if (!stored) {
      // maxEntries 1 with a self row: there is no room for any other row; nothing is stored.
      if (capacity() <= 0) return mergeEntry(undefined, clean, t);
      while (rows.size >= capacity()) evictOldest();
    }
    const next = mergeEntry(stored, clean, t);
    rows.write(k, next);
    if (clean.ip !== undefined && !fromConnection) reportedIps.add(k);
    record("upsert", k, next);
    return next;
  }

  function disconnect(t: number, k: string): PresenceEntry | undefined {
    const stored = rows.get(k);
    if (!stored) return undefined;
    const next = mergeEntry(stored, { reason: "disconnect" }, t);
    rows.write(k, next);
    record("disconnect", k, next);
    return next;
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

  /** The stored row after the write (the store's own object: callers outside copy it). */
  function upsert(key: string, fields: PresenceFields): PresenceEntry {
    const k = normaliseKey(key);
    const clean = cleanFields(fields);
    return run((t) => write(t, k, clean));
  }

  function openConnection(key: string, fields: PresenceFields, options: OpenConnectionOptions = {}): PresenceEntry {
    const k = normaliseKey(key);
    const clean = cleanFields(fields);
    const ip = options.connectionIp;
    if (ip !== undefined && (typeof ip !== "string" || !ip.trim())) throw new PresenceInputError(`connectionIp must be a non-empty string, got ${typeof ip}`);
    return run((t) => {
      counts.set(k, (counts.get(k) ?? 0) + 1);
      // P5: the connection's address only where no beacon reported one (and it is not a reported ip itself).
      if (ip === undefined || clean.ip !== undefined || reportedIps.has(k)) return write(t, k, clean);
      return write(t, k, { ...clean, ip }, true);
    });
  }

  function closeConnection(key: string): PresenceEntry | undefined {
    const k = normaliseKey(key);
    return run((t) => {
      const open = counts.get(k);
      if (open === undefined) return undefined; // no connection of this store holds the key
      const left = open - 1;
      if (left > 0) {
        counts.set(k, left);
        return undefined;
      }
      counts.delete(k);
      return disconnect(t, k);
    });
  }

  function get(key: string): PresenceEntry | undefined {
    if (key === SELF_KEY) return run(freshSelf);
    const k = normaliseKey(key);
    return run(() => rows.get(k));
  }

  function listKeyed(): KeyedPresenceEntry[] {
    return run((t) => {
      const out: KeyedPresenceEntry[] = [];
      const own = freshSelf(t);
      if (own) out.push({ key: SELF_KEY, entry: own });
      for (const { key, row } of rows.newestFirstKeyed()) out.push({ key, entry: row });
      return out;
    });
  }

  function expire(): number {
    try {
      return sweep(now());
    } finally {
      flush();
    }
  }

  const copyOrUndefined = (row: PresenceEntry | undefined) => (row ? copyEntry(row) : undefined);

  return {
    sync: { upsert, openConnection, closeConnection, get, listKeyed, expire },

    async setSelf(fields: PresenceFields): Promise<PresenceEntry> {
      const clean = cleanFields(fields);
      return run((t) => {
        if (!self) while (rows.size > 0 && rows.size >= opts.maxEntries) evictOldest();
        const next = mergeEntry(self, clean.reason !== undefined || self?.reason !== undefined ? clean : { ...clean, reason: "self" }, t);
        self = next;
        record("upsert", SELF_KEY, next);
        return copyEntry(next);
      });
    },

    async upsert(key: string, fields: PresenceFields): Promise<PresenceEntry> {
      return copyEntry(upsert(key, fields));
    },

    async openConnection(key: string, fields: PresenceFields, options: OpenConnectionOptions = {}): Promise<PresenceEntry> {
      return copyEntry(openConnection(key, fields, options));
    },

    async closeConnection(key: string): Promise<PresenceEntry | undefined> {
      return copyOrUndefined(closeConnection(key));
    },

    async markDisconnected(key: string): Promise<PresenceEntry | undefined> {
      const k = normaliseKey(key);
      return copyOrUndefined(run((t) => disconnect(t, k)));
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
      return copyOrUndefined(get(key));
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

    async listKeyed(): Promise<KeyedPresenceEntry[]> {
      return listKeyed().map(({ key, entry }) => ({ key, entry: key === SELF_KEY ? entry : copyEntry(entry) }));
    },

    async expire(): Promise<number> {
      return expire();
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

    async advanceClock(ms: number): Promise<number> {
      const { clock } = opts;
      if (!isAdjustableClock(clock)) throw new TypeError("presence store: this store's clock cannot be advanced (not an AdjustableClock)");
      clock.advance(ms);
      return clock.now();
    },

    status() {
      return { backend: "memory" as const, shared: false, healthy: true, outages: 0, reconciles: 0 };
    },

    onChange(listener: (change: PresenceChange) => void): () => void {
      return feed.subscribe(listener);
    },

    async close(): Promise<void> {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
