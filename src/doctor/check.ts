/** The shape every check of one list has: a list in, findings out. */
import type { PresenceEntry } from "../protocol/presence.js";
import type { Finding, ResolvedDoctorOptions } from "./types.js";

/** One list the gateway sent (the listing, a push, the final listing) and what is known about its time. */
export interface ListView {
  /** "list", "push 3", "final list". */
  source: string;
  entries: PresenceEntry[];
  /** The gateway's clock when it made this list (ms), or null when it cannot be told. */
  gatewayNow: number | null;
  /** Set when the self row's ts is not the gateway's time (SPEC P1): why, and the rows that show it. */
  selfStale?: { note: string; evidence: PresenceEntry[] };
  options: ResolvedDoctorOptions;
}

/**
 * A finding before it is known where else it was seen. `subject` tells findings of one id apart
 * (a host, an instanceId, an ip): the same id and subject in two lists are one finding.
 */
export type Draft = Omit<Finding, "seenIn"> & { subject: string };

export type ListCheck = (view: ListView) => Draft[];
