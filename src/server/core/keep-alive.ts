/**
 * WebSocket ping/pong keep-alive: a pong refreshes the row's `ts` (SPEC P7; the period is at most
 * TTL/4), and a peer that missed the previous ping is dropped.
 */
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";

export function startKeepAlive(gw: GatewayContext): () => void {
  const intervalMs = gw.options.keepAliveIntervalMs;
  let lastTick = performance.now();
  let stopped = false;
  // Node runs timers before it reads sockets: a round judged in the timer would not see a pong that
  // is already waiting in its socket (it came while this process was busy or descheduled). The round
  // runs after this turn's reads instead (setImmediate: after the poll phase), so such a pong counts.
  // A round that comes more than half an interval late (a long garbage collection, a blocked loop, a
  // starved CPU) judges nobody: the peers may not have been able to answer in time on this machine
  // either; all are pinged again and judged next round. Without these, stalls of 12 ms (interval
  // 10 ms) and 200 ms (interval 75 ms) dropped live peers.
  const timer = setInterval(() => {
    const now = performance.now();
    const stalled = now - lastTick > intervalMs * 1.5;
    lastTick = now;
    setImmediate(() => {
      if (!stopped) round(gw, stalled);
    });
  }, intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Drops the peers that did not answer the previous ping (unless `stalled`), pings the others. */
function round(gw: GatewayContext, stalled: boolean): void {
  for (const conn of gw.registry.all) {
    if (!conn.alive && !stalled) {
      gw.metrics.rejections++;
      gw.log(`reject conn=${conn.id} reason=KEEPALIVE_TIMEOUT no pong within ${gw.options.keepAliveIntervalMs} ms`);
      conn.ws.terminate();
      continue;
    }
    conn.alive = false;
    try {
      conn.ws.ping();
    } catch {
      // The socket is closing; its close event does the bookkeeping.
    }
  }
}

/**
 * A pong: the peer is alive, and its row is refreshed, at most once per half keep-alive interval.
 * The gateway's pings come once per interval, so each answer refreshes; pongs a client sends on its
 * own (RFC 6455 allows them) in between do not: a refresh drops the cached list snapshot, and a
 * flood of 6-byte pongs made every reader's next listing serialize the whole list again.
 */
export function onPong(gw: GatewayContext, conn: Connection): void {
  conn.alive = true;
  const key = conn.key;
  const now = performance.now();
  if (conn.touchedAt !== undefined && now - conn.touchedAt < gw.options.keepAliveIntervalMs / 2) return;
  conn.touchedAt = now;
  if (key !== undefined) {
    gw.store
      .touch(key)
      // The row's ts moved without a change event: the cached snapshot is out of date (not pushed).
      .then(() => gw.snapshots.invalidate())
      .catch((error: unknown) => gw.log(`error keep-alive touch failed: ${String(error)}`));
  }
}
