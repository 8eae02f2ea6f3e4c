/**
 * SPEC E1 while watching: every change of the list is pushed. The list read at the end of the watch
 * must be what the pushes said (the last push before it, or one that arrived just after it: a
 * coalesced push may trail the answer). Only `ts` may differ, since keep-alives refresh it without
 * a push (SPEC P7), and the self row, whose ts changes with every listing.
 */
import type { PresenceEntry } from "../protocol/presence.js";
import type { Draft } from "./check.js";
import { isSelfRow, plural } from "./rows.js";
import type { Evidence, Observation } from "./types.js";

/** A row without its ts, with its keys in a fixed order, as text. */
function canonical(row: PresenceEntry): string {
  const { ts: _ts, ...rest } = row;
  return JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k as keyof typeof rest]]));
}

function rowsOf(entries: readonly PresenceEntry[]): Map<string, PresenceEntry[]> {
  const out = new Map<string, PresenceEntry[]>();
  for (const row of entries) {
    if (isSelfRow(row)) continue;
    const key = canonical(row);
    out.set(key, [...(out.get(key) ?? []), row]);
  }
  return out;
}

/** Rows of `a` (as multisets) that `b` does not have. */
function missingFrom(a: Map<string, PresenceEntry[]>, b: Map<string, PresenceEntry[]>): PresenceEntry[] {
  return [...a].flatMap(([key, rows]) => rows.slice(b.get(key)?.length ?? 0));
}

export function pushFindings(obs: Observation): Draft[] {
  const final = obs.final;
  if (!final) return [];
  // The states the pushes described: the first listing, then each push. A push that arrived in the
  // same read as the final answer may be counted before it, so one state earlier is allowed too.
  const states = [obs.list.entries, ...obs.pushes.map((push) => push.presence)];
  const lastKnown = states[Math.min(final.pushesBefore, states.length - 1)];
  const listed = rowsOf(final.entries);
  for (const candidate of states.slice(Math.max(0, final.pushesBefore - 1))) {
    const pushed = rowsOf(candidate);
    if (missingFrom(listed, pushed).length === 0 && missingFrom(pushed, listed).length === 0) return [];
  }
  const pushed = rowsOf(lastKnown);
  const evidence: Evidence[] = [
    ...missingFrom(listed, pushed).map((row) => ({ row, note: "listed, but no push said so (new or changed)" })),
    ...missingFrom(pushed, listed).map((row) => ({ row, note: "in the last push (or the first listing), gone from the list" })),
  ];
  return [
    {
      id: "change-not-pushed",
      rule: "E1",
      severity: "error",
      subject: "",
      title:
        obs.pushes.length === 0
          ? `the list changed during the ${obs.watchMs} ms watch, and no presence event was pushed`
          : `the list changed during the watch, and the pushes did not say so (${plural(obs.pushes.length, "push", "pushes")} received)`,
      detail:
        "Every change of the list (connect, beacon, disconnect, expiry, eviction) is pushed as a presence event to every " +
        "connection that may read presence. A client that keeps its view from pushes now shows a wrong list.",
      advice:
        "Gateway: push the list after every change (SPEC E1). Clients, meanwhile: re-read system-presence now and then " +
        "(the SDK's mirror resyncs on gaps, `watch --resync-ms`).",
      evidence,
    },
  ];
}
