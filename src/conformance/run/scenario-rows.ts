/**
 * Which pushed `presence` events concern the running scenario (steps with `rows: "scenario"`).
 *
 * A gateway's list is shared: other clients (on a real OpenClaw gateway), the rows of earlier
 * scenarios (their disconnects may land late) and the observer's own connect (a round pushed after
 * its hello-ok snapshot, which already held the row) all cause pushes at any time, and under load
 * one may arrive after any quiet window. Such a push is not evidence about the step, so these steps
 * judge each event by what it changes against the list the observer held just before it (its
 * hello-ok snapshot or the previous `presence` event): an event counts when it adds, removes or
 * changes a row of the scenario (the self row, or a row holding a value this scenario sent that
 * carries the run id: an instanceId, a displayName, a beacon's text or host). The others are
 * reported with the check as unrelated traffic, never dropped.
 */
import { isSelf, rowKey, type Row } from "../checks/list-checks.js";
import type { Received } from "./wire.js";

/** The list a frame carries: a hello-ok's snapshot or a `presence` event's rows. */
export function presenceListOf(r: Received): Row[] | undefined {
  const { frame } = r;
  const rows =
    frame.kind === "event" && frame.event === "presence"
      ? (frame.payload as { presence?: unknown } | null)?.presence
      : frame.kind === "result" && (frame.result as { type?: unknown } | null)?.type === "hello-ok"
        ? (frame.result as { snapshot?: { presence?: unknown } }).snapshot?.presence
        : undefined;
  return Array.isArray(rows) ? rows.filter((row): row is Row => typeof row === "object" && row !== null && !Array.isArray(row)) : undefined;
}

/** A row as compared: the self row's `ts` (the gateway's clock at each read) left out. */
function comparable(row: Row): string {
  const { ts, ...rest } = row;
  return JSON.stringify(isSelf(row) ? rest : { ...rest, ts });
}

/** Rows added or changed (as they are now) and removed or changed (as they were) from `before` to `after`. */
export function changedRows(before: Row[], after: Row[]): Row[] {
  const left = new Map<string, number>();
  for (const row of before) left.set(comparable(row), (left.get(comparable(row)) ?? 0) + 1);
  const changed: Row[] = [];
  for (const row of after) {
    const n = left.get(comparable(row)) ?? 0;
    if (n > 0) left.set(comparable(row), n - 1);
    else changed.push(row);
  }
  for (const row of before) {
    const n = left.get(comparable(row)) ?? 0;
    if (n > 0) {
      left.set(comparable(row), n - 1);
      changed.push(row);
    }
  }
  return changed;
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

/**
 * The values a scenario sent that carry the run id (trimmed, lower case), read from its sent frames:
 * what its rows hold (instanceIds, displayNames, texts, hosts).
 */
export function sentRunValues(sentText: string, runId: string, into: Set<string>): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(sentText);
  } catch {
    return; // a malformed frame a scenario sent on purpose plants no row
  }
  const id = runId.toLowerCase();
  for (const s of strings(parsed)) {
    const value = s.trim().toLowerCase();
    if (value.includes(id)) into.add(value);
  }
}

/** The self row, or a row holding (in any string field, case-insensitively) a value the scenario sent. */
export function isScenarioRow(row: Row, sent: ReadonlySet<string>): boolean {
  if (isSelf(row)) return true;
  return strings(row).some((s) => {
    const value = s.toLowerCase();
    for (const v of sent) if (value.includes(v)) return true;
    return false;
  });
}

export interface JudgedEvents {
  /** Events that add, remove or change a row of the scenario. */
  related: Received[];
  /** The others, each with what it changed (row keys), for the report. */
  unrelated: { event: Received; changed: string[] }[];
}

/**
 * Sorts `events` (presence events of `received`, in order) into related and unrelated traffic, each
 * compared with the list received just before it. An event with no list before it (no hello-ok
 * seen) counts as related.
 */
export function judgeEvents(received: readonly Received[], events: readonly Received[], sent: ReadonlySet<string>): JudgedEvents {
  const judged: JudgedEvents = { related: [], unrelated: [] };
  const wanted = new Set(events);
  let before: Row[] | undefined;
  for (const r of received) {
    const list = presenceListOf(r);
    if (wanted.has(r)) {
      const changed = list && before ? changedRows(before, list) : undefined;
      if (!changed || changed.some((row) => isScenarioRow(row, sent))) judged.related.push(r);
      else judged.unrelated.push({ event: r, changed: [...new Set(changed.map(rowKey))] });
    }
    if (list) before = list;
  }
  return judged;
}
