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
 * A duration as ages and idle times read everywhere: the CLI's tables (list, watch, doctor) and the
 * Instances page: `42s`, `3m 5s`, `2h 1m`, `3d 4h`; whole seconds, truncated, never negative (a
 * caller that shows a negative age writes the sign itself); `-` for a value that is not finite.
 */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return "-"; // a row without a usable ts (see entryTs)
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const [m, h, d] = [Math.floor(s / 60), Math.floor(s / 3600), Math.floor(s / 86400)];
  if (s < 3600) return `${m}m ${s % 60}s`;
  if (s < 86400) return `${h}h ${m % 60}m`;
  return `${d}d ${h % 24}h`;
}

/** `max(0, now - ts)` in ms; NaN when the row's ts is not a finite number (its status is then `Stale`). */
export function presenceAge(entry: Pick<PresenceEntry, "ts">, now: number = Date.now()): number {
  const ts = entryTs(entry);
  return ts === undefined ? Number.NaN : Math.max(0, now - ts);
}

/*
 * Rows as a non-conforming gateway may send them. The client does not reject a list over one badly
 * typed field (a viewer pointed at a broken gateway should still show it), so every table, check and
 * page reads row fields through these instead of trusting the types of SPEC §3.
 */

/** The fields of SPEC §3 that hold a string. */
const STRING_FIELDS = ["instanceId", "host", "ip", "version", "platform", "deviceFamily", "modelIdentifier", "mode", "reason", "text"] as const;

/**
 * A row field as text, whatever the gateway put there: a string as it is, a number as its JSON text
 * (`Infinity` for one too large for a double), anything else (null, a boolean, an object, an array)
 * as compact JSON; `undefined` when the field is absent.
 */
export function fieldText(value: unknown): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value); // a cycle: only possible for a row built in-process
  }
}

/** As `fieldText`, but a string quoted (`"3"`), so it reads apart from the number 3: for messages about a value's type. */
export function quotedFieldText(value: unknown): string | undefined {
  return typeof value === "string" ? JSON.stringify(value) : fieldText(value);
}

/** The row's `ts` when it is a finite number (SPEC §3: ms since the epoch), else `undefined`. */
export function entryTs(entry: { readonly ts?: unknown }): number | undefined {
  return typeof entry.ts === "number" && Number.isFinite(entry.ts) ? entry.ts : undefined;
}

/** Sort comparator, newest `ts` first; rows without a usable ts last. */
export function newestTsFirst(a: { readonly ts?: unknown }, b: { readonly ts?: unknown }): number {
  return (entryTs(b) ?? -Infinity) - (entryTs(a) ?? -Infinity) || 0;
}

/**
 * The fields of a row that do not have their SPEC §3 type, each with what it holds (as `fieldText`, a
 * string quoted):
 * strings for the descriptive fields and `reason`/`text`, string arrays for `roles`/`scopes`, an
 * integer >= 0 for `lastInputSeconds`, and a required integer `ts`. Empty when the types are right.
 */
export function mistypedFields(entry: object): Array<{ field: string; expected: string; holds: string }> {
  const row = entry as Record<string, unknown>;
  const out: Array<{ field: string; expected: string; holds: string }> = [];
  const check = (field: string, expected: string, ok: (v: unknown) => boolean, required = false) => {
    const value = row[field];
    if (value === undefined ? required : !ok(value)) out.push({ field, expected, holds: value === undefined ? "nothing (absent)" : quotedFieldText(value)! });
  };
  for (const field of STRING_FIELDS) check(field, "a string", (v) => typeof v === "string");
  const isInteger = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v);
  check("lastInputSeconds", "an integer >= 0", (v) => isInteger(v) && (v as number) >= 0);
  for (const field of ["roles", "scopes"]) check(field, "an array of strings", (v) => Array.isArray(v) && v.every((s) => typeof s === "string"));
  check("ts", "an integer (ms since the epoch)", isInteger, true);
  return out;
}
