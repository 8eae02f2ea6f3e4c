/**
 * The presence store contract (SPEC §4-§6). The in-memory store implements it; another backend
 * (Redis, later) can be plugged into the gateway by implementing the same interface. Methods are
 * async so such a backend fits; the in-memory one resolves at once.
 */
import type { PresenceEntry } from "../protocol/presence.js";

/** Every field of a row but `ts`, which the store sets from its clock on each write (SPEC K3). */
export type PresenceFields = Omit<PresenceEntry, "ts">;

/** A millisecond clock; injected so tests (and `test.clock.advance`) drive time. */
export interface Clock {
  now(): number;
}

export type PresenceChangeKind = "upsert" | "disconnect" | "expire" | "evict";

export interface PresenceChange {
  kind: PresenceChangeKind;
  /** The normalised presence key (trimmed, lower-cased instanceId, or a connection id). */
  key: string;
  /** The row after the change (upsert, disconnect) or as it was when removed (expire, evict). */
  entry: PresenceEntry;
  /** The store's change counter after the change. */
  version: number;
}

export interface PresenceStoreOptions {
  clock?: Clock;
  /** Rows older than this are removed, self excepted (SPEC S1). Default 300000. */
  ttlMs?: number;
  /** Most rows, self included (SPEC S2). Default 200. */
  maxEntries?: number;
  /** Client modes never recorded (SPEC P3). Default ["cli"]. */
  ephemeralModes?: string[];
  /** How often expiry runs on its own, in ms; 0 turns the timer off (tests call expire()). */
  sweepIntervalMs?: number;
  /** Called when a change listener throws (the store carries on). Default: console.error. */
  onListenerError?: (error: unknown) => void;
}

export interface PresenceStore {
  /** Seeds or refreshes the gateway's own row (SPEC P1): never expired, never evicted. */
  setSelf(fields: PresenceFields): Promise<PresenceEntry>;
  /**
   * Field-by-field upsert (SPEC K3): present fields overwrite, absent or undefined ones keep the
   * stored value, `roles`/`scopes` are unions, `ts` = clock. Inserting a new key when full evicts
   * the oldest row (never self) (SPEC S2). Returns the row after the write.
   */
  upsert(key: string, fields: PresenceFields): Promise<PresenceEntry>;
  /** Marks a row `reason: "disconnect"` (SPEC P6). Does nothing (returns undefined) if the row is gone. */
  markDisconnected(key: string): Promise<PresenceEntry | undefined>;
  /**
   * Keep-alive (SPEC P7): these rows are alive now. Their `ts` is refreshed (no change event) before
   * expiry runs, so a live row never expires, even right after the clock jumped (SPEC S3).
   */
  touch(keys: string | Iterable<string>): Promise<void>;
  get(key: string): Promise<PresenceEntry | undefined>;
  /** All rows, newest `ts` first, self included and fresh; expired rows are removed first (SPEC M1, S1). */
  list(): Promise<PresenceEntry[]>;
  /** Removes expired rows now, telling listeners; returns how many. */
  expire(): Promise<number>;
  /** The change counter: grows by one with every change. (The gateway publishes its own `stateVersion.presence`, one step per push.) */
  version(): Promise<number>;
  size(): Promise<number>;
  /** Called for every change: upsert, disconnect, expiry, eviction. Returns an unsubscribe function. */
  onChange(listener: (change: PresenceChange) => void): () => void;
  /** SPEC P3: is `mode` one of this store's ephemeral modes (never recorded)? Trimmed, case-insensitive. */
  isEphemeral(mode: string | undefined): boolean;
  /** Stops the sweep timer. */
  close(): Promise<void>;
}

/**
 * The key of the self row in change notifications and for get(). It has upper-case letters, so no
 * normalised client key can ever equal it (a peer cannot take over the self row).
 */
export const SELF_KEY = "@Self";

/** The presence key of SPEC K1: the trimmed, lower-cased instanceId when given, else the connection id. */
export function presenceKey(instanceId: string | undefined, connId: string): string {
  const trimmed = instanceId?.trim();
  return trimmed ? trimmed.toLowerCase() : connId;
}
