/** The assertions of a `list` step over the rows `system-presence` returned. */
import { isOperatorMatcher, matchExact, matches, show, match, type Mismatch } from "./matchers.js";
import type { ListStep } from "../scenario/steps.js";
import { PRESENCE_ENTRY_FIELDS } from "../../protocol/presence.js";

export type Row = Record<string, unknown>;

export function isSelf(row: Row): boolean {
  return row.reason === "self";
}

/** Identity of a row across listings: its instanceId (case-insensitive), the self row, else its fields. */
export function rowKey(row: Row): string {
  if (typeof row.instanceId === "string" && row.instanceId.trim()) return `id:${row.instanceId.trim().toLowerCase()}`;
  if (isSelf(row)) return "self";
  const { ts: _ts, reason: _reason, ...rest } = row;
  return `row:${JSON.stringify(rest)}`;
}

function withoutTs(row: Row): Row {
  const { ts: _ts, ...rest } = row;
  return rest;
}

const CONTRACT_FIELDS: ReadonlySet<string> = new Set(PRESENCE_ENTRY_FIELDS);

/**
 * A row as `equals` compares it: without `ts`, and without the fields beyond the contract that no
 * expected row names. Those are wire-format findings (W2, reported once per kind), and SPEC §11 says
 * a wire-format finding does not change the verdict of the behaviour rule a scenario checks.
 */
function comparedRow(row: Row, named: ReadonlySet<string>): Row {
  return Object.fromEntries(Object.entries(withoutTs(row)).filter(([k]) => CONTRACT_FIELDS.has(k) || named.has(k)));
}

function checkEquals(expected: unknown[], rows: Row[]): Mismatch[] {
  const named = new Set(expected.flatMap((e) => (e !== null && typeof e === "object" && !Array.isArray(e) ? Object.keys(e) : [])));
  const unused = rows.map((row) => comparedRow(row, named));
  const missing: unknown[] = [];
  for (const e of expected) {
    const at = unused.findIndex((r) => matchExact(e, r).length === 0);
    if (at === -1) missing.push(e);
    else unused.splice(at, 1);
  }
  const out: Mismatch[] = [];
  // Each expected row without its exact row names the fields where the nearest unexpected row differs.
  for (const e of missing) {
    const nearest = nearestRow(e, unused, exactDifferences);
    out.push({ path: "/equals", message: `no exact row (ts and fields beyond the contract ignored) for ${show(e)}${nearest ? `; ${nearest}` : ""}` });
  }
  if (unused.length) out.push({ path: "/equals", message: `unexpected row(s) ${unused.map(show).join(", ")}` });
  return out;
}

function checkSorted(rows: Row[]): Mismatch[] {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1].ts;
    const b = rows[i].ts;
    if (typeof a !== "number" || typeof b !== "number" || a < b) {
      return [{ path: `/${i}/ts`, message: `rows are not newest ts first: row ${i - 1} has ts ${show(a)}, row ${i} has ${show(b)}` }];
    }
  }
  return [];
}

/**
 * The rows of `before` missing from `after`. Rows that share a rowKey (no instanceId, same fields) are
 * matched by count, and within a key by `ts`, so which of two alike rows went is still seen.
 */
function goneRows(before: Row[], after: Row[]): Row[] {
  const groups = new Map<string, { before: Row[]; after: Row[] }>();
  const group = (row: Row) => groups.get(rowKey(row)) ?? groups.set(rowKey(row), { before: [], after: [] }).get(rowKey(row))!;
  for (const r of before) group(r).before.push(r);
  for (const r of after) group(r).after.push(r);
  const gone: Row[] = [];
  for (const g of groups.values()) {
    const missing = g.before.length - g.after.length;
    if (missing <= 0) continue;
    const kept = g.after.map((r) => r.ts);
    const unmatched = g.before.filter((r) => {
      const at = kept.indexOf(r.ts);
      if (at === -1) return true;
      kept.splice(at, 1);
      return false;
    });
    const byAge = (rows: Row[]) => [...rows].sort((a, b) => Number(a.ts) - Number(b.ts));
    gone.push(...[...byAge(unmatched), ...byAge(g.before)].filter((r, i, all) => all.indexOf(r) === i).slice(0, missing));
  }
  return gone;
}

/**
 * SPEC S2: a new key into a full list evicts the one row with the oldest ts, never self. Rows are told
 * apart by rowKey; rows that share one (two rows without instanceId and with the same fields) are
 * counted, so one of them going is seen. A row older than the one evicted fails the check only when
 * it was certainly older when the new key came; see evictionUnknown for when that cannot be known.
 */
function checkEvictedOldest(before: Row[], rows: Row[]): Mismatch[] {
  const removed = goneRows(before, rows);
  const candidates = before.filter((r) => !isSelf(r) && typeof r.ts === "number");
  const oldest = Math.min(...candidates.map((r) => r.ts as number));
  if (removed.length !== 1) {
    return [{ path: "/evicted", message: `expected exactly one row evicted, ${removed.length} are gone: ${removed.slice(0, 5).map(show).join(", ")}` }];
  }
  const [gone] = removed;
  if (isSelf(gone)) return [{ path: "/evicted", message: "the self row was evicted (SPEC P1, S2: never self)" }];
  if (gone.ts === oldest || olderAtEviction(before, rows, gone).certain.length === 0) return [];
  return [{ path: "/evicted", message: `evicted a row with ts ${show(gone.ts)}, but the oldest had ts ${oldest}: ${show(gone)}` }];
}

/**
 * The rows of `before` older than `gone`, split by what `after` shows of them. A row's ts only grows
 * (K3, P7), so when the new key came a row's ts was at most its ts in `after`, and gone's at least its
 * ts in `before`: a row listed in `after` with a ts below gone's was certainly older (`certain`). The
 * others (`refreshed`) were refreshed after `before` was listed (a keep-alive, SPEC P7, may do it at
 * any time), perhaps before the new key came: then they were newer than gone, and evicting it was right.
 */
function olderAtEviction(before: Row[], after: Row[], gone: Row): { certain: Row[]; refreshed: { row: Row; now: Row }[] } {
  const goneTs = gone.ts as number;
  const certain: Row[] = [];
  const refreshed: { row: Row; now: Row }[] = [];
  for (const row of before) {
    if (row === gone || isSelf(row) || typeof row.ts !== "number" || row.ts >= goneTs) continue;
    const same = after.filter((r) => rowKey(r) === rowKey(row));
    const now = same.find((r) => r.ts === row.ts) ?? (same.length === 1 ? same[0] : undefined);
    if (now === undefined || typeof now.ts !== "number" || now.ts < goneTs) certain.push(row);
    else refreshed.push({ row, now });
  }
  return { certain, refreshed };
}

/**
 * When `evictedOldestSince` cannot be judged: the one row gone since `before` was not its oldest, but
 * every row older than it has been refreshed since (`after` lists it with a ts at or above the gone
 * row's), so it may have been newer when the new key came, and the eviction right (SPEC P7: keep-alive
 * refreshes an open connection's row whenever it answers). Undefined when the check can judge.
 */
export function evictionUnknown(before: Row[], after: Row[]): string | undefined {
  const removed = goneRows(before, after);
  if (removed.length !== 1 || isSelf(removed[0]) || typeof removed[0].ts !== "number") return undefined;
  const [gone] = removed;
  const { certain, refreshed } = olderAtEviction(before, after, gone);
  if (certain.length > 0 || refreshed.length === 0) return undefined;
  const shown = refreshed.slice(0, 3).map(({ row, now }) => `${rowName(row)} (ts ${show(row.ts)} then, ${show(now.ts)} now)`);
  const more = refreshed.length > 3 ? `, and ${refreshed.length - 3} more` : "";
  const were = refreshed.length === 1 ? "was older then and has been" : "were older then and have been";
  return (
    `${rowName(gone)} (ts ${gone.ts}) was evicted, and ${shown.join(", ")}${more} ${were} refreshed since: ` +
    "which row was the oldest when the new key came is not known (a refresh before it made the evicted row the oldest)"
  );
}

/** A row named for a reader: the self row, by instanceId, by host, else by its fields. */
function rowName(row: Row): string {
  if (isSelf(row)) return "the self row";
  if (typeof row.instanceId === "string") return `the row of instanceId ${JSON.stringify(row.instanceId)}`;
  if (typeof row.host === "string") return `the row with host ${JSON.stringify(row.host)} (no instanceId)`;
  return `the row ${show(row)}`;
}

/**
 * A ListAssumption's `oldest` (a scenario's premise, not a rule): undefined when the one non-self row
 * with the oldest numeric `ts` matches `matcher`, else what the rows show instead, in words:
 * `the oldest non-self row is the row of instanceId "r-s2-0" (ts 1000), not one matching {...}: the
 * row of instanceId "r-s2-victim" has ts 1800 (800 ms newer)`.
 */
export function oldestMismatch(matcher: unknown, rows: Row[]): string | undefined {
  const dated = rows.filter((r) => !isSelf(r) && typeof r.ts === "number");
  if (dated.length === 0) return `no non-self row has a numeric ts, so none is the oldest matching ${show(matcher)}`;
  const oldestTs = Math.min(...dated.map((r) => r.ts as number));
  const oldest = dated.filter((r) => r.ts === oldestTs);
  const wanted = dated.find((r) => matches(matcher, r));
  if (oldest.length === 1 && wanted === oldest[0]) return undefined;
  if (wanted?.ts === oldestTs) return `${rowName(wanted)} has the oldest ts (${oldestTs}), but so ${oldest.length === 2 ? "does 1 other non-self row" : `do ${oldest.length - 1} other non-self rows`} (${oldest.filter((r) => r !== wanted).slice(0, 3).map(rowName).join(", ")}${oldest.length > 4 ? ", ..." : ""})`;
  const first = `the oldest non-self row is ${rowName(oldest[0])} (ts ${oldestTs}${oldest.length > 1 ? `, like ${oldest.length - 1} other rows` : ""}), not one matching ${show(matcher)}`;
  if (!wanted) return `${first}: no row matches it`;
  const newer = dated.filter((r) => (r.ts as number) < (wanted.ts as number)).length;
  return `${first}: ${rowName(wanted)} has ts ${show(wanted.ts)} (${(wanted.ts as number) - oldestTs} ms newer; ${newer} row${newer === 1 ? " is" : "s are"} older)`;
}

/** Where a row differs from a matcher, one Mismatch per place, paths from the row's root (`/ip`). */
type Differences = (matcher: Row, row: Row) => Mismatch[];

/** `equals`: the matcher's differences, and each field the row has that the expected row does not. */
const exactDifferences: Differences = (matcher, row) => [
  ...match(matcher, row),
  ...Object.keys(row)
    .filter((k) => !(k in matcher))
    .map((k) => ({ path: `/${k}`, message: `not in the expected row, got ${show(row[k])}` })),
];

/**
 * Where the row closest to a `contains` matcher (or to an `equals` row, with `exactDifferences`)
 * differs from it, so a failure names the field that is wrong (an `ip` that is a host name, a field
 * the gateway added) instead of only the whole matcher. The caller passes the rows
 * the step's `where` selects first, then every row; the closest has the fewest fields that differ
 * (the newest of equals). Undefined when no candidate agrees on any field of the matcher.
 */
function nearestRow(matcher: unknown, candidates: Row[], differences: Differences = match): string | undefined {
  if (matcher === null || typeof matcher !== "object" || Array.isArray(matcher) || isOperatorMatcher(matcher)) return undefined;
  // Counted per top-level field: one field can differ in several places (an array's items).
  let best: { row: Row; differences: Mismatch[]; fields: number } | undefined;
  for (const row of candidates) {
    const found = differences(matcher as Row, row);
    const differing = new Set(found.map((d) => d.path.split("/")[1]));
    const agrees = Object.keys(matcher).some((k) => !differing.has(k));
    if (agrees && differing.size < (best?.fields ?? Infinity)) best = { row, differences: found, fields: differing.size };
  }
  if (best === undefined) return undefined;
  const shown = best.differences.slice(0, 3).map((d) => `${d.path}: ${d.message}`);
  const more = best.differences.length > 3 ? `, and ${best.differences.length - 3} more` : "";
  return `nearest: ${rowName(best.row)}, which differs at ${shown.join("; ")}${more}`;
}

export function checkListRows(step: ListStep, rows: Row[], before?: Row[]): Mismatch[] {
  const out: Mismatch[] = [];
  const where = step.where === undefined ? [] : rows.filter((r) => matches(step.where, r));
  step.contains?.forEach((m, i) => {
    if (rows.some((r) => matches(m, r))) return;
    const nearest = (where.length > 0 ? nearestRow(m, where) : undefined) ?? nearestRow(m, rows);
    out.push({ path: `/contains/${i}`, message: `no row matches ${show(m)}${nearest ? `; ${nearest}` : ""}` });
  });
  step.notContains?.forEach((m, i) => {
    const hit = rows.find((r) => matches(m, r));
    if (hit) out.push({ path: `/notContains/${i}`, message: `a row matches ${show(m)}: ${show(hit)}` });
  });
  const selected = step.where === undefined ? rows : where;
  if (step.count !== undefined) {
    const counted = match(step.count, selected.length, "/count");
    out.push(...counted.map((m) => ({ ...m, message: `${m.message} (${step.where === undefined ? "all rows" : `rows matching ${show(step.where)}`})` })));
  }
  if (step.equals !== undefined) out.push(...checkEquals(step.equals, selected));
  if (step.sorted) out.push(...checkSorted(rows));
  if (before) out.push(...checkEvictedOldest(before, rows));
  return out;
}
