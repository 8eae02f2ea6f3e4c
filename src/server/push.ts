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
  private lastVersion = -1;
  private stopped = false;

  constructor(private readonly gw: GatewayContext) {}

  /** A change happened: push once this event-loop turn is over. */
  presenceChanged(): void {
    if (this.stopped || this.immediate !== undefined || this.gw.options.faults.noPresenceEvents) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.flush().catch((error: unknown) => this.gw.log(`error presence push failed: ${String(error)}`));
    });
  }

  private async flush(): Promise<void> {
    const presence = await this.gw.listPresence();
    const version = await this.gw.store.version();
    // Listing may expire rows (a further change, pushed next turn); a version already sent is skipped.
    if (this.stopped || version <= this.lastVersion) return;
    this.lastVersion = version;
    const frame = notification("presence", { presence, stateVersion: { presence: version } });
    for (const conn of this.gw.registry.all) {
      if (conn.receivesPushes && hasScope(conn, "operator.read") && this.offer(conn, frame)) this.gw.metrics.presencePushes++;
    }
  }

  tick(): void {
    const frame = notification("tick", { ts: this.gw.clock.now() });
    for (const conn of this.gw.registry.all) {
      if (conn.receivesPushes && this.offer(conn, frame)) this.gw.metrics.ticks++;
    }
  }

  /** Sends unless the client is not keeping up (SPEC E2). */
  private offer(conn: Connection, frame: string): boolean {
    if (conn.ws.readyState !== conn.ws.OPEN) return false;
    if (conn.ws.bufferedAmount > this.gw.options.maxBufferedBytes) {
      this.gw.metrics.droppedPushes++;
      return false;
    }
    conn.ws.send(frame);
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
  }
}

function notification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}
