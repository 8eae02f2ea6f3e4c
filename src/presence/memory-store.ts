/**
 * The in-memory presence store (SPEC K1-K4, P1, P5, P6, S1, S2): the PresenceStore API over
 * MemoryRows (the rows, expiry and the cap: memory-rows.ts), ConnectionCounts (P6, P7:
 * connection-counts.ts) and ReportedIps (P5: reported-ips.ts). Every call runs expiry first, then
 * its change, then tells listeners (ChangeFeed) about everything that changed.
 * The Redis store (./redis/) keeps the same order with the same rules, and falls back to this store
 * while Redis is out of reach (seeded with the last list it knew: MemoryStoreSeed).
 */
import type { PresenceEntry } from "../protocol/presence.js";
import { isAdjustableClock } from "./types.js";
import { isEphemeralMode } from "./ephemeral.js";
import { cleanFields, copyEntry, normaliseKey, PresenceInputError } from "./merge.js";
import { resolveStoreOptions } from "./options.js";
import { ChangeFeed } from "./change-feed.js";
import { ConnectionCounts } from "./connection-counts.js";
import { MemoryRows } from "./memory-rows.js";
import { ReportedIps } from "./reported-ips.js";
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

export { normaliseKey };

/** State a memory store starts from (the Redis store's local fallback starts from its last known list). */
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
  const feed = new ChangeFeed(opts.onListenerError);
  let version = seed.version ?? 0;
  function record(kind: PresenceChangeKind, key: string, entry: PresenceEntry): void {
    version += 1;
    feed.queue({ kind, key, entry: copyEntry(entry), version });
  }
  const flush = () => feed.flush();
  /** Open connections per key (SPEC P6: the row is marked disconnected when the last one closes). */
  const counts = new ConnectionCounts(seed.counts);
  /** Keys whose ip was reported by a beacon (SPEC P5, K3): a connection's address never overwrites it. */
  const reportedIps = new ReportedIps(seed.reportedIps);
  const table = new MemoryRows(opts, counts, reportedIps, record);
  const { rows } = table;
  let lastTs = 0;
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

  /** Runs expiry, then `body`, then tells listeners about everything that changed. */
  function run<T>(body: (t: number) => T): T {
    try {
      const t = now();
      table.sweep(t);
      return body(t);
    } finally {
      flush();
    }
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
    return run((t) => table.write(t, k, clean));
  }

  function openConnection(key: string, fields: PresenceFields, options: OpenConnectionOptions = {}): PresenceEntry {
    const k = normaliseKey(key);
    const clean = cleanFields(fields);
    const ip = options.connectionIp;
    if (ip !== undefined && (typeof ip !== "string" || !ip.trim())) throw new PresenceInputError(`connectionIp must be a non-empty string, got ${typeof ip}`);
    return run((t) => {
      counts.open(k);
      // P5: the connection's address only where no beacon reported one (and it is not a reported ip itself).
      const written = reportedIps.connectionFields(k, clean, ip);
      return table.write(t, k, written.fields, written.fromConnection);
    });
  }

  function closeConnection(key: string): PresenceEntry | undefined {
    const k = normaliseKey(key);
    // No connection of this store holds the key, or others still do: nothing to mark.
    return run((t) => (counts.close(k) === "last" ? table.disconnect(t, k) : undefined));
  }

  function get(key: string): PresenceEntry | undefined {
    if (key === SELF_KEY) return run((t) => table.freshSelf(t));
    const k = normaliseKey(key);
    return run(() => rows.get(k));
  }

  function listKeyed(): KeyedPresenceEntry[] {
    return run((t) => {
      const out: KeyedPresenceEntry[] = [];
      const own = table.freshSelf(t);
      if (own) out.push({ key: SELF_KEY, entry: own });
      rows.newestFirstKeyed(out);
      return out;
    });
  }

  function expire(): number {
    try {
      return table.sweep(now());
    } finally {
      flush();
    }
  }

  const copyOrUndefined = (row: PresenceEntry | undefined) => (row ? copyEntry(row) : undefined);

  return {
    sync: { upsert, openConnection, closeConnection, get, listKeyed, expire },

    async setSelf(fields: PresenceFields): Promise<PresenceEntry> {
      const clean = cleanFields(fields);
      return run((t) => copyEntry(table.setSelf(t, clean)));
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
      return copyOrUndefined(run((t) => table.disconnect(t, k)));
    },

    async touch(keys: string | Iterable<string>): Promise<void> {
      // Refresh before expiry runs: a live row must not expire because the clock jumped (S3, P7).
      try {
        const t = now();
        for (const key of typeof keys === "string" ? [keys] : keys) {
          if (key !== SELF_KEY) table.refresh(t, normaliseKey(key));
        }
        table.sweep(t);
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
        // freshSelf's object is shared by the listings of one millisecond: callers get a copy.
        const own = table.freshSelf(t);
        if (own) out.push(copyEntry(own));
        for (const row of rows.newestFirst()) out.push(copyEntry(row));
        return out;
      });
    },

    async listKeyed(): Promise<KeyedPresenceEntry[]> {
      return listKeyed().map(({ key, entry }) => ({ key, entry: copyEntry(entry) }));
    },

    async expire(): Promise<number> {
      return expire();
    },

    async version(): Promise<number> {
      return run(() => version);
    },

    async size(): Promise<number> {
      return run(() => table.size);
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
