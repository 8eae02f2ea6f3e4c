/**
 * The presence list as clients get it, serialized once per list version (issue 11): pushes,
 * `system-presence` and hello-ok all use the same cached text until the list changes. The gateway
 * invalidates the cache on every store change, keep-alive refresh and clock advance (and a cluster
 * store's remote changes, through Pusher.presenceChanged); expiry still runs on every read.
 *
 * The self rows are the exception: SPEC P1 wants their `ts` fresh in every listing, so they (the
 * leading rows keyed SELF_KEY, or SELF_KEY:id for the other gateways of a cluster) are kept apart
 * from the other rows' text and re-stamped when a cached snapshot is read later.
 */
import type { PresenceEntry } from "../../../protocol/presence.js";
import { SELF_KEY, type KeyedPresenceEntry } from "../../../presence/types.js";
import { andThen, isPromise, type MaybePromise } from "../maybe-promise.js";
import { ListBytes } from "./list-bytes.js";
import { RawJson } from "./raw-json.js";

export interface SnapshotRow {
  readonly key: string;
  readonly entry: PresenceEntry;
  /** JSON.stringify(entry), made once. */
  readonly json: string;
}

/** Encodes the rows other than self (ListBytes.build, from the list encoded last when there is one). */
export type ListEncoder = (listed: readonly KeyedPresenceEntry[], from: number, json: (entry: PresenceEntry) => string) => ListBytes;

/**
 * The rows other than self: the listing as the source gave it (from `from` on) and, made on first
 * use and shared by restamped copies, their JSON comma-separated as UTF-8 bytes, which every answer
 * and push of this version copies. A snapshot is built on every change (each handshake, under load),
 * so building one allocates little: the bytes come mostly from the previous list's (list-bytes.ts),
 * and SnapshotRow objects are made only when a delta asks.
 */
class OtherRows {
  private encoded: Buffer | undefined;
  private serialized: readonly SnapshotRow[] | undefined;

  constructor(
    private readonly listed: readonly KeyedPresenceEntry[],
    private readonly from: number,
    private readonly json: (entry: PresenceEntry) => string,
    private readonly encode: ListEncoder,
  ) {}

  get length(): number {
    return this.listed.length - this.from;
  }

  get bytes(): Buffer {
    if (this.encoded === undefined) this.encoded = this.encode(this.listed, this.from, this.json).bytes;
    return this.encoded;
  }

  get rows(): readonly SnapshotRow[] {
    return (this.serialized ??= this.listed.slice(this.from).map(({ key, entry }) => ({ key, entry, json: this.json(entry) })));
  }

  keys(): string[] {
    const keys = new Array<string>(this.length);
    for (let i = this.from; i < this.listed.length; i++) keys[i - this.from] = this.listed[i].key;
    return keys;
  }
}

/** One version of the list: rows in listing order (self rows first, then newest `ts` first). */
export class Snapshot {
  private list: RawJson | undefined;
  private keyed: Map<string, string> | undefined;

  private constructor(
    private readonly selves: readonly SnapshotRow[],
    private readonly others: OtherRows,
    origin?: Snapshot,
  ) {
    this.origin = origin ?? this;
  }

  /**
   * The snapshot as built (before any self re-stamp): what deltas are computed from, so every
   * reader that got this version shares one delta frame. Only the self row's `ts` can differ, and
   * the next round's self row is newer than both.
   */
  readonly origin: Snapshot;

  /** `json` serializes a row (default JSON.stringify; the cache reuses the text of rows it has seen). */
  static of(
    rows: readonly KeyedPresenceEntry[],
    json: (entry: PresenceEntry) => string = (entry) => JSON.stringify(entry),
    encode: ListEncoder = (listed, from, text) => ListBytes.build(listed, from, text),
  ): Snapshot {
    let selves = 0;
    while (selves < rows.length && rows[selves].key.startsWith(SELF_KEY)) selves++;
    // Self rows are listed afresh (a new `ts`) every millisecond; `json` reuses the text of a row
    // object it has seen (a store lists one self object per millisecond).
    const selfRows = rows.slice(0, selves).map(({ key, entry }) => ({ key, entry, json: json(entry) }));
    return new Snapshot(selfRows, new OtherRows(rows, selves, json, encode));
  }

  get rows(): readonly SnapshotRow[] {
    return this.selves.length > 0 ? [...this.selves, ...this.others.rows] : this.others.rows;
  }

  /** The list as JSON text. */
  get json(): string {
    return this.raw().text;
  }

  /** The list, to embed in an answer or a push without serializing it again (raw-json.ts). */
  raw(): RawJson {
    if (this.list === undefined) {
      const selves = this.selves.map((row) => row.json).join(",");
      if (this.others.length === 0) this.list = new RawJson(`[${selves}]`);
      else this.list = new RawJson(selves ? `[${selves},` : "[", this.others.bytes, "]");
    }
    return this.list;
  }

  keys(): string[] {
    return this.selves.length > 0 ? [...this.selves.map((row) => row.key), ...this.others.keys()] : this.others.keys();
  }

  /** key -> row text, for diffs (docs/delta.md). */
  byKey(): Map<string, string> {
    if (this.keyed === undefined) this.keyed = new Map(this.rows.map((row) => [row.key, row.json]));
    return this.keyed;
  }

  /**
   * This snapshot with the self rows' `ts` moved to `ts` (SPEC P1), sharing every other row's text;
   * `restamp` may rewrite a row (the staleSelfRow fault). Itself when no self row is older.
   */
  withSelfAt(ts: number, restamp: (row: PresenceEntry) => PresenceEntry = (row) => row): Snapshot {
    if (!this.selves.some((row) => row.entry.ts < ts)) return this;
    const selves = this.selves.map((row) => {
      if (row.entry.ts >= ts) return row;
      const entry = restamp({ ...row.entry, ts });
      return entry.ts === row.entry.ts ? row : { key: row.key, entry, json: JSON.stringify(entry) };
    });
    return selves.every((row, i) => row === this.selves[i]) ? this : new Snapshot(selves, this.others, this.origin);
  }
}

export interface SnapshotSource {
  /** The keyed list as clients see it (faults applied); runs expiry first. */
  listKeyed(): MaybePromise<KeyedPresenceEntry[]>;
  /** Runs expiry now (a change invalidates the cache through the store's listener). */
  expire(): MaybePromise<unknown>;
  now(): number;
  /** Rewrites a re-stamped self row the way the listing would (faults); identity otherwise. */
  restampSelf(row: PresenceEntry): PresenceEntry;
  /** Called once per snapshot built, with its row count (metrics). */
  built(rows: number): void;
}

/**
 * The latest snapshot, built on demand and dropped on every change. Reads are synchronous when the
 * source is (the in-memory store). A new version serializes only the rows that changed: a store
 * replaces a row object on every write and lists its own objects, so the text of a row object seen
 * before is reused (a store that lists copies, like Redis, serializes every row).
 */
export class SnapshotCache {
  private current: Snapshot | undefined;
  private generation = 0;
  private building: { generation: number; promise: Promise<Snapshot> } | undefined;
  private readonly rowText = new WeakMap<PresenceEntry, string>();
  private readonly serialize = (entry: PresenceEntry): string => {
    let text = this.rowText.get(entry);
    if (text === undefined) this.rowText.set(entry, (text = JSON.stringify(entry)));
    return text;
  };

  /** The list encoded last: the next one copies what it can from its bytes (list-bytes.ts). */
  private lastList: ListBytes | undefined;
  private readonly encode: ListEncoder = (listed, from, json) => (this.lastList = ListBytes.build(listed, from, json, this.lastList));

  constructor(private readonly source: SnapshotSource) {}

  /** The list changed (or may have): the next read builds a new snapshot. */
  invalidate(): void {
    this.generation++;
    this.current = undefined;
    this.restamped = undefined;
  }

  /**
   * The latest re-stamp of `current` (its self rows at a later `ts`): the reads of one millisecond
   * share it, its text and its bytes, instead of re-serializing the self row for each
   * `system-presence` call.
   */
  private restamped: Snapshot | undefined;

  /** The current list, self row fresh; built at most once per change however many readers ask. */
  get(): MaybePromise<Snapshot> {
    if (this.current === undefined) return this.build();
    return andThen(this.source.expire(), () => {
      if (this.current === undefined) return this.build();
      return (this.restamped = (this.restamped ?? this.current).withSelfAt(this.source.now(), this.source.restampSelf));
    });
  }

  /** A snapshot built now (what a push sends): the cached one when nothing changed since it was built. */
  fresh(): MaybePromise<Snapshot> {
    return this.current ?? this.build();
  }

  private build(): MaybePromise<Snapshot> {
    const generation = this.generation;
    if (this.building?.generation === generation) return this.building.promise;
    const rows = this.source.listKeyed();
    if (!isPromise(rows)) return this.keep(rows, generation);
    const promise = rows.then((listed) => {
      if (this.building?.promise === promise) this.building = undefined;
      return this.keep(listed, generation);
    });
    this.building = { generation, promise };
    return promise;
  }

  private keep(rows: readonly KeyedPresenceEntry[], generation: number): Snapshot {
    const snapshot = Snapshot.of(rows, this.serialize, this.encode);
    this.source.built(rows.length);
    // Kept only if nothing changed since the read began (listing may itself expire rows: then the
    // next read builds again).
    if (this.generation === generation) this.current = snapshot;
    return snapshot;
  }
}
