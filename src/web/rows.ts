/**
 * The table's model, apart from the DOM: presence entries -> display rows on the gateway's clock
 * (SPEC C1 status, ages), newest first, with the filters of the page. Pure functions.
 */
import { fieldText, formatAge, newestTsFirst, quotedFieldText, presenceAge, presenceStatus, type PresenceStatus } from "../client/status.js";
import type { PresenceEntry } from "../protocol/presence.js";
import { formatInstant } from "./format.js";

export const STATUSES: readonly PresenceStatus[] = ["Active", "Idle", "Stale"];

export interface DisplayRow {
  /** Stable across updates: the instanceId (as SPEC K1 keys rows), else `self`, else the row's fields. */
  key: string;
  status: PresenceStatus;
  /** The row's host, else its instanceId (as `gateway-presence list` shows it): the row header is never blank. */
  host: string;
  /** `host` shows the instanceId: the row has no host (a beacon that sent none, SPEC K2). */
  hostIsInstanceId: boolean;
  ip: string;
  mode: string;
  version: string;
  platform: string;
  lastInput: string;
  reason: string;
  roles: string;
  age: string;
  /** Titles (tooltips) for cells whose text is shortened. */
  titles: { host: string; platform: string; lastInput: string; age: string };
}

export interface Filters {
  /** A mode, or "" for all. */
  mode: string;
  /** A status, or "" for all. */
  status: PresenceStatus | "";
  /** Part of the host name (the instanceId of a row without one), any letter case; "" for all. */
  host: string;
}

export const NO_FILTERS: Filters = { mode: "", status: "", host: "" };

const isSelf = (e: PresenceEntry) => e.reason === "self" && e.mode === "gateway";
/** A field as the cell shows it: as given, a value that is not a string as its JSON text (a non-conforming gateway's row). */
const text = (value: unknown) => fieldText(value) ?? "";

/**
 * The host cell: the host, else the instanceId. A cluster lists one self row per gateway, told apart by
 * the gateway id in instanceId (docs/cluster.md): a self row reads `host (id)`, as `gateway-presence list` shows it.
 */
function hostCell(entry: PresenceEntry): string {
  if (entry.host === undefined) return text(entry.instanceId);
  return isSelf(entry) && entry.instanceId !== undefined ? `${text(entry.host)} (${text(entry.instanceId)})` : text(entry.host);
}

/** Display rows, newest `ts` first (SPEC M1 order, kept when the list is re-sorted here). */
export function displayRows(entries: readonly PresenceEntry[], gatewayNow: number): DisplayRow[] {
  const seen = new Map<string, number>();
  const sorted = [...entries].sort(newestTsFirst);
  return sorted.map((entry) => {
    const ageMs = presenceAge(entry, gatewayNow);
    const base = isSelf(entry)
      ? "self"
      : entry.instanceId !== undefined
        ? `id:${text(entry.instanceId).trim().toLowerCase()}`
        : `row:${[entry.host, entry.mode, entry.ip, entry.platform].map(text).join("|")}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const idleMs = Number.isFinite(entry.lastInputSeconds) && Number.isFinite(ageMs) ? entry.lastInputSeconds! * 1000 + ageMs : undefined;
    return {
      key: n === 0 ? base : `${base}#${n}`,
      status: presenceStatus(entry, gatewayNow),
      host: hostCell(entry),
      hostIsInstanceId: entry.host === undefined && entry.instanceId !== undefined,
      ip: text(entry.ip),
      mode: text(entry.mode),
      version: text(entry.version),
      platform: text(entry.platform),
      lastInput: idleMs === undefined ? text(entry.lastInputSeconds) : `${formatAge(idleMs)} ago`,
      reason: text(entry.reason),
      roles: Array.isArray(entry.roles) ? entry.roles.map(text).join(", ") : text(entry.roles),
      age: Number.isFinite(ageMs) ? formatAge(ageMs) : "",
      titles: {
        host: entry.instanceId ? `instanceId ${text(entry.instanceId)}${entry.host === undefined ? " (the row has no host)" : ""}` : "",
        platform: [entry.deviceFamily, entry.modelIdentifier].filter(Boolean).map(text).join(" · "),
        lastInput: entry.lastInputSeconds === undefined ? "" : `reported as ${text(entry.lastInputSeconds)} s idle at the row's last update`,
        age: Number.isFinite(entry.ts) ? `last update ${formatInstant(entry.ts)} (gateway clock)` : `ts ${entry.ts === undefined ? "absent" : `${quotedFieldText(entry.ts)}: not a time`} (a non-conforming row)`,
      },
    };
  });
}

export function matchesFilters(row: DisplayRow, filters: Filters): boolean {
  if (filters.mode !== "" && row.mode !== filters.mode) return false;
  if (filters.status !== "" && row.status !== filters.status) return false;
  const needle = filters.host.trim().toLowerCase();
  return needle === "" || row.host.toLowerCase().includes(needle);
}

export function countByStatus(rows: readonly DisplayRow[]): Record<PresenceStatus, number> {
  const counts: Record<PresenceStatus, number> = { Active: 0, Idle: 0, Stale: 0 };
  for (const row of rows) counts[row.status]++;
  return counts;
}

/** The modes present, sorted, for the mode filter. */
export function modesOf(rows: readonly DisplayRow[]): string[] {
  return [...new Set(rows.map((r) => r.mode).filter((m) => m !== ""))].sort();
}
