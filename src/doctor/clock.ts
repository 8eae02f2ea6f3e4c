/**
 * The gateway's clock against this machine's. Every timestamp the gateway sends with "now" in it is
 * a sample: the self row of a listing, of hello-ok or of a push (fresh in every listing, SPEC P1)
 * and a `tick` (SPEC E3). A sample taken while a request was in flight says the offset lies in
 * [ts - receivedAt, ts - sentAt]; the samples' intervals are intersected (as NTP does with its
 * sources), so the estimate is as good as the fastest round trip. A push or a tick says less: the
 * gateway read its clock before the frame arrived, but maybe long before (OpenClaw 2026.9.6 sends
 * pushes whose self row is some 20 ms old), so it only bounds the offset from below, unless nothing
 * else bounds it from above: then it is taken as sent promptly (within one round trip).
 */
import { entryTs } from "../client/status.js";
import type { PresenceEntry } from "../protocol/presence.js";
import { formatMs, isSelfRow, plural } from "./rows.js";
import type { ClockEstimate, Observation } from "./types.js";

export interface ClockSample {
  /** "list", "hello-ok", "push 2", "tick 1", "final list". */
  label: string;
  gatewayTs: number;
  /** The local interval in which the gateway read its clock. */
  localFrom: number;
  localTo: number;
  /** From a self row (not independent of it) or from a tick. */
  kind: "self" | "tick";
  /** A push or a tick: the clock was read before `localTo`, not necessarily after `localFrom`. */
  unsolicited?: boolean;
}

/** Timestamps are whole milliseconds on both sides. */
const ROUNDING_MS = 1;

export function clockSamples(obs: Observation): ClockSample[] {
  const samples: ClockSample[] = [];
  // "Promptly" for a push or a tick: within one round trip before it arrived (the listing's is the measure).
  const rtt = Math.max(0, obs.list.receivedAt - obs.list.sentAt);
  const self = (label: string, entries: PresenceEntry[], localFrom: number, localTo: number, unsolicited = false) => {
    const row = entries.find(isSelfRow);
    const ts = row && entryTs(row); // a self row without a usable ts tells nothing of the clock
    if (ts !== undefined) samples.push({ label, gatewayTs: ts, localFrom, localTo, kind: "self", ...(unsolicited ? { unsolicited } : {}) });
  };
  self("hello-ok", obs.hello.presence, obs.hello.sentAt, obs.hello.receivedAt);
  self("list", obs.list.entries, obs.list.sentAt, obs.list.receivedAt);
  obs.pushes.forEach((push, i) => self(`push ${i + 1}`, push.presence, push.receivedAt - rtt, push.receivedAt, true));
  if (obs.final) self("final list", obs.final.entries, obs.final.sentAt, obs.final.receivedAt);
  obs.ticks.forEach((tick, i) => {
    if (!Number.isFinite(tick.ts)) return; // a tick without a usable ts tells nothing of the clock
    samples.push({ label: `tick ${i + 1}`, gatewayTs: tick.ts, localFrom: tick.receivedAt - rtt, localTo: tick.receivedAt, kind: "tick", unsolicited: true });
  });
  return samples;
}

/** The offset interval [lo, hi] (gateway minus local) a sample allows; `prompt`: as if a push or tick was sent at once. */
export function offsetInterval(sample: ClockSample, prompt = false): [number, number] {
  const hi = sample.unsolicited && !prompt ? Infinity : sample.gatewayTs - sample.localFrom + ROUNDING_MS;
  return [sample.gatewayTs - sample.localTo - ROUNDING_MS, hi];
}

/**
 * Intersects the samples' intervals. When they do not overlap (a clock jumped while watching), the
 * latest sample alone is taken (the offset as it is now) and the basis says so.
 */
export function estimateOffset(samples: readonly ClockSample[]): ClockEstimate & { lo?: number; hi?: number } {
  if (samples.length === 0) return { offsetMs: null, uncertaintyMs: null, basis: "no self row and no tick" };
  let lo = -Infinity;
  let hi = Infinity;
  for (const sample of samples) {
    const [a, b] = offsetInterval(sample);
    lo = Math.max(lo, a);
    hi = Math.min(hi, b);
  }
  // Only pushes and ticks: bounded from above by taking them as sent promptly.
  if (hi === Infinity) hi = Math.max(lo + 2 * ROUNDING_MS, Math.min(...samples.map((s) => offsetInterval(s, true)[1])));
  const basis = describeBasis(samples);
  if (lo > hi) {
    const latest = samples.reduce((x, y) => (y.localTo >= x.localTo ? y : x));
    const [a, b] = offsetInterval(latest, true);
    return {
      offsetMs: Math.round((a + b) / 2),
      uncertaintyMs: Math.ceil((b - a) / 2),
      basis: `${latest.label}, the latest sample (the samples disagree by ${formatMs(lo - hi)}: a clock jumped while watching)`,
      lo: a,
      hi: b,
    };
  }
  return { offsetMs: Math.round((lo + hi) / 2), uncertaintyMs: Math.ceil((hi - lo) / 2), basis, lo, hi };
}

function describeBasis(samples: readonly ClockSample[]): string {
  const self = samples.filter((s) => s.kind === "self").map((s) => s.label);
  const ticks = samples.filter((s) => s.kind === "tick").length;
  const parts = [];
  if (self.length) parts.push(`the self row (${self.join(", ")})`);
  if (ticks) parts.push(plural(ticks, "tick"));
  return parts.join(" and ");
}
