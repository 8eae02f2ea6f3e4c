/**
 * Server pushes (SPEC E1-E3): `presence` after every change, coalesced to one push per event-loop
 * turn; a client whose send buffer is over maxBufferedBytes misses pushes (counted) and never
 * stalls the others; `tick` every tickIntervalMs.
 */
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { hasScope } from "./scopes.js";

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
    const frame = notification("presence", { presence, stateVersion: { presence: version } });
    this.gw.published.lastFrame = frame;
    for (const conn of this.gw.registry.all) {
      if (conn.receivesPushes && hasScope(conn, "operator.read") && offer(this.gw, conn, frame)) this.gw.metrics.presencePushes++;
    }
  }

  tick(): void {
    const frame = notification("tick", { ts: this.gw.clock.now() });
    for (const conn of this.gw.registry.all) {
      if (conn.receivesPushes && offer(this.gw, conn, frame)) this.gw.metrics.ticks++;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
  }
}

/** Sends unless the client is not keeping up (SPEC E2). */
function offer(gw: GatewayContext, conn: Connection, frame: string): boolean {
  if (conn.ws.readyState !== conn.ws.OPEN) return false;
  if (conn.ws.bufferedAmount > gw.options.maxBufferedBytes) {
    gw.metrics.droppedPushes++;
    return false;
  }
  conn.ws.send(frame);
  return true;
}

/**
 * hello-ok has been sent: pushes may follow. A push that went out while the hello-ok was on its way
 * is sent now, so the client's first push is the next version after its snapshot.
 */
export function startPushes(gw: GatewayContext, conn: Connection): void {
  if (conn.receivesPushes) return;
  conn.receivesPushes = true;
  const { version, lastFrame } = gw.published;
  if (lastFrame && version > (conn.snapshotVersion ?? version) && hasScope(conn, "operator.read") && offer(gw, conn, lastFrame)) {
    gw.metrics.presencePushes++;
  }
}

function notification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}
