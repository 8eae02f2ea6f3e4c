/** What the handlers share: options, store, clock, connections, and the fault-aware presence view. */
import type { PresenceEntry } from "../../protocol/presence.js";
import { presenceKey, SELF_KEY, type KeyedPresenceEntry, type PresenceStore } from "../../presence/types.js";
import { AddressLimits } from "../limits/address-limits.js";
import { OverloadMonitor } from "../limits/overload.js";
import type { ResolvedGatewayOptions } from "../options.js";
import { ConnectionRegistry } from "./connection-registry.js";
import { DeletedOnDisconnect, FUTURE_TS_MS, inSeconds, withExtraRowFields } from "../faults.js";
import type { GatewayClock } from "./gateway-clock.js";
import type { EventFrames } from "./fanout/event-frames.js";
import { SnapshotCache, type Snapshot } from "./fanout/snapshot.js";
import type { MaybePromise } from "./maybe-promise.js";

export interface GatewayMetrics {
  /** Presence events handed to sockets. */
  presencePushes: number;
  /** Presence events a slow client missed because its send buffer was over maxBufferedBytes (SPEC E2). */
  droppedPushes: number;
  /** `tick` events handed to sockets. */
  ticks: number;
  /** `system-event` calls refused by the rate limit (SPEC B2). */
  rateLimited: number;
  /** Connections refused or closed by the gateway (bad auth, protocol, timeout, oversize, dead peer, slow consumer). */
  rejections: number;
  /** Push rounds (one per `stateVersion.presence`). */
  pushRounds: number;
  /** Bytes of presence pushes handed to sockets (what pushBytesPerSecond bounds). */
  pushBytes: number;
  /** Snapshots of the list serialized (one per list version read, whatever the number of readers). */
  snapshots: number;
  /** Push frames encoded (one per round, binding and format, whatever the number of readers). */
  framesEncoded: number;
  /** Readers closed for staying over maxBufferedBytes for slowConsumerTimeoutMs. */
  slowConsumers: number;
  /** Times a connection was not read until its send buffer drained (over maxBufferedBytes after an answer). */
  readsHeld: number;
  /** Of those: sockets, connections and connects refused by a limit, per address or gateway-wide (limits/, docs/security.md). */
  limitRefusals: number;
  /** Of those: sockets and not yet connected connections refused while the gateway was overloaded (limits/overload.ts). */
  overloadRefusals: number;
  /** Of the limit refusals: WebSocket upgrades answered 503 over the gateway's new-connection rate (limits/connection-rate.ts). */
  connectionRateRefusals: number;
}

export interface PublishedPresence {
  version: number;
  /** The latest `presence` push, for a client whose hello-ok was on its way when it went out. */
  last?: EventFrames;
  /** The list that round sent. */
  snapshot?: Snapshot;
}

export interface GatewayContext {
  readonly options: ResolvedGatewayOptions;
  readonly store: PresenceStore;
  readonly clock: GatewayClock;
  readonly registry: ConnectionRegistry;
  readonly metrics: GatewayMetrics;
  /** Per-address and gateway-wide connection limits, per-address authentication limits. */
  readonly limits: AddressLimits;
  /** Overload shedding: whether new work from clients not yet connected is refused now. */
  readonly overload: OverloadMonitor;
  /** `performance.now()` at start-up, for `uptimeMs`. */
  readonly startedAt: number;
  /** `hello-ok.features.methods`. */
  readonly methods: string[];
  log(line: string): void;
  /** SPEC P3 (the `listCli` fault records every mode). */
  isEphemeral(mode: string | undefined): boolean;
  /** SPEC K1 (the `caseSensitiveKeys` fault keeps letter case apart). */
  keyFor(instanceId: string | undefined, connId: string): string;
  /**
   * The list as clients see it, with keys (SPEC M1; the `evictSelf` fault drops self when over the
   * cap). At once with a store that lists synchronously (its own rows: read-only).
   */
  listKeyed(): MaybePromise<KeyedPresenceEntry[]>;
  /** The list serialized once per version (pushes, system-presence, hello-ok: issue 11). */
  readonly snapshots: SnapshotCache;
  /**
   * `stateVersion.presence` as clients see it (SPEC E1): one step per push, not per store change, so a
   * client that sees a jump knows it missed a push (coalescing alone never makes one).
   */
  readonly published: PublishedPresence;
  /**
   * The list changed in a way the store does not report as a change (a test clock advance, SPEC S3:
   * open rows refreshed, every row a step older): drops the cached snapshot and schedules a push
   * round. The gateway points it at its Pusher (fanout/push.ts presenceChanged) once that exists.
   */
  presenceChanged: () => void;
}

export function createContext(
  fields: Omit<GatewayContext, "registry" | "metrics" | "limits" | "overload" | "isEphemeral" | "keyFor" | "listKeyed" | "published" | "snapshots" | "presenceChanged">,
): GatewayContext {
  const { options, store } = fields;
  const { faults } = options;
  let firstSelfTs: number | undefined;
  // The disconnectDeletesRow fault (P6): a row that becomes `disconnect` is deleted.
  const deletions = faults.disconnectDeletesRow ? new DeletedOnDisconnect() : undefined;
  if (deletions) store.onChange((change) => change.kind === "disconnect" && deletions.deleted(change.key));
  /** The listing faults (P1, P6, K3, §3, §11 W2); without them the rows pass unchanged. */
  const faultyListing = (rows: KeyedPresenceEntry[]): KeyedPresenceEntry[] => {
    const isSelf = (row: KeyedPresenceEntry) => row.key === SELF_KEY;
    if (faults.noSelfRow) rows = rows.filter((row) => !isSelf(row));
    if (faults.staleSelfRow) rows = rows.map((row) => (isSelf(row) ? { ...row, entry: staleSelf(row.entry) } : row));
    if (faults.futureTs) rows = rows.map((row) => (row.entry.reason === "periodic" ? { ...row, entry: { ...row.entry, ts: row.entry.ts + FUTURE_TS_MS } } : row));
    if (faults.extraRowFields) rows = rows.map((row) => ({ ...row, entry: withExtraRowFields(row.entry) }));
    if (faults.disconnectRemovesRow) rows = rows.filter((row) => row.entry.reason !== "disconnect");
    if (deletions) rows = deletions.listing(rows);
    if (faults.tsSeconds) rows = rows.map((row) => ({ ...row, entry: inSeconds(row.entry) }));
    return rows;
  };
  const staleSelf = (row: PresenceEntry): PresenceEntry => ({ ...row, ts: (firstSelfTs ??= row.ts) });
  const metrics: GatewayMetrics = {
    presencePushes: 0,
    droppedPushes: 0,
    ticks: 0,
    rateLimited: 0,
    rejections: 0,
    limitRefusals: 0,
    overloadRefusals: 0,
    connectionRateRefusals: 0,
    pushRounds: 0,
    pushBytes: 0,
    snapshots: 0,
    framesEncoded: 0,
    slowConsumers: 0,
    readsHeld: 0,
  };
  const listed = (rows: KeyedPresenceEntry[]): KeyedPresenceEntry[] => {
    if (faults.evictSelf && rows.length > options.maxEntries) {
      const self = rows.findIndex((row) => row.key === SELF_KEY);
      if (self >= 0) rows.splice(self, 1);
    }
    return faultyListing(rows);
  };
  const limits = new AddressLimits(options.limits, undefined, (line) => fields.log(line));
  const overload: OverloadMonitor = new OverloadMonitor(options.limits.overload, (overloaded) => {
    // Through the log throttle: shedding on utilization can go on and off every second.
    const { log, suppressed } = limits.logs.allow("OVERLOAD gateway");
    if (!log) return;
    const note = suppressed > 0 ? ` (${suppressed} more changes not logged)` : "";
    fields.log(`${overloaded ? "overload on" : "overload off"}: ${overload.describe()}${overloaded ? "; refusing new connections" : ""}${note}`);
  });
  const { sync } = store;
  const listKeyed = (): MaybePromise<KeyedPresenceEntry[]> => (sync ? listed(sync.listKeyed()) : store.listKeyed().then(listed));
  const snapshots = new SnapshotCache({
    listKeyed,
    expire: () => (sync ? sync.expire() : store.expire()),
    now: () => fields.clock.now(),
    restampSelf: (row) => (faults.staleSelfRow ? staleSelf(row) : faults.tsSeconds ? inSeconds(row) : row),
    built: () => void metrics.snapshots++,
  });
  return {
    ...fields,
    registry: new ConnectionRegistry(),
    published: { version: 0 },
    metrics,
    snapshots,
    listKeyed,
    presenceChanged: () => snapshots.invalidate(),
    limits,
    overload,
    isEphemeral: (mode) => !faults.listCli && store.isEphemeral(mode),
    keyFor(instanceId, connId) {
      const trimmed = instanceId?.trim();
      // The store lower-cases keys, so the fault marks upper-case letters to keep them apart.
      if (faults.caseSensitiveKeys && trimmed) return trimmed.replace(/\p{Lu}/gu, (c) => `^${c}`);
      if (faults.perConnectionRows) return `${presenceKey(trimmed, connId)}#${connId}`;
      return deletions ? deletions.storeKey(presenceKey(trimmed, connId)) : presenceKey(trimmed, connId);
    },
  };
}
