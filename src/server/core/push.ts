/**
 * Server pushes (SPEC E1-E3), for every binding: `presence` after every change, coalesced to one
 * push per event-loop turn; a client whose send buffer is over maxBufferedBytes misses pushes
 * (counted, and its `seq` still advances so it can see the gap) and never stalls the others;
 * `tick` every tickIntervalMs. Each push is encoded once per binding (see EventFrames).
 */
import type { EventFrame, Push, ServerBinding } from "./binding.js";
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { hasScope } from "./scopes.js";

/** One push and its frames, encoded lazily, once per binding that has a recipient. */
export class EventFrames {
  private readonly frames = new Map<ServerBinding, EventFrame>();

  constructor(readonly push: Push) {}

  /** The text for this connection: its binding's encoding, with its next `seq`. */
  textFor(conn: Connection): string {
    let frame = this.frames.get(conn.binding);
    if (frame === undefined) this.frames.set(conn.binding, (frame = conn.binding.encodeEvent(this.push)));
    return frame(++conn.eventSeq);
  }
}

export class Pusher {
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private dirty = false;
  private stopped = false;

  constructor(private readonly gw: GatewayContext) {}

  /** A change happened: push once this event-loop turn is over. */
  presenceChanged(): void {
    this.dirty = true;
    if (this.stopped || this.immediate !== undefined || this.gw.options.faults.noPresenceEvents) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.flush().catch((error: unknown) => this.gw.log(`error presence push failed: ${String(error)}`));
    });
  }

  private async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    // Listing may expire rows: a further change, pushed next turn.
    const presence = await this.gw.listPresence();
    if (this.stopped) return;
    const version = ++this.gw.published.version;
    const frames = new EventFrames({ event: "presence", payload: { presence }, stateVersion: { presence: version } });
    this.gw.published.last = frames;
    for (const conn of this.gw.registry.all) {
      if (conn.receivesPushes && hasScope(conn, "operator.read") && offer(this.gw, conn, frames)) this.gw.metrics.presencePushes++;
    }
  }

  tick(): void {
    const frames = new EventFrames({ event: "tick", payload: { ts: this.gw.clock.now() } });
    for (const conn of this.gw.registry.all) {
      if (conn.receivesPushes && offer(this.gw, conn, frames)) this.gw.metrics.ticks++;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
  }
}

/** Sends unless the client is not keeping up (SPEC E2); a missed push still takes a `seq`. */
function offer(gw: GatewayContext, conn: Connection, frames: EventFrames): boolean {
  if (conn.ws.readyState !== conn.ws.OPEN) return false;
  if (conn.ws.bufferedAmount > gw.options.maxBufferedBytes) {
    conn.eventSeq++;
    gw.metrics.droppedPushes++;
    return false;
  }
  conn.ws.send(frames.textFor(conn));
  return true;
}

/**
 * hello-ok has been sent: pushes may follow. A push that went out while the hello-ok was on its way
 * is sent now, so the client's first push is the next version after its snapshot.
 */
export function startPushes(gw: GatewayContext, conn: Connection): void {
  if (conn.receivesPushes) return;
  conn.receivesPushes = true;
  const { version, last } = gw.published;
  if (last && version > (conn.snapshotVersion ?? version) && hasScope(conn, "operator.read") && offer(gw, conn, last)) {
    gw.metrics.presencePushes++;
  }
}
