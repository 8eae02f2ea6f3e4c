/**
 * Applying `presence.delta` events to a keyed list (docs/delta.md D3-D5): removed keys go, changed
 * rows replace or join, and the list is ordered newest `ts` first (rows with equal `ts`: the
 * changed ones first, in the order sent, then the others in their previous order; SPEC M1 orders
 * by `ts` only).
 */
import { newestTsFirst } from "./status.js";
import { PRESENCE_DELTA_CAP, type KeyedPresenceEntry, type PresenceDeltaEvent } from "../protocol/delta.js";

/** `caps` plus `presence.delta` when asked for (D1). */
export function withDeltaCap(caps: string[] | undefined, delta: boolean): string[] | undefined {
  if (!delta || caps?.includes(PRESENCE_DELTA_CAP)) return caps;
  return [...(caps ?? []), PRESENCE_DELTA_CAP];
}

export function applyDelta(rows: readonly KeyedPresenceEntry[], delta: Pick<PresenceDeltaEvent, "changed" | "removed" | "reset">): KeyedPresenceEntry[] {
  if (delta.reset) return sortByTs([...delta.changed]);
  const touched = new Set<string>(delta.removed);
  for (const row of delta.changed) touched.add(row.key);
  return sortByTs([...delta.changed, ...rows.filter((row) => !touched.has(row.key))]);
}

function sortByTs(rows: KeyedPresenceEntry[]): KeyedPresenceEntry[] {
  // Array.prototype.sort is stable: equal ts keep the order built above.
  return rows.sort((a, b) => newestTsFirst(a.entry, b.entry));
}

/** Pairs hello-ok's snapshot rows with `presenceKeys`; undefined when they do not line up. */
export function keyedSnapshot(presence: readonly unknown[], keys: unknown): KeyedPresenceEntry[] | undefined {
  if (!Array.isArray(keys) || keys.length !== presence.length || !keys.every((k) => typeof k === "string")) return undefined;
  return presence.map((entry, i) => ({ key: keys[i] as string, entry: entry as KeyedPresenceEntry["entry"] }));
}

/** A payload that has the shape of a delta (the client does not schema-validate inbound frames). */
export function isDelta(payload: unknown): payload is PresenceDeltaEvent {
  const p = payload as Partial<PresenceDeltaEvent> | null;
  return (
    typeof p === "object" &&
    p !== null &&
    typeof p.stateVersion?.presence === "number" &&
    Array.isArray(p.changed) &&
    Array.isArray(p.removed) &&
    p.changed.every((row) => typeof row?.key === "string" && typeof row.entry === "object" && row.entry !== null) &&
    (p.reset === true || typeof p.baseVersion === "number")
  );
}
