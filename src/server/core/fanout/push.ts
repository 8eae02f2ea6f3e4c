/**
 * Server pushes (SPEC E1-E3, issue 11), for every binding.
 *
 * - `presenceChanged()` is the one entry point for "the list changed" (the store's listener calls
 *   it; a cluster store's remote changes can too): it drops the cached snapshot and schedules a
 *   push round.
 * - A round runs at the end of the event-loop turn of the change; under load later: at least
 *   `pushIntervalMs` after the previous round, and when the push budget (PushBudget,
 *   `pushBytesPerSecond`) is spent, when it has refilled. Every change in between is coalesced into
 *   the round, so a quiet gateway pushes at once and a busy one pushes less often. One
 *   round = one version (`stateVersion.presence` + 1), one snapshot serialized once, one frame per
 *   binding and format written to every reader as it is.
 * - Readers get `presence` (the whole list) or, with the `presence.delta` cap, a `presence.delta`
 *   from the snapshot they hold (docs/delta.md); a delta reader that missed a round is sent the
 *   difference from what it has, so a drop never leaves it behind.
 * - A reader whose send buffer is over maxBufferedBytes misses rounds (counted; its `seq` still
 *   advances) and never stalls the others (SPEC E2); one that stays over it for
 *   slowConsumerTimeoutMs is closed with 1008 "slow consumer" (see slow-consumers.ts).
 */
import type { PresenceResyncResult } from "../../../protocol/delta.js";
import { clampTimerMs } from "../../../protocol/durations.js";
import type { GatewayFaults } from "../../faults.js";
import type { Connection } from "../connection.js";
import type { GatewayContext } from "../context.js";
import { deltaPush, resetPush, type DeltaBase } from "./delta.js";
import { EventFrames } from "./event-frames.js";
import { PushBudget } from "./push-budget.js";
import { hasScope } from "../scopes.js";
import { overBuffer } from "./slow-consumers.js";
import type { Snapshot } from "./snapshot.js";
import { andThen, isPromise, type MaybePromise } from "../maybe-promise.js";

export class Pusher {
  private timer: { kind: "immediate"; handle: ReturnType<typeof setImmediate> } | { kind: "timeout"; handle: ReturnType<typeof setTimeout> } | undefined;
  private dirty = false;
  private flushing = false;
  private stopped = false;
  private readonly budget: PushBudget;
  /** performance.now() when the last round started. */
  private lastRound = Number.NEGATIVE_INFINITY;

  constructor(private readonly gw: GatewayContext) {
    this.budget = new PushBudget(gw.options.pushBytesPerSecond);
  }

  /** The list changed (or may have): a push round follows, coalesced with any other change. */
  presenceChanged(): void {
    this.gw.snapshots.invalidate();
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.flushing || this.timer !== undefined || this.gw.options.faults.noPresenceEvents) return;
    const run = () => {
      this.timer = undefined;
      const failed = (error: unknown) => this.gw.log(`error presence push failed: ${String(error)}`);
      try {
        const flushed = this.flush();
        if (isPromise(flushed)) flushed.catch(failed);
      } catch (error) {
        failed(error);
      }
    };
    const wait = Math.max(this.budget.waitMs(), this.lastRound + this.gw.options.pushIntervalMs - performance.now());
    // A huge round at a low pushBytesPerSecond may ask for more than a timer can wait (it would fire after 1 ms).
    this.timer = wait > 0 ? { kind: "timeout", handle: setTimeout(run, clampTimerMs(wait)) } : { kind: "immediate", handle: setImmediate(run) };
  }

  /** A round, at once when the snapshot can be built at once (the in-memory store). */
  private flush(): MaybePromise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    this.flushing = true;
    this.lastRound = performance.now();
    const done = () => {
      this.flushing = false;
      if (this.dirty) this.schedule();
    };
    // Building may expire rows: a further change, pushed in the next round.
    const publish = (snapshot: Snapshot) => {
      if (!this.stopped) this.budget.spend(this.publish(snapshot));
    };
    let snapshot: MaybePromise<Snapshot>;
    try {
      snapshot = this.gw.snapshots.fresh();
    } catch (error) {
      done();
      throw error;
    }
    if (isPromise(snapshot)) return snapshot.then(publish).finally(done);
    try {
      publish(snapshot);
    } finally {
      done();
    }
  }

  /** One round: the next version to every reader. Returns the bytes written. */
  private publish(snapshot: Snapshot): number {
    const { gw } = this;
    const version = gw.published.version + 1;
    const full = new EventFrames({ event: "presence", payload: { presence: snapshot.raw() }, stateVersion: { presence: version } }, this.encoded);
    const deltas = new DeltaFrames(snapshot, version, this.encoded, gw.options.faults);
    let bytes = 0;
    for (const conn of gw.registry.all) {
      if (!conn.receivesPushes || !hasScope(conn, "operator.read")) continue;
      bytes += conn.deltaBase ? offerDelta(gw, conn, deltas) : offer(gw, conn, full);
    }
    gw.published.version = version;
    gw.published.last = full;
    gw.published.snapshot = snapshot;
    gw.metrics.pushRounds++;
    gw.metrics.pushBytes += bytes;
    return bytes;
  }

  private readonly encoded = () => void this.gw.metrics.framesEncoded++;

  tick(): void {
    const frames = new EventFrames({ event: "tick", payload: { ts: this.gw.clock.now() } });
    for (const conn of this.gw.registry.all) {
      if (conn.receivesPushes && offer(this.gw, conn, frames) > 0) this.gw.metrics.ticks++;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer?.kind === "immediate") clearImmediate(this.timer.handle);
    else if (this.timer?.kind === "timeout") clearTimeout(this.timer.handle);
    this.timer = undefined;
  }
}

/** Delta frames of one round, one per base snapshot the delta readers hold (usually just one). */
class DeltaFrames {
  private readonly byBase = new Map<Snapshot, { version: number; frames: EventFrames }>();

  constructor(
    readonly next: Snapshot,
    readonly version: number,
    private readonly encoded: () => void,
    private readonly faults: GatewayFaults,
  ) {}

  from(base: DeltaBase): EventFrames {
    const known = this.byBase.get(base.snapshot);
    if (known?.version === base.version) return known.frames;
    const frames = new EventFrames(deltaPush(base, this.next, this.version, this.faults), this.encoded);
    this.byBase.set(base.snapshot, { version: base.version, frames });
    return frames;
  }
}

function offerDelta(gw: GatewayContext, conn: Connection, deltas: DeltaFrames): number {
  const bytes = offer(gw, conn, deltas.from(conn.deltaBase!));
  if (bytes > 0) conn.deltaBase = { snapshot: deltas.next, version: deltas.version };
  return bytes;
}

/** Sends unless the client is not keeping up (SPEC E2); a missed push still takes a `seq`. Returns bytes sent. */
function offer(gw: GatewayContext, conn: Connection, frames: EventFrames): number {
  if (conn.ws.readyState !== conn.ws.OPEN) return 0;
  if (overBuffer(gw, conn)) {
    conn.eventSeq++;
    gw.metrics.droppedPushes++;
    return 0;
  }
  const bytes = frames.sendTo(conn);
  if (frames.push.event !== "tick") gw.metrics.presencePushes++;
  return bytes;
}

/**
 * hello-ok has been sent: pushes may follow. A round that went out while the hello-ok was on its
 * way is sent now, so the client's first push is the next version after its snapshot.
 */
export function startPushes(gw: GatewayContext, conn: Connection): void {
  if (conn.receivesPushes) return;
  conn.receivesPushes = true;
  if (!hasScope(conn, "operator.read")) return;
  const { version, last, snapshot } = gw.published;
  if (conn.deltaBase) {
    if (snapshot && version > conn.deltaBase.version) offerDelta(gw, conn, new DeltaFrames(snapshot, version, () => gw.metrics.framesEncoded++, gw.options.faults));
  } else if (last && version > (conn.snapshotVersion ?? version)) offer(gw, conn, last);
}

/**
 * `presence.resync` (docs/delta.md D7): the whole list, now, sent whatever the send buffer (it was
 * asked for, like an answer): a `presence.delta` reset to a delta reader (its deltas then continue
 * from it), a `presence` event to the others. Like hello-ok's snapshot it is the current list,
 * labelled with the latest round's version (it may already hold changes a pending round will push).
 *
 * The version is read once the list is in hand: with an asynchronous store (Redis) a round may go
 * out while the list is read, and the client then already has that round's version, maybe with rows
 * newer than this read. The answer is then that round's own list at its version (what its push
 * said; a change since is a pending round), so the client's version never goes down (SPEC E1) and
 * its list never goes back.
 */
export function resync(gw: GatewayContext, conn: Connection): MaybePromise<PresenceResyncResult> {
  const asked = gw.published.version;
  return andThen(gw.snapshots.get(), (read) => {
    const { version, snapshot: pushed } = gw.published;
    const snapshot = version !== asked && pushed ? pushed : read;
    if (conn.ws.readyState === conn.ws.OPEN) {
      if (conn.deltaBase) {
        new EventFrames(resetPush(snapshot, version)).sendTo(conn);
        conn.deltaBase = { snapshot, version };
      } else {
        new EventFrames({ event: "presence", payload: { presence: snapshot.raw() }, stateVersion: { presence: version } }).sendTo(conn);
      }
    }
    return { ok: true, stateVersion: { presence: version } };
  });
}
