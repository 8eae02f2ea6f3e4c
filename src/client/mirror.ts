/**
 * The live presence list: set from the hello snapshot, replaced by every `presence` push, and
 * re-fetched with `system-presence` when a push was missed (a stateVersion or seq gap).
 *
 * In delta mode (the gateway granted `presence.delta`, docs/delta.md) the mirror keeps the rows
 * with their keys and applies each `presence.delta` whose baseVersion is its version; a delta for
 * another version is a gap (D6): it asks for `presence.resync` and applies nothing until the reset.
 */
import type { KeyedPresenceEntry, PresenceDeltaEvent } from "../protocol/delta.js";
import type { PresenceEvent } from "../protocol/events.js";
import type { PresenceEntry } from "../protocol/presence.js";
import { applyDelta } from "./delta.js";
import { Emitter } from "./emitter.js";
import { TransportError } from "./errors.js";
import { fieldText } from "./status.js";

/** The resyncError of a `presence.resync` answered with no reset before it (docs/delta.md D7). */
export const NO_RESET_BEFORE_ANSWER =
  "presence.resync: answered without the presence.delta reset that must come before the answer (docs/delta.md D7): the list stays stale and the next delta asks again";

export type MirrorSource = "snapshot" | "push" | "delta" | "resync";

export interface MirrorChange {
  source: MirrorSource;
  /** The mirror's version after the change. */
  version: number;
  entries: readonly PresenceEntry[];
}

export interface MirrorGap {
  /**
   * `version`: stateVersion.presence jumped; `seq`: the binding's event sequence jumped; `delta`: a
   * delta's baseVersion was not the mirror's version.
   */
  kind: "version" | "seq" | "delta";
  from: number;
  to: number;
}

export interface MirrorEvents {
  change: MirrorChange;
  gap: MirrorGap;
  /**
   * A resync failed (the request rejected; in delta mode also a `presence.resync` answered without
   * its reset). The list stays marked `stale` until the next snapshot or resync; the next gap (a push
   * more than one version on, a delta for another version) asks again.
   */
  resyncError: Error;
}

export interface MirrorOptions {
  /** Fetches the list (`system-presence`). */
  fetch: () => Promise<PresenceEntry[]>;
  /** Asks the gateway for a `presence.delta` reset (`presence.resync`), in delta mode. */
  requestReset?: () => Promise<unknown>;
  /**
   * Wait after a gap before resyncing, in ms, so a burst of pushes ends first and one fetch covers
   * it. Default 100.
   */
  resyncDelayMs?: number;
  /** Re-reads the whole list this often while connected, in ms (keep-alives move rows' ts unpushed, SPEC P7). Default: never. */
  refreshMs?: number;
}

export class PresenceMirror extends Emitter<MirrorEvents> {
  #entries: readonly PresenceEntry[] = [];
  #version = 0;
  #stale = true;
  #resyncs = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | null = null;
  #again = false;
  /** Highest stateVersion a gap announced (e.g. on another event's frame); reached by the next resync. */
  #announced = 0;
  /** Delta mode: the rows with their keys (entries is derived from them). */
  #keyed: KeyedPresenceEntry[] | undefined;
  /** Delta mode, after a gap: deltas are ignored until the reset asked for arrives. */
  #awaitingReset = false;
  /** Delta mode on a snapshot whose rows came without keys (reset "unkeyed"): only a reset can be applied. */
  #unkeyedBase = false;
  readonly #fetch: () => Promise<PresenceEntry[]>;
  readonly #requestReset: (() => Promise<unknown>) | undefined;
  readonly #delayMs: number;
  readonly #refreshMs: number | undefined;
  #refresh: ReturnType<typeof setInterval> | undefined;

  constructor(options: MirrorOptions) {
    super();
    this.#fetch = options.fetch;
    this.#requestReset = options.requestReset;
    this.#delayMs = options.resyncDelayMs ?? 100;
    this.#refreshMs = options.refreshMs;
  }

  /** True while the mirror is fed by `presence.delta` events (the gateway granted the cap). */
  get deltaMode(): boolean {
    return this.#keyed !== undefined;
  }

  /** The current list, newest first as the gateway sent it. A new array on every change. */
  get entries(): readonly PresenceEntry[] {
    return this.#entries;
  }

  /**
   * `stateVersion.presence` of the latest snapshot or push applied. It restarts with each gateway
   * run: a reconnect to a restarted gateway takes the new (possibly lower) version.
   */
  get version(): number {
    return this.#version;
  }

  /**
   * True before the first snapshot, and from a detected gap until the resync that follows it (or,
   * when that resync failed, until a whole-list push that follows on from the mirror's version).
   */
  get stale(): boolean {
    return this.#stale;
  }

  /** How many resyncs completed (for diagnostics and tests). */
  get resyncCount(): number {
    return this.#resyncs;
  }

  /** The row of an instanceId (compared trimmed and case-insensitively, as SPEC K1 keys it). */
  get(instanceId: string): PresenceEntry | undefined {
    const key = instanceId.trim().toLowerCase();
    return this.#entries.find((e) => fieldText(e.instanceId)?.trim().toLowerCase() === key);
  }

  /**
   * Another event's frame carried the presence stateVersion (OpenClaw does): a higher one than the
   * mirror's means a presence push was missed.
   */
  noteVersion(version: number): void {
    if (version > this.#version && version > this.#announced) this.noteGap({ kind: "version", from: this.#version, to: version });
  }

  /**
   * A new connection's hello snapshot: the list and version start over from it. With `keyed` rows
   * (hello-ok's presenceKeys, the `presence.delta` cap granted) the mirror is in delta mode.
   * `"unkeyed"`: the cap was granted but presenceKeys does not line up with the rows (D2 broken): the
   * gateway sends deltas, never whole lists, and a delta cannot be applied to rows without keys, so
   * the mirror shows the snapshot as `stale`, ignores deltas and asks for a reset (D7) at once.
   */
  reset(entries: PresenceEntry[], version: number, keyed?: KeyedPresenceEntry[] | "unkeyed"): void {
    this.#cancelScheduled();
    this.#announced = 0;
    const unkeyed = keyed === "unkeyed";
    this.#keyed = unkeyed ? [] : keyed;
    this.#unkeyedBase = unkeyed;
    this.#awaitingReset = unkeyed;
    this.#entries = entries;
    this.#version = version;
    this.#stale = unkeyed;
    this.emit("change", { source: "snapshot", version, entries });
    clearInterval(this.#refresh);
    if (this.#refreshMs) this.#refresh = setInterval(() => void this.resync().catch(() => {}), this.#refreshMs);
    if (unkeyed) this.#timer = setTimeout(() => void this.resync().catch(() => {}), this.#delayMs);
  }

  /** A `presence.delta` event (delta mode; ignored otherwise). */
  applyDelta(delta: PresenceDeltaEvent): void {
    if (this.#keyed === undefined) return;
    const version = delta.stateVersion.presence;
    if (!delta.reset) {
      if (this.#awaitingReset) {
        // Rows without keys take no delta: ask for the reset again if the last ask failed.
        if (this.#unkeyedBase && !this.#inFlight && this.#timer === undefined) this.noteGap({ kind: "delta", from: this.#version, to: version });
        return;
      }
      if (version <= this.#version) return; // an old delta
      if (delta.baseVersion !== this.#version) {
        this.noteGap({ kind: "delta", from: this.#version, to: version });
        return;
      }
    }
    this.#keyed = applyDelta(this.#keyed, delta);
    this.#entries = this.#keyed.map((row) => row.entry);
    this.#version = version;
    if (delta.reset) {
      this.#awaitingReset = false;
      this.#unkeyedBase = false;
      this.#stale = false;
      this.#resyncs++;
    }
    this.emit("change", { source: delta.reset ? "resync" : "delta", version, entries: this.#entries });
  }

  /**
   * A `presence` push. `frameVersion` is the binding's frame-level stateVersion, if any. One at the
   * mirror's own version replaces the list and keeps the version: it is the answer to
   * `presence.resync` (docs/delta.md D7), the current list labelled with the latest round's
   * version, and on one socket it is never older than what came before it. Only a lower version is old.
   */
  applyPush(payload: PresenceEvent, frameVersion?: number): void {
    const version = payload.stateVersion?.presence ?? frameVersion;
    if (version !== undefined) {
      if (version < this.#version) return; // an old push
      const gap = version > this.#version + 1;
      if (gap) this.noteGap({ kind: "version", from: this.#version, to: version });
      this.#version = version;
      // A whole list that follows on from the mirror, at or past every version announced, leaves
      // nothing missed: a mirror left stale by a failed resync is current again (none is in flight).
      if (!gap && this.#stale && !this.#inFlight && this.#timer === undefined && version >= this.#announced) this.#stale = false;
    }
    this.#entries = payload.presence;
    this.emit("change", { source: "push", version: this.#version, entries: this.#entries });
  }

  /** Records a gap and schedules a resync (one at a time; a gap during one asks for another). */
  noteGap(gap: MirrorGap): void {
    if (gap.kind === "version") this.#announced = Math.max(this.#announced, gap.to);
    this.#stale = true;
    this.emit("gap", gap);
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#cancelScheduled();
    this.#timer = setTimeout(() => void this.resync().catch(() => {}), this.#delayMs);
  }

  /**
   * Fetches the list now and replaces the mirror with it. Concurrent calls share one fetch. In delta
   * mode it asks for a reset instead, which arrives as a `presence.delta` event.
   */
  resync(): Promise<void> {
    this.#cancelScheduled();
    if (this.#inFlight) return this.#inFlight;
    if (this.#keyed !== undefined && this.#requestReset) return (this.#inFlight = this.#askReset(this.#requestReset));
    const run = async () => {
      // The answer reflects at least every version announced before the request went out.
      const reached = this.#announced;
      try {
        const entries = await this.#fetch();
        this.#entries = entries;
        this.#version = Math.max(this.#version, reached);
        this.#stale = this.#again;
        this.#resyncs++;
        this.emit("change", { source: "resync", version: this.#version, entries });
      } catch (error) {
        this.emit("resyncError", error as Error);
        throw error;
      } finally {
        this.#inFlight = null;
        if (this.#again) {
          this.#again = false;
          this.#timer = setTimeout(() => void this.resync().catch(() => {}), this.#delayMs);
        }
      }
    };
    return (this.#inFlight = run());
  }

  /**
   * Delta mode's resync: asks for the reset and ignores deltas until it comes (D6). The reset comes
   * before the answer (D7), so an answer without it (a frame lost on the way, a faulty gateway), or a
   * failed request (a timeout, an error answer), ends the wait: the mirror stays stale, and the next
   * delta that does not apply to it is a gap again and asks again (as a whole-list mirror takes the
   * next push), instead of ignoring every delta until the connection ends.
   */
  async #askReset(requestReset: () => Promise<unknown>): Promise<void> {
    this.#awaitingReset = true;
    this.#again = false;
    try {
      await requestReset();
      if (this.#awaitingReset) throw new TransportError("protocol", NO_RESET_BEFORE_ANSWER);
    } catch (error) {
      this.#awaitingReset = this.#unkeyedBase; // rows without keys still take no delta
      this.emit("resyncError", error as Error);
      throw error;
    } finally {
      this.#inFlight = null;
    }
  }

  /** The connection is gone or the client closed: no resync is started until the next snapshot. */
  detach(): void {
    this.#cancelScheduled();
    clearInterval(this.#refresh);
    this.#again = false;
  }

  /** Drops all listeners (client closed). */
  dispose(): void {
    this.detach();
    this.removeAllListeners();
  }

  #cancelScheduled(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
