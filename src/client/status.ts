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

/**
 * A duration as the CLI's tables show ages and idle times (list, watch, doctor): `42s`, `3m 5s`,
 * `2h 1m`, `3d 4h`; whole seconds, truncated, never negative (a caller that shows a negative age
 * writes the sign itself).
 */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const [m, h, d] = [Math.floor(s / 60), Math.floor(s / 3600), Math.floor(s / 86400)];
  if (s < 3600) return `${m}m ${s % 60}s`;
  if (s < 86400) return `${h}h ${m % 60}m`;
  return `${d}d ${h % 24}h`;
}

/** `max(0, now - ts)` in ms. */
export function presenceAge(entry: Pick<PresenceEntry, "ts">, now: number = Date.now()): number {
  return Math.max(0, now - entry.ts);
}
