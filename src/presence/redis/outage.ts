/**
 * Redis outages (issue 12 item 4). While Redis cannot be reached the store serves this gateway's
 * presence from a local memory store, seeded with the last list it knew; the gateway keeps accepting
 * connections and beacons. What is written meanwhile goes into a Journal. When Redis answers again
 * (or when a tick finds that Redis lost its data or the others declared this gateway dead), one
 * restore script writes it all back: the self row, the connections open here, the rows Redis lost
 * and the updates of the outage. Then the store is healthy again and the local store is dropped.
 */
import type { PresenceEntry } from "../../protocol/presence.js";
import { copyEntry, mergeEntry } from "../merge.js";
import { createMemoryPresenceStore } from "../memory-store.js";
import { isAdjustableClock, SELF_KEY, type PresenceChange, type PresenceFields, type PresenceStore } from "../types.js";
import type { ScriptReply } from "./backend.js";
import { entryPairs, toPairs } from "./codec.js";
import { Journal, type JournalEntry } from "./journal.js";
import type { ResolvedRedisOptions } from "./options.js";

export interface OutageHooks {
  deliver(changes: PresenceChange[]): void;
  restore(payload: RestorePayload): Promise<ScriptReply>;
  /** The restore went through: the store serves from Redis again. */
  healthy(): void;
  isReady(): boolean;
}

/** The argument of the restore script (see lua/restore.ts). */
export interface RestorePayload {
  v: string;
  o: string;
  t: string;
  self: string[];
  rows: Array<{ k: string; n: number; lr?: string; base?: string[]; upd?: string[]; cip?: string; rip?: 1 }>;
}

/** Longest time between two attempts to reach Redis again during an outage. */
const PROBE_MS = 1_000;
/** Restore rounds per attempt: writes made while one round is on its way go in the next. */
const MAX_ROUNDS = 5;

export class Outage {
  readonly journal = new Journal();
  /** The highest change counter seen (from replies and the channel). */
  version = 0;
  /** The last known rows of the cluster (not self rows), for seeding the local store. */
  private known = new Map<string, PresenceEntry>();
  /** Keys whose ip a beacon reported (through this gateway or seen in a change). */
  private readonly reported = new Set<string>();
  /** Connections open on this gateway per key. */
  private readonly counts = new Map<string, number>();
  /** The reason the latest connect of each open key wrote (its row is live: SPEC P2, P4). */
  private readonly liveReasons = new Map<string, string>();
  private self: PresenceFields | undefined;
  private local: PresenceStore | undefined;
  private localReady: Promise<PresenceStore> | undefined;
  private probe: ReturnType<typeof setInterval> | undefined;
  private reconciling: Promise<void> | undefined;
  private outages = 0;
  private reconciles = 0;
  private since: number | undefined;
  /** Why the write-back is under way: Redis was out of reach, or it was up but had lost this gateway. */
  private cause: "outage" | "rejoin" = "outage";

  constructor(
    private readonly opts: ResolvedRedisOptions,
    private readonly hooks: OutageHooks,
  ) {}

  observe(change: PresenceChange): void {
    this.version = Math.max(this.version, change.version);
    if (change.key.startsWith(SELF_KEY)) return;
    if (change.kind === "expire" || change.kind === "evict") {
      // Gone here (also from the local store in an outage): not written back, so the journal stays
      // within the cap however many distinct keys a flood writes (SPEC B2).
      this.known.delete(change.key);
      this.reported.delete(change.key);
      this.journal.forget(change.key);
    } else this.known.set(change.key, copyEntry(change.entry));
  }

  /**
   * The list as Redis just gave it. A row open here that the list lacks keeps its last known copy:
   * Redis may have lost its data (FLUSHALL, an empty replica) before a tick noticed, and the write-back
   * rebuilds such a row from this copy (a row evicted or expired here was dropped by observe()).
   */
  remember(rows: Array<{ key: string; entry: PresenceEntry }>): void {
    const known = new Map(rows.map(({ key, entry }) => [key, copyEntry(entry)]));
    for (const key of this.counts.keys()) {
      const last = this.known.get(key);
      if (!known.has(key) && last) known.set(key, last);
    }
    this.known = known;
  }

  setSelf(fields: PresenceFields): void {
    const { ts: _ts, ...merged } = mergeEntry(this.self as PresenceEntry | undefined, fields, 0);
    this.self = merged;
  }

  hasSelf(): boolean {
    return this.self !== undefined;
  }

  reportedIp(key: string): void {
    this.reported.add(key);
  }

  /** A connection holding `key` opened (+1, with the reason its connect wrote) or closed (-1) here. */
  counted(key: string, delta: number, reason?: string): void {
    const n = (this.counts.get(key) ?? 0) + delta;
    if (reason !== undefined) this.liveReasons.set(key, reason);
    if (n > 0) return void this.counts.set(key, n);
    this.counts.delete(key);
    this.liveReasons.delete(key);
  }

  /** Redis was lost: logged once, then served locally until a restore goes through. */
  begin(reason: string): void {
    this.outages++;
    this.since = Date.now();
    this.cause = "outage";
    this.opts.log(
      `warning presence store: Redis unreachable (${reason}); gateway ${this.opts.gatewayId} serves its own presence locally and writes it back when Redis returns`,
    );
    this.startProbe();
  }

  /** This gateway is missing from Redis while Redis is up (lost data, or declared dead): write it back. */
  rejoin(): void {
    this.since = Date.now();
    this.cause = "rejoin";
    this.opts.log(`warning presence store: gateway ${this.opts.gatewayId} is not registered in Redis (Redis lost its data, or this gateway missed its heartbeats); writing its presence back`);
    this.startProbe();
  }

  /**
   * The self script's result: the self row, and how many keys the previous process under this id held
   * open (a restart before the others found it dead: the script closed them, P6), said in one line.
   */
  selfReply(result: unknown): unknown {
    const [row, keys] = result as [unknown, number];
    if (keys > 0) this.restartedClosed(keys);
    return row;
  }

  private restartedClosed(keys: number): void {
    this.opts.log(
      `warning presence store: gateway ${this.opts.gatewayId} restarted before the others found its previous process dead: closed the connections it held (${keys} row${keys === 1 ? "" : "s"}; a row no other gateway holds open is now a disconnect row)`,
    );
  }

  /**
   * close() could not run the leave script (Redis out of reach): the operator reads "stopped" next,
   * so say that the others still list this gateway until its heartbeat is old enough.
   */
  stoppedUnannounced(): void {
    // During a rejoin Redis was reachable: the gateway stopped while writing its rows back.
    const why = this.cause === "rejoin" ? "while writing its presence back to Redis" : "without leaving the cluster (Redis unreachable)";
    const what = this.cause === "rejoin" ? "the rows it had written back" : "its self row and connections";
    this.opts.log(
      `warning presence store: gateway ${this.opts.gatewayId} stopped ${why}: the other gateways list ${what} until it has sent no heartbeat for ${this.opts.deadAfterMs} ms`,
    );
  }

  /** The local store (created on first use in an outage, seeded with the last known list). */
  fallback(): Promise<PresenceStore> {
    this.localReady ??= (async () => {
      const { clock, ttlMs, maxEntries, sweepIntervalMs, onListenerError } = this.opts;
      const ephemeralModes = [...this.opts.ephemeralModes];
      const local = createMemoryPresenceStore(
        { clock, ttlMs, maxEntries, ephemeralModes, sweepIntervalMs, onListenerError },
        { rows: [...this.known].map(([key, entry]) => ({ key, entry })), counts: this.counts, reportedIps: this.reported, version: this.version },
      );
      local.onChange((change) => this.hooks.deliver([change]));
      if (this.self) await local.setSelf(this.self);
      this.local = local;
      return local;
    })();
    return this.localReady;
  }

  /** Tries to write everything back; on success the store is healthy again. Never throws. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.writeBack().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async writeBack(): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const taken = this.journal.take();
      let rows = 0;
      try {
        const payload = await this.payload(taken);
        rows = payload.rows.length;
        await this.hooks.restore(payload);
      } catch {
        this.journal.putBack(taken);
        return; // still out of reach: the probe tries again
      }
      if (this.journal.size > 0) continue;
      const ms = this.since === undefined ? 0 : Date.now() - this.since;
      this.stopProbe();
      this.since = undefined;
      this.reconciles++;
      const local = this.local;
      this.local = undefined;
      this.localReady = undefined;
      this.hooks.healthy();
      await local?.close();
      const wrote = `wrote back ${rows} row${rows === 1 ? "" : "s"}`;
      // After a rejoin Redis was reachable all along: no "again", no time without it.
      this.opts.log(
        this.cause === "rejoin"
          ? `presence store: gateway ${this.opts.gatewayId} is registered in Redis again; ${wrote}`
          : `presence store: Redis reachable again; gateway ${this.opts.gatewayId} ${wrote} (${ms} ms without Redis)`,
      );
      return;
    }
  }

  private async payload(taken: Map<string, JournalEntry>): Promise<RestorePayload> {
    const local = this.local;
    const clock = this.opts.clock;
    const version = Math.max(this.version, local ? await local.version() : 0);
    const keys = new Set([...this.counts.keys(), ...taken.keys()]);
    const rows: RestorePayload["rows"] = [];
    for (const k of keys) {
      const base = local ? await local.get(k) : this.known.get(k);
      const entry = taken.get(k);
      rows.push({
        k,
        n: this.counts.get(k) ?? 0,
        ...(this.liveReasons.has(k) ? { lr: this.liveReasons.get(k) } : {}),
        ...(base ? { base: entryPairs(base) } : {}),
        ...(entry ? { upd: toPairs(entry.fields) } : {}),
        ...(entry?.connectionIp !== undefined ? { cip: entry.connectionIp } : {}),
        ...(entry?.reportedIp || this.reported.has(k) ? { rip: 1 as const } : {}),
      });
    }
    return {
      v: String(version),
      o: String(isAdjustableClock(clock) ? clock.offset() : 0),
      t: this.opts.token,
      self: toPairs(this.self ?? {}),
      rows,
    };
  }

  /**
   * A change that makes listeners read the list again: an upsert of this gateway's self row (fresh
   * in every listing anyway) at the latest version, after changes that never arrived or after another
   * gateway moved the test clock (live rows refreshed without change events).
   */
  resyncChange(version: number): PresenceChange {
    this.version = Math.max(this.version, version);
    const entry = { ...mergeEntry(undefined, { reason: "self", ...this.self }, this.opts.clock.now()) };
    return { kind: "upsert", key: SELF_KEY, entry, version: this.version };
  }

  counters(): { outages: number; reconciles: number; degradedSince?: number } {
    return { outages: this.outages, reconciles: this.reconciles, ...(this.since !== undefined ? { degradedSince: this.since } : {}) };
  }

  private startProbe(): void {
    if (this.probe !== undefined) return;
    this.probe = setInterval(() => {
      if (this.hooks.isReady()) void this.reconcile();
    }, Math.min(PROBE_MS, this.opts.heartbeatMs));
    this.probe.unref?.();
  }

  private stopProbe(): void {
    if (this.probe !== undefined) clearInterval(this.probe);
    this.probe = undefined;
  }

  async close(): Promise<void> {
    this.stopProbe();
    await this.local?.close();
  }
}
