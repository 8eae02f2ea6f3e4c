/**
 * Slow and stalled readers (SPEC E2, issue 14 item 4). A connection whose send buffer is over
 * maxBufferedBytes misses pushes instead of growing it (the buffered frames are shared with every
 * other socket, so a stalled reader costs little memory); one that is still over it
 * slowConsumerTimeoutMs after it first went over is closed with 1008 "slow consumer" (and cut 5 s
 * later if it does not read the close frame either), so a reader that stopped reading cannot hold
 * memory for ever.
 *
 * Answers go the other way round: a client that sends requests and never reads the answers is not
 * read either while its send buffer is over maxBufferedBytes (../../limits/read-pacing.ts holdReading), so
 * what the gateway buffers for it stays near that bound however much it sends.
 */
import type { Connection } from "../connection.js";
import type { GatewayContext } from "../context.js";
import { logRejection } from "../../limits/refuse.js";

/** WebSocket close code and reason for a reader closed for not keeping up. */
export const SLOW_CONSUMER_CLOSE = { code: 1008, reason: "slow consumer" } as const;

const CUT_AFTER_MS = 5_000;

/** Is `conn` over maxBufferedBytes now? The first time, a check is set for slowConsumerTimeoutMs later. */
export function overBuffer(gw: GatewayContext, conn: Connection): boolean {
  if (conn.ws.bufferedAmount <= gw.options.maxBufferedBytes) {
    conn.overBufferSince = undefined;
    return false;
  }
  if (conn.overBufferSince === undefined) {
    conn.overBufferSince = performance.now();
    // One check pending per connection at most (it re-arms itself when the connection went under
    // and over again meanwhile): a listener or timer per episode piled up on a connection that went
    // over and under often, as reading held and resumed (holdReading) does. listener.ts clears it on close.
    conn.slowCheck ??= unrefTimer(() => stillOver(gw, conn), gw.options.slowConsumerTimeoutMs);
  }
  return true;
}

function unrefTimer(run: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(run, ms);
  timer.unref?.();
  return timer;
}

function stillOver(gw: GatewayContext, conn: Connection): void {
  conn.slowCheck = undefined;
  const since = conn.overBufferSince;
  const buffered = conn.ws.bufferedAmount;
  if (since === undefined || conn.ws.readyState !== conn.ws.OPEN) return;
  if (buffered <= gw.options.maxBufferedBytes) {
    conn.overBufferSince = undefined;
    return;
  }
  if (performance.now() - since < gw.options.slowConsumerTimeoutMs) {
    // It went under and over again since: check again when the new period ends.
    conn.slowCheck = unrefTimer(() => stillOver(gw, conn), gw.options.slowConsumerTimeoutMs - (performance.now() - since));
    return;
  }
  gw.metrics.slowConsumers++;
  gw.metrics.rejections++;
  // Through the per-address log throttle like every refusal: 100 stalled readers behind one
  // address (a proxy, a test rig) are 10 lines a minute, not 100; metrics count each one.
  logRejection(
    gw,
    conn,
    "SLOW_CONSUMER",
    `send buffer over maxBufferedBytes (${gw.options.maxBufferedBytes} bytes) for ${Math.round(performance.now() - since)} ms` +
      ` (${buffered} bytes buffered) address=${conn.address ?? "?"}`,
  );
  conn.ws.close(SLOW_CONSUMER_CLOSE.code, SLOW_CONSUMER_CLOSE.reason);
  // Reading held (holdReading): read again, so the client's answer to the close frame is seen
  // (frames it sent meanwhile are dropped unanswered: the connection is closing).
  if (conn.ws.isPaused) conn.ws.resume();
  const cut = setTimeout(() => conn.ws.terminate(), CUT_AFTER_MS);
  cut.unref?.();
  conn.ws.once("close", () => clearTimeout(cut));
}
