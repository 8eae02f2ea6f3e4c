/**
 * The presence store contract (SPEC §4-§6). Two backends implement it: the in-memory store (one
 * gateway) and the Redis store (a cluster of gateways sharing one list, src/presence/redis/). Methods
 * are async so a shared backend fits; the in-memory one resolves at once.
 */
import type { PresenceEntry } from "../protocol/presence.js";

/** Every field of a row but `ts`, which the store sets from its clock on each write (SPEC K3). */
export type PresenceFields = Omit<PresenceEntry, "ts">;

/** A millisecond clock; injected so tests (and `test.clock.advance`) drive time. */
export interface Clock {
  now(): number;
}

/**
 * A clock that test mode moves forward (SPEC S3): a base (real time, or a manual start) plus an
 * offset that only grows. A shared store keeps the offset equal on every gateway of a cluster.
 */
export interface AdjustableClock extends Clock {
  /** Adds `ms` (an integer >= 0) to the offset; returns the new time. Throws RangeError on a bad `ms`. */
  advance(ms: number): number;
  /** The sum of all advances so far. */
  offset(): number;
  /** Raises the offset to `offset` when that is larger (an advance made by another gateway). */
  syncOffset(offset: number): void;
}

/** True for a clock that `advanceClock` can move. */
export function isAdjustableClock(clock: Clock): clock is AdjustableClock {
  const c = clock as Partial<AdjustableClock>;
  return typeof c.advance === "function" && typeof c.offset === "function" && typeof c.syncOffset === "function";
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

/** A row and its presence key (SPEC K1). */
export interface KeyedPresenceEntry {
  key: string;
  entry: PresenceEntry;
}

export interface PresenceStoreOptions {
  clock?: Clock;
  /** Rows older than this are removed, self excepted (SPEC S1). Default 300000. */
  ttlMs?: number;
  /** Most rows, self included (SPEC S2). Default 200. */
  maxEntries?: number;
  /** Client modes never recorded (SPEC P3). Default ["cli"]. */
  ephemeralModes?: string[];
  /** How often expiry runs on its own, in ms, 0 to 2147483647 (a timer's longest wait); 0 turns the timer off (tests call expire()). */
  sweepIntervalMs?: number;
  /** Called when a change listener throws (the store carries on). Default: console.error. */
  onListenerError?: (error: unknown) => void;
  /** Operational lines of a shared store (backend lost, back, reconciled). Default: none. */
  log?: (line: string) => void;
}

export interface OpenConnectionOptions {
  /**
   * SPEC P5: the connection's own address (already known not to be loopback). It becomes the row's
   * `ip` only while no beacon has reported one for this key; a beacon-reported `ip` is never overwritten.
   */
  connectionIp?: string;
}

/** What a store reports about its health (the gateway's metrics carry it). */
export interface PresenceStoreStatus {
  backend: "memory" | "redis";
  /** The list is shared with other gateways (a cluster). */
  shared: boolean;
  /**
   * False while a shared backend cannot be reached: the store then serves this gateway's local
   * presence and writes it back when the backend returns.
   */
  healthy: boolean;
  /** This gateway's id in the cluster (shared stores). */
  gatewayId?: string;
  /** How often the backend was lost since start. */
  outages: number;
  /** How often local presence was written back after an outage (or a backend that lost its data). */
  reconciles: number;
  /** When the current outage began (ms since the epoch, wall clock). */
  degradedSince?: number;
}

/**
 * The operations a gateway request needs, synchronous (issue 11): offered by a store whose list lives
 * in this process (the in-memory store), so the gateway answers a beacon, a `system-presence` call or
 * a `connect` in the turn it arrived, without a promise per request. A store on a shared backend
 * (Redis) has none: the gateway then uses the async methods, which do the same.
 *
 * Rows returned are the store's own, not copies (the store never changes a row it returned; it
 * replaces it): read them, never change them.
 */
export interface PresenceStoreSync {
  /** PresenceStore.upsert. */
  upsert(key: string, fields: PresenceFields): void;
  /** PresenceStore.openConnection. */
  openConnection(key: string, fields: PresenceFields, options?: OpenConnectionOptions): void;
  /** PresenceStore.closeConnection. */
  closeConnection(key: string): void;
  /** PresenceStore.get (read-only row). */
  get(key: string): PresenceEntry | undefined;
  /** PresenceStore.listKeyed (read-only rows, and read-only `{key, entry}` objects: listings share them). */
  listKeyed(): KeyedPresenceEntry[];
  /** PresenceStore.expire. */
  expire(): number;
}

export interface PresenceStore {
  /** The same operations, synchronous, when the store can do them without waiting (the in-memory store). */
  readonly sync?: PresenceStoreSync;
  /** Seeds or refreshes the gateway's own row (SPEC P1): never expired, never evicted. */
  setSelf(fields: PresenceFields): Promise<PresenceEntry>;
  /**
   * Field-by-field upsert (SPEC K3): present fields overwrite, absent or undefined ones keep the
   * stored value, `roles`/`scopes` are unions, `ts` = clock. Inserting a new key when full evicts
   * the oldest row (never self) (SPEC S2). An `ip` written here is a reported one (a beacon's, SPEC
   * P5): it stays until another write reports another. Returns the row after the write.
   */
  upsert(key: string, fields: PresenceFields): Promise<PresenceEntry>;
  /**
   * A connection holding `key` opened on this gateway (SPEC P2, P6): the same upsert, and one more
   * open connection counted for the key (across every gateway of a shared store).
   */
  openConnection(key: string, fields: PresenceFields, options?: OpenConnectionOptions): Promise<PresenceEntry>;
  /**
   * One connection holding `key` closed (SPEC P6). When it was the last open one on any gateway, the
   * row is marked `reason: "disconnect"` and returned; otherwise (or when the row is gone) undefined.
   */
  closeConnection(key: string): Promise<PresenceEntry | undefined>;
  /** Marks a row `reason: "disconnect"` (SPEC P6). Does nothing (returns undefined) if the row is gone. */
  markDisconnected(key: string): Promise<PresenceEntry | undefined>;
  /**
   * Keep-alive (SPEC P7): these rows are alive now. Their `ts` is refreshed (no change event) before
   * expiry runs, so a live row never expires, even right after the clock jumped (SPEC S3). (Rows with
   * an open connection counted by openConnection are kept alive by expiry itself as well.)
   */
  touch(keys: string | Iterable<string>): Promise<void>;
  get(key: string): Promise<PresenceEntry | undefined>;
  /** All rows, newest `ts` first, self included and fresh; expired rows are removed first (SPEC M1, S1). */
  list(): Promise<PresenceEntry[]>;
  /**
   * list() with each row's key (the self row's is SELF_KEY): what the gateway's snapshot cache and
   * the delta stream (`presence.delta`) are built from.
   */
  listKeyed(): Promise<KeyedPresenceEntry[]>;
  /** Removes expired rows now, telling listeners; returns how many. */
  expire(): Promise<number>;
  /** The change counter: grows by one with every change. (The gateway publishes its own `stateVersion.presence`, one step per push.) */
  version(): Promise<number>;
  size(): Promise<number>;
  /** Called for every change: upsert, disconnect, expiry, eviction. Returns an unsubscribe function. */
  onChange(listener: (change: PresenceChange) => void): () => void;
  /**
   * Optional (shared stores): `listener` is called when rows' `ts` moved without a change, e.g. a
   * keep-alive refresh (SPEC P7) made by another gateway of the cluster. Nothing is pushed for it, but
   * a listing cached since is out of date: the rows' order and age (S1, S2) go by the new ts.
   * Returns the unsubscribe function.
   */
  onRefresh?(listener: () => void): () => void;
  /** SPEC P3: is `mode` one of this store's ephemeral modes (never recorded)? Trimmed, case-insensitive. */
  isEphemeral(mode: string | undefined): boolean;
  /**
   * Test mode (SPEC S3): moves the clock forward by `ms` (for every gateway of a shared store) and
   * returns the new time. Needs an AdjustableClock (TypeError otherwise); a bad `ms` is a RangeError.
   * Expiry is not run here: the caller first touches the rows still alive, as after any clock jump.
   */
  advanceClock(ms: number): Promise<number>;
  /** Health of the backend (the gateway's metrics report it). */
  status(): PresenceStoreStatus;
  /** Stops the timers; a shared store also leaves the cluster (its self row goes). */
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
