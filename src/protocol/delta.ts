/**
 * The opt-in delta stream (docs/delta.md, rules D1-D8): a client that sends `caps: ["presence.delta"]`
 * in `connect` gets, after its keyed hello-ok snapshot, `presence.delta` events with only the rows
 * that changed and the keys of the rows that went, each tagged with the version it applies to.
 */
import type { PresenceEntry, StateVersion } from "./presence.js";

/** The capability a client asks for in `connect.caps` (docs/delta.md D1). */
export const PRESENCE_DELTA_CAP = "presence.delta";

/**
 * A row's key (SPEC K1): the trimmed, lower-cased instanceId, a connection id for a row without
 * one, `@Self` for the gateway's own row. Opaque to clients: only compared for equality.
 * @minLength 1
 * @maxLength 512
 */
export type PresenceKey = string;

/** A row with its key (docs/delta.md D3). */
export interface KeyedPresenceEntry {
  key: PresenceKey;
  entry: PresenceEntry;
}

/** Payload of the `presence.delta` event (docs/delta.md D3-D6). */
export interface PresenceDeltaEvent {
  /** The list's version after applying this delta (SPEC E1: one step per push, only grows). */
  stateVersion: StateVersion;
  /**
   * The version this delta applies to: the client's version must equal it (else it is a gap, D6).
   * Absent on a reset.
   * @TJS-type integer
   * @minimum 0
   */
  baseVersion?: number;
  /** True: `changed` is the whole list and replaces the client's (D5). */
  reset?: boolean;
  /**
   * Rows added or changed since `baseVersion`, newest `ts` first (the whole list on a reset).
   * @maxItems 200
   */
  changed: KeyedPresenceEntry[];
  /**
   * Keys of rows gone since `baseVersion` (expired, evicted); a disconnect is a change, not a removal.
   * @maxItems 200
   */
  removed: PresenceKey[];
}

/**
 * Params of `presence.resync`: none, or an empty object.
 * @additionalProperties false
 */
export interface PresenceResyncParams {}

/** Result of `presence.resync`: the version of the full list that was sent as a `presence.delta` reset (or a `presence` event). */
export interface PresenceResyncResult {
  ok: true;
  stateVersion: StateVersion;
}
