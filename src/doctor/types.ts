/**
 * `gateway-presence doctor` as plain data: what was read from a gateway (an Observation), and what
 * the analysis found in it (Findings, each with its SPEC rule, severity, evidence rows and advice).
 * Everything here is JSON: an observation can be saved and analysed again.
 */
import type { PresenceEntry } from "../protocol/presence.js";

export type Severity = "info" | "warning" | "error";

/** Lowest first. Exit code 1 means: some finding above `info`. */
export const SEVERITIES: readonly Severity[] = ["info", "warning", "error"];

/** Every kind of finding, by its stable id (JSON consumers switch on these). */
export type FindingId =
  | "duplicate-without-instance-id"
  | "duplicate-other-instance-id"
  | "duplicate-letter-case"
  | "duplicate-per-connection"
  | "row-without-host-or-instance-id"
  | "cli-row"
  | "row-field-wrong-type"
  | "loopback-ip"
  | "ip-not-an-address"
  | "ip-shared-by-hosts"
  | "self-row-missing"
  | "self-row-stale"
  | "ts-in-future"
  | "rows-past-ttl"
  | "rows-over-cap"
  | "rows-at-cap"
  | "clock-offset"
  | "change-not-pushed"
  | "store-degraded";

/** One row that shows a finding, with what is wrong about it when that is not obvious. */
export interface Evidence {
  row: PresenceEntry;
  note?: string;
}

export interface Finding {
  id: FindingId;
  /** The SPEC rule it concerns (docs/SPEC.md), e.g. "K1". */
  rule: string;
  severity: Severity;
  /** One line naming what it is about, e.g. `"Anna's Mac" is listed 2 times`. */
  title: string;
  /** What was seen, in plain words. */
  detail: string;
  /** What to do about it. */
  advice: string;
  evidence: Evidence[];
  /** Where it was seen: "list", "push 3" (the third presence push while watching), "final list". */
  seenIn: string[];
}

/** A `system-presence` answer and when (on this machine's clock, ms) it was asked and received. */
export interface Listing {
  entries: PresenceEntry[];
  sentAt: number;
  receivedAt: number;
}

/** Everything read from one gateway: the handshake, the list, and with a watch the pushes and ticks. */
export interface Observation {
  /** The gateway URL, without credentials. */
  url: string;
  binding: string;
  hello: {
    protocol: number;
    serverVersion: string;
    methods: string[];
    tickIntervalMs?: number;
    /** hello-ok's snapshot of the list. */
    presence: PresenceEntry[];
    /** Local time when connecting started and when hello-ok arrived. */
    sentAt: number;
    receivedAt: number;
  };
  list: Listing;
  /** How long pushes were watched (ms); 0 without `--watch-ms`. */
  watchMs: number;
  /** `presence` pushes received while watching, in order. */
  pushes: Array<{ receivedAt: number; stateVersion?: number; presence: PresenceEntry[] }>;
  /** `tick` events received while watching. */
  ticks: Array<{ receivedAt: number; ts: number }>;
  /** The list read again at the end of the watch; `pushesBefore`: how many pushes had arrived before its answer. */
  final?: Listing & { pushesBefore: number };
  /** Why the watch ended early (the connection closed), if it did. */
  watchError?: string;
  /** What the gateway's `GET /healthz` said beside the listing (the reference gateway; absent when nothing answered it). */
  health?: { status: "ok" | "degraded"; store?: { backend: string; shared: boolean; healthy: boolean } };
}

export interface DoctorOptions {
  /** The gateway's row TTL (SPEC S1). Default 300000. */
  ttlMs?: number;
  /** The gateway's row cap (SPEC S2). Default 200. */
  maxEntries?: number;
  /** Slack for comparing timestamps of one gateway (rounding, a cluster's NTP skew). Default 2000 ms. */
  toleranceMs?: number;
  /** A clock offset past this (beyond the measurement's uncertainty) is a finding. Default 5000 ms. */
  clockOffsetWarnMs?: number;
}

export type ResolvedDoctorOptions = Required<DoctorOptions>;

export const DOCTOR_DEFAULTS: ResolvedDoctorOptions = {
  ttlMs: 300_000,
  maxEntries: 200,
  toleranceMs: 2_000,
  clockOffsetWarnMs: 5_000,
};

/** The gateway's clock against this machine's: gateway minus local, in ms. */
export interface ClockEstimate {
  /** null when nothing independent of a broken self row said what time the gateway has. */
  offsetMs: number | null;
  /** Half the width of the interval the offset lies in. */
  uncertaintyMs: number | null;
  /** What it was measured from, e.g. "self row (list, hello-ok), 2 ticks". */
  basis: string;
}

export interface DoctorReport {
  gateway: { url: string; binding: string; protocol: number; serverVersion: string; testMode: boolean };
  /** When the list was read, on this machine's clock (ISO 8601). */
  readAt: string;
  /** The gateway's clock at the listing (ms since epoch), as far as it could be told. */
  gatewayNow: number | null;
  clock: ClockEstimate;
  /** Rows per status (SPEC C1, from the gateway's clock) and per mode, in the listing. */
  summary: { rows: number; status: { Active: number; Idle: number; Stale: number }; mode: Record<string, number> };
  watch: { ms: number; pushes: number; ticks: number; error?: string };
  /** Most severe first. */
  findings: Finding[];
  /** The most severe finding's severity, or null when there is none. */
  worst: Severity | null;
  /** The raw list, as `system-presence` returned it (the design note's first tip). */
  list: PresenceEntry[];
}
