/**
 * Time and size (SPEC P1, K3, S1, S2, C1): the self row missing or not fresh, `ts` ahead of the
 * gateway's clock, rows older than the TTL still listed, more rows than the cap (or a list at it, as
 * information), and the offset between the gateway's clock and this machine's.
 */
import type { PresenceEntry } from "../protocol/presence.js";
import type { Draft, ListView } from "./check.js";
import { entryTs, fieldText, formatAge } from "../client/status.js";
import { formatMs, isSelfRow, plural } from "./rows.js";
import type { ClockEstimate, Observation, ResolvedDoctorOptions } from "./types.js";

/**
 * SPEC P1 says the self row's ts is the gateway's time in every listing, so no other row can be
 * newer. When most other rows are newer than it, the self row is the odd one out (stale); when only
 * a few are, those rows are the odd ones (ts in the future, see timeFindings).
 */
export function staleByRows(entries: readonly PresenceEntry[], toleranceMs: number): ListView["selfStale"] {
  const self = entries.find(isSelfRow);
  if (!self || entryTs(self) === undefined) return undefined;
  const others = timedOthers(entries);
  const newer = others.filter((row) => row.ts > self.ts + toleranceMs);
  if (newer.length === 0 || newer.length * 2 <= others.length) return undefined;
  const newest = newer.reduce((a, b) => (b.ts > a.ts ? b : a));
  return {
    note: `${plural(newer.length, "row is", "rows are")} newer than the self row, by up to ${formatMs(newest.ts - self.ts)}`,
    evidence: [self, newest],
  };
}

export function timeFindings(view: ListView): Draft[] {
  const { entries, options } = view;
  const drafts: Draft[] = [];
  const self = entries.find(isSelfRow);
  if (!self) {
    drafts.push({
      id: "self-row-missing",
      rule: "P1",
      severity: "error",
      subject: "",
      title: "the gateway's own row is missing",
      detail:
        "The gateway seeds a row for itself (reason self, mode gateway) at start-up, and it is in every listing: " +
        "it is how an Instances view shows the gateway host before any client connects.",
      advice: "Gateway: seed the self row at start-up and never expire, evict or hide it (SPEC P1, S2).",
      evidence: [],
    });
  } else if (view.selfStale) {
    drafts.push({
      id: "self-row-stale",
      rule: "P1",
      severity: "error",
      subject: "",
      title: "the gateway's own row is not fresh",
      detail: `Its ts should be the gateway's time in every listing, but ${view.selfStale.note}.`,
      advice:
        "Gateway: refresh the self row's ts whenever it lists (SPEC P1); otherwise consumers show the gateway itself as Idle, then Stale.",
      evidence: view.selfStale.evidence.map((row) => ({ row })),
    });
  }

  const now = view.gatewayNow;
  const others = timedOthers(entries);
  if (now !== null) {
    const ahead = others.filter((row) => row.ts > now + options.toleranceMs);
    if (ahead.length > 0) {
      drafts.push({
        id: "ts-in-future",
        rule: "K3",
        severity: "error",
        subject: "",
        title: `${plural(ahead.length, "row has its", "rows have their")} ts in the future`,
        detail:
          "Every write stamps ts with the gateway's own clock, so no row can be newer than the listing. These rows were " +
          "stamped by another clock (a cluster node whose clock runs ahead, or a client's ts taken as is).",
        advice:
          "Gateway: stamp ts with one clock (the gateway's, or the shared store's) on every write (SPEC K3), and keep the nodes of a cluster on NTP. " +
          "Until then such rows look Active for too long and outlive the TTL.",
        // Their AGE reads negative (-10m 0s): how far ahead each is, without a note repeating it.
        evidence: ahead.map((row) => ({ row })),
      });
    }
  }

  // Ages are lower bounds when the gateway's time is unknown: measured from the newest row.
  const ageFrom = now ?? Math.max(...entries.map((row) => entryTs(row) ?? -Infinity));
  const expired = others.filter((row) => ageFrom - row.ts > options.ttlMs + options.toleranceMs);
  if (expired.length > 0) {
    drafts.push({
      id: "rows-past-ttl",
      rule: "S1",
      severity: "error",
      subject: "",
      title: `${plural(expired.length, "row is", "rows are")} older than the TTL (${formatMs(options.ttlMs)}) and still listed`,
      detail:
        "Rows whose ts is older than the TTL are removed, also when nobody lists; a gateway that keeps them shows clients " +
        "that left long ago, and the list grows towards the cap.",
      advice:
        "Gateway: expire rows older than the TTL (SPEC S1) and tell observers. If this gateway runs with another TTL, " +
        "pass it as --ttl-ms.",
      evidence: expired.map((row) => ({ row, note: `${formatAge(ageFrom - row.ts - options.ttlMs)} past the TTL${now === null ? " at least" : ""}` })),
    });
  }

  if (entries.length > options.maxEntries) {
    const over = entries.length - options.maxEntries;
    const oldest = oldestFirst(others).slice(0, over);
    drafts.push({
      id: "rows-over-cap",
      rule: "S2",
      severity: "error",
      subject: "",
      title: `${entries.length} rows listed, more than the cap of ${options.maxEntries}`,
      detail: `The list holds at most ${options.maxEntries} rows, self included; inserting a new key when full evicts the row with the oldest ts.`,
      advice:
        "Gateway: evict the oldest row (never self) before inserting a new key into a full list (SPEC S2, B2). " +
        "If this gateway runs with another cap, pass it as --max-entries.",
      evidence: oldest.map((row) => ({ row, note: "oldest: should have been evicted" })),
    });
  }
  if (entries.length === options.maxEntries) {
    // Not a fault: a full list is what S2 allows. But from here every new key evicts a row, live or
    // not, which an operator wants to know before clients start to vanish from the list.
    const oldest = oldestFirst(others)[0];
    drafts.push({
      id: "rows-at-cap",
      rule: "S2",
      severity: "info",
      subject: "",
      title: `the list is full: ${entries.length} of ${options.maxEntries} rows`,
      detail:
        `The list holds at most ${options.maxEntries} rows, self included, and holds that many now: each new key evicts ` +
        "the row with the oldest ts, whether its client is still connected or not.",
      advice:
        "Gateway: raise the cap (the reference gateway's maxEntries) if this many clients are expected; clients that beacon " +
        "rarely are the first to be evicted. If this gateway runs with another cap, pass it as --max-entries.",
      evidence: oldest ? [{ row: oldest, note: "oldest: evicted by the next new key" }] : [],
    });
  }
  return drafts;
}

/** The rows other than self whose ts is a finite number: a mistyped ts is its own finding (impossible-rows.ts), not an age. */
function timedOthers(entries: readonly PresenceEntry[]): PresenceEntry[] {
  return entries.filter((row) => !isSelfRow(row) && entryTs(row) !== undefined);
}

/** Rows in eviction order (SPEC S2): oldest ts first. Listings are newest first, so among rows of equal ts the later one in the list was written earlier. */
function oldestFirst(rows: readonly PresenceEntry[]): PresenceEntry[] {
  return [...rows].reverse().sort((a, b) => a.ts - b.ts);
}

/** SPEC C1: consumers compute Active/Idle/Stale from their own clock; an offset shifts every status. */
export function clockFinding(clock: ClockEstimate, obs: Observation, options: ResolvedDoctorOptions): Draft[] {
  if (clock.offsetMs === null || clock.uncertaintyMs === null) return [];
  const beyond = Math.abs(clock.offsetMs) - clock.uncertaintyMs;
  if (beyond <= options.clockOffsetWarnMs) return [];
  const direction = clock.offsetMs > 0 ? "ahead of" : "behind";
  const testMode = obs.hello.methods.includes("test.clock.advance");
  // A cluster's ts never go back (docs/cluster.md): every gateway stamps rows, and its self row, at no
  // less than the latest ts any of them handed out, so one gateway's fast clock moves them all.
  const gateways = obs.list.entries.filter(isSelfRow).map((row) => fieldText(row.instanceId) ?? "?");
  const cluster = obs.health?.store?.shared === true || gateways.length > 1;
  const members = gateways.length > 1 ? ` (${gateways.join(", ")})` : "";
  return [
    {
      id: "clock-offset",
      rule: "C1",
      severity: "warning",
      subject: "",
      title: `the gateway's clock is ${formatMs(Math.abs(clock.offsetMs))} ${direction} this machine's`,
      detail:
        `Measured from ${clock.basis}, within ${formatMs(clock.uncertaintyMs)}. Consumers that compute a row's age from their own clock ` +
        `see every row ${formatMs(Math.abs(clock.offsetMs))} ${clock.offsetMs > 0 ? "younger" : "older"} than it is, which shifts Active/Idle/Stale.` +
        (testMode ? " This gateway is in test mode: test.clock.advance moves its clock ahead on purpose." : "") +
        (cluster
          ? ` This gateway is one of a cluster${members}: its timestamps never go back, so they follow the fastest clock of the cluster's machines, ` +
            "and this gateway's own clock may be right."
          : ""),
      advice: cluster
        ? "Run NTP (or chrony, or systemd-timesyncd) on every machine of the cluster and on this one; when a gateway's clock was ahead, " +
          "the cluster's timestamps stand still until the real time catches up with the latest one handed out."
        : "Run NTP (or chrony, or systemd-timesyncd) on the gateway's machine and on this one.",
      evidence: [],
    },
  ];
}
