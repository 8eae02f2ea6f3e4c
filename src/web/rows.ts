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
  /** The age in ms on the gateway's clock (NaN without a usable ts) and the idle time now (NaN when unknown): what Age and Last input sort by. */
  ageMs: number;
  idleMs: number;
  /**
   * When the last input was, in ms on the gateway's clock (the report's time minus its `lastInputSeconds`,
   * kept across keep-alives: src/web/input-reports.ts; NaN when unknown): what the change highlight compares.
   */
  inputAt: number;
  /** The `lastInputSeconds` reported (NaN when none). */
  inputSeconds: number;
  /** The instanceId as given ("" when absent): the search finds it. */
  instanceId: string;
  /** Titles (tooltips) for cells whose text is shortened. */
  titles: { host: string; platform: string; lastInput: string; age: string };
}

export interface Filters {
  /** A mode, or "" for all. */
  mode: string;
  /** A status, or "" for all. */
  status: PresenceStatus | "";
  /** Part of the host name, the instanceId or the ip, any letter case; "" for all. */
  host: string;
}

/** The columns the table sorts by (src/web/view/sort.ts); `age` ascending is SPEC M1's newest first. */
export type SortColumn = "status" | "host" | "ip" | "mode" | "version" | "platform" | "lastInput" | "reason" | "roles" | "age";
export interface Sort {
  column: SortColumn;
  descending: boolean;
}
export const NEWEST_FIRST: Sort = { column: "age", descending: false };

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

/** The entries newest `ts` first (SPEC M1's order, which the keys and the table follow). */
export const newestFirst = (entries: readonly PresenceEntry[]) => [...entries].sort(newestTsFirst);

/**
 * The row keys of `sorted` (newest first), stable across updates: `id:` and the instanceId as SPEC K1
 * keys rows, else `self` for the gateway's own row, else `row:` and the row's fields; a second row with
 * the same key gets `#1`, and so on.
 */
export function rowKeys(sorted: readonly PresenceEntry[]): string[] {
  const seen = new Map<string, number>();
  return sorted.map((entry) => {
    const base = isSelf(entry)
      ? "self"
      : entry.instanceId !== undefined
        ? `id:${text(entry.instanceId).trim().toLowerCase()}`
        : `row:${[entry.host, entry.mode, entry.ip, entry.platform].map(text).join("|")}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  });
}

/**
 * A report of the last input: `seconds` idle (`lastInputSeconds`) at `at` (ms, gateway clock: the `ts`
 * of the update that brought it). `exact`: the page saw that update come, so `at` is the report's time;
 * otherwise `at` is the row's `ts` when the page first listed it, which a keep-alive may have moved
 * after the report (SPEC P7): the input was then earlier.
 */
export interface InputReport {
  seconds: number;
  at: number;
  exact: boolean;
}

/** Where the page keeps the reports it saw (src/web/input-reports.ts): the report of a row, by key. */
export interface InputReports {
  get(key: string, entry: PresenceEntry): InputReport | undefined;
}

/** The report a row carries as it is: `lastInputSeconds` at its `ts` (not known to be the report's time). */
export function reportOf(entry: PresenceEntry): InputReport | undefined {
  const seconds = entry.lastInputSeconds;
  return Number.isFinite(seconds) && Number.isFinite(entry.ts) ? { seconds: seconds!, at: entry.ts, exact: false } : undefined;
}

/** Last input's tooltip: the report; one found listed may be older than its ts (a keep-alive's, SPEC P7). */
const reportTitle = (r: InputReport) => `reported ${r.seconds} s idle at ${formatInstant(r.at)}${r.exact ? "" : " or earlier (ts may be a keep-alive's)"}`;

/** A row this close to its TTL says in its Age cell when it expires ("2m 40s · expires in 20s"). */
export const EXPIRY_NOTE_MS = 30_000;

/**
 * Display rows, newest `ts` first (SPEC M1 order, kept when the list is re-sorted here). `ttlMs`: the
 * gateway's TTL when it says it (hello-ok's policy.presenceTtlMs; OpenClaw does not), for when a row
 * not updated again expires (SPEC S1).
 */
export function displayRows(entries: readonly PresenceEntry[], gatewayNow: number, ttlMs?: number, inputs?: InputReports): DisplayRow[] {
  const sorted = newestFirst(entries);
  const keys = rowKeys(sorted);
  return sorted.map((entry, i) => {
    const ageMs = presenceAge(entry, gatewayNow);
    const key = keys[i];
    const input = inputs?.get(key, entry) ?? reportOf(entry);
    // Idle now: the seconds reported plus the time since that report (on the gateway's clock).
    const idleMs = input && Number.isFinite(ageMs) ? input.seconds * 1000 + Math.max(0, gatewayNow - input.at) : undefined;
    const host = hostCell(entry);
    const instanceId = text(entry.instanceId);
    // A self row never expires (SPEC P1); an open connection's row is refreshed by its keep-alives (P7).
    const leftMs = ttlMs! > 0 && Number.isFinite(ttlMs) && !isSelf(entry) && Number.isFinite(ageMs) ? Math.max(0, ttlMs! - ageMs) : undefined;
    const expiry = leftMs === undefined ? "" : `expires in ${formatAge(leftMs)}`;
    return {
      key,
      status: presenceStatus(entry, gatewayNow),
      host,
      hostIsInstanceId: entry.host === undefined && entry.instanceId !== undefined,
      ip: text(entry.ip),
      mode: text(entry.mode),
      version: text(entry.version),
      platform: text(entry.platform),
      lastInput: idleMs === undefined ? text(entry.lastInputSeconds) : `${formatAge(idleMs)} ago`,
      reason: text(entry.reason),
      roles: Array.isArray(entry.roles) ? entry.roles.map(text).join(", ") : text(entry.roles),
      age: Number.isFinite(ageMs) ? `${formatAge(ageMs)}${leftMs !== undefined && leftMs <= EXPIRY_NOTE_MS ? ` · ${expiry}` : ""}` : "",
      ageMs: Number.isFinite(ageMs) ? ageMs : NaN,
      idleMs: idleMs ?? NaN,
      inputAt: idleMs === undefined ? NaN : input!.at - input!.seconds * 1000,
      inputSeconds: input?.seconds ?? NaN,
      instanceId,
      titles: {
        host: entry.instanceId ? `instanceId ${instanceId}${entry.host === undefined ? " (the row has no host)" : ""}` : "",
        platform: [entry.deviceFamily, entry.modelIdentifier].filter(Boolean).map(text).join(" · "),
        lastInput: entry.lastInputSeconds === undefined ? "" : input ? reportTitle(input) : `reported ${text(entry.lastInputSeconds)}`,
        age: Number.isFinite(entry.ts)
          ? `last update ${formatInstant(entry.ts)} (gateway clock)${expiry && `; ${expiry} unless updated (TTL ${formatAge(ttlMs!)})`}`
          : `ts ${entry.ts === undefined ? "absent" : `${quotedFieldText(entry.ts)}: not a time`} (a non-conforming row)`,
      },
    };
  });
}

export function matchesFilters(row: DisplayRow, filters: Filters): boolean {
  if (filters.mode !== "" && row.mode !== filters.mode) return false;
  if (filters.status !== "" && row.status !== filters.status) return false;
  const needle = filters.host.trim().toLowerCase();
  return needle === "" || [row.host, row.instanceId, row.ip].some((field) => field.toLowerCase().includes(needle));
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const byNumber = (a: number, b: number) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);

/**
 * The rows in the order asked: by a column's text (any letter case, numbers in it by value: `10.0.0.9`
 * before `10.0.0.10`, `2026.1.30` before `2026.9.6`), by age or idle time, or by status (Active, Idle,
 * Stale). Ties keep the given order (newest first); empty cells and rows without a usable ts go last.
 */
export function sortRows(rows: readonly DisplayRow[], sort: Sort): DisplayRow[] {
  const { column, descending } = sort;
  const compare = (a: DisplayRow, b: DisplayRow): number => {
    if (column === "age") return byNumber(a.ageMs, b.ageMs);
    if (column === "lastInput") return byNumber(a.idleMs, b.idleMs);
    if (column === "status") return STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status);
    return collator.compare(a[column], b[column]);
  };
  const empty = (row: DisplayRow) => (column === "age" ? Number.isNaN(row.ageMs) : column === "lastInput" ? Number.isNaN(row.idleMs) : column !== "status" && row[column] === "");
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      const [ea, eb] = [empty(a.row), empty(b.row)];
      if (ea !== eb) return ea ? 1 : -1;
      return (descending ? -compare(a.row, b.row) : compare(a.row, b.row)) || a.i - b.i;
    })
    .map(({ row }) => row);
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
