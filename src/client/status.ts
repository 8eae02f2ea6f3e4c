/** The status indicator of SPEC C1. */
import type { PresenceEntry } from "../protocol/presence.js";

export type PresenceStatus = "Active" | "Idle" | "Stale";

export const ACTIVE_MS = 120_000;
export const IDLE_MS = 300_000;

/**
 * `Active` when the row's age (now - ts, never negative) is at most 120 s, `Idle` up to 300 s, else
 * `Stale`. `ts` is on the gateway's clock: pass the gateway's time as `now` when the clocks may differ.
 */
export function presenceStatus(entry: Pick<PresenceEntry, "ts">, now: number = Date.now()): PresenceStatus {
  const age = presenceAge(entry, now);
  return age <= ACTIVE_MS ? "Active" : age <= IDLE_MS ? "Idle" : "Stale";
}

/** `max(0, now - ts)` in ms. */
export function presenceAge(entry: Pick<PresenceEntry, "ts">, now: number = Date.now()): number {
  return Math.max(0, now - entry.ts);
}
