/**
 * analyze(observation) -> report: runs every check on every list the gateway sent (the listing,
 * each push, the final listing), merges what several lists show into one finding, and adds the
 * clock and push findings. Pure: no I/O, no clock of its own.
 */
import { entryTs, fieldText, presenceStatus } from "../client/status.js";
import type { PresenceEntry } from "../protocol/presence.js";
import { addressFindings } from "./addresses.js";
import type { Draft, ListCheck, ListView } from "./check.js";
import { clockSamples, estimateOffset, offsetInterval, type ClockSample } from "./clock.js";
import { duplicateFindings } from "./duplicates.js";
import { healthFindings } from "./health.js";
import { impossibleRowFindings } from "./impossible-rows.js";
import { pushFindings } from "./pushes.js";
import { formatMs, isSelfRow } from "./rows.js";
import { clockFinding, staleByRows, timeFindings } from "./time.js";
import {
  DOCTOR_DEFAULTS,
  SEVERITIES,
  type ClockEstimate,
  type DoctorOptions,
  type DoctorReport,
  type Finding,
  type Observation,
  type ResolvedDoctorOptions,
} from "./types.js";

/** The checks run on each list, in report order within a severity. */
export const LIST_CHECKS: readonly ListCheck[] = [duplicateFindings, impossibleRowFindings, addressFindings, timeFindings];

interface RawView {
  source: string;
  entries: PresenceEntry[];
  localFrom: number;
  localTo: number;
}

export function analyze(obs: Observation, options: DoctorOptions = {}): DoctorReport {
  const opts = resolveDoctorOptions(options);
  const samples = clockSamples(obs);
  const ticks = samples.filter((s) => s.kind === "tick");
  const tickClock = ticks.length > 0 ? estimateOffset(ticks) : undefined;

  const raw = rawViews(obs);
  const stale = new Map(raw.map((v) => [v.source, staleByRows(v.entries, opts.toleranceMs) ?? staleByTicks(v, tickClock, opts.toleranceMs)]));
  // Self-row samples count only from lists whose self row is fresh; hello-ok's goes with the listing's.
  const freshSelf = new Set(raw.filter((v) => v.entries.some(isSelfRow) && !stale.get(v.source)).map((v) => v.source));
  if (freshSelf.has("list")) freshSelf.add("hello-ok");
  const clock = estimateOffset(samples.filter((s) => s.kind === "tick" || freshSelf.has(s.label)));

  const views: ListView[] = raw.map((v) => ({
    source: v.source,
    entries: v.entries,
    selfStale: stale.get(v.source),
    gatewayNow: gatewayNowOf(v, stale.get(v.source) !== undefined, clock),
    options: opts,
  }));

  const findings = merge([
    ...views.map((view) => ({ source: view.source, drafts: LIST_CHECKS.flatMap((check) => check(view)) })),
    { source: "clock", drafts: clockFinding(clock, obs, opts) },
    { source: "watch", drafts: pushFindings(obs) },
    { source: "healthz", drafts: healthFindings(obs) },
  ]);
  const main = views[0];
  return {
    gateway: {
      url: obs.url,
      binding: obs.binding,
      protocol: obs.hello.protocol,
      serverVersion: obs.hello.serverVersion,
      testMode: obs.hello.methods.includes("test.clock.advance"),
    },
    readAt: new Date(obs.list.receivedAt).toISOString(),
    gatewayNow: main.gatewayNow,
    clock: { offsetMs: clock.offsetMs, uncertaintyMs: clock.uncertaintyMs, basis: clock.basis },
    summary: summarize(obs.list.entries, main.gatewayNow),
    watch: { ms: obs.watchMs, pushes: obs.pushes.length, ticks: obs.ticks.length, ...(obs.watchError ? { error: obs.watchError } : {}) },
    findings,
    worst: findings.length > 0 ? findings[0].severity : null,
    list: obs.list.entries,
  };
}

export function resolveDoctorOptions(options: DoctorOptions = {}): ResolvedDoctorOptions {
  const resolved = { ...DOCTOR_DEFAULTS };
  for (const key of Object.keys(DOCTOR_DEFAULTS) as Array<keyof ResolvedDoctorOptions>) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < (key === "maxEntries" || key === "ttlMs" ? 1 : 0)) {
      throw new RangeError(`doctor: ${key} must be a finite number >= ${key === "maxEntries" || key === "ttlMs" ? 1 : 0}, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

function rawViews(obs: Observation): RawView[] {
  const rtt = Math.max(0, obs.list.receivedAt - obs.list.sentAt);
  return [
    { source: "list", entries: obs.list.entries, localFrom: obs.list.sentAt, localTo: obs.list.receivedAt },
    ...obs.pushes.map((p, i) => ({ source: `push ${i + 1}`, entries: p.presence, localFrom: p.receivedAt - rtt, localTo: p.receivedAt })),
    ...(obs.final ? [{ source: "final list", entries: obs.final.entries, localFrom: obs.final.sentAt, localTo: obs.final.receivedAt }] : []),
  ];
}

/** The self row against the gateway's ticks: older than the tick clock allows means stale. */
function staleByTicks(view: RawView, tickClock: ReturnType<typeof estimateOffset> | undefined, toleranceMs: number): ListView["selfStale"] {
  const self = view.entries.find(isSelfRow);
  const selfTs = self && entryTs(self);
  if (!self || selfTs === undefined || tickClock?.lo === undefined) return undefined;
  const sample: ClockSample = { label: view.source, gatewayTs: selfTs, localFrom: view.localFrom, localTo: view.localTo, kind: "self" };
  const [, hi] = offsetInterval(sample);
  if (hi + toleranceMs >= tickClock.lo) return undefined;
  return { note: `its ts is ${formatMs(tickClock.lo - hi)} behind the gateway's clock as its ticks tell it`, evidence: [self] };
}

function gatewayNowOf(view: RawView, selfStale: boolean, clock: ClockEstimate): number | null {
  const self = view.entries.find(isSelfRow);
  const selfTs = self && entryTs(self);
  if (selfTs !== undefined && !selfStale) return selfTs;
  if (clock.offsetMs === null) return null;
  return Math.round((view.localFrom + view.localTo) / 2 + clock.offsetMs);
}

/** Drafts of one id and subject from several lists become one finding, seen in each of them. */
function merge(batches: Array<{ source: string; drafts: Draft[] }>): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const { source, drafts } of batches) {
    for (const { subject, ...draft } of drafts) {
      const key = `${draft.id}\u0000${subject}`;
      const known = byKey.get(key);
      if (known) {
        if (!known.seenIn.includes(source)) known.seenIn.push(source);
      } else byKey.set(key, { ...draft, seenIn: [source] });
    }
  }
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  return [...byKey.values()].sort((a, b) => rank(b) - rank(a));
}

function summarize(entries: readonly PresenceEntry[], gatewayNow: number | null): DoctorReport["summary"] {
  const now = gatewayNow ?? Math.max(...entries.map((row) => entryTs(row) ?? -Infinity));
  const status = { Active: 0, Idle: 0, Stale: 0 };
  const mode: Record<string, number> = {};
  for (const row of entries) {
    status[presenceStatus(row, now)]++;
    const m = fieldText(row.mode) ?? "(none)";
    mode[m] = (mode[m] ?? 0) + 1;
  }
  return { rows: entries.length, status, mode };
}
