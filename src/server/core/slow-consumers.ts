/**
 * Slow and stalled readers (SPEC E2, issue 14 item 4). A connection whose send buffer is over
 * maxBufferedBytes misses pushes instead of growing it (the buffered frames are shared with every
 * other socket, so a stalled reader costs little memory); one that stays over it for
 * slowConsumerTimeoutMs is closed with 1008 "slow consumer" (and cut 5 s later if it does not read
 * the close frame either), so a reader that stopped reading cannot hold memory for ever.
 */
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";

/** WebSocket close code and reason for a reader closed for not keeping up. */
export const SLOW_CONSUMER_CLOSE = { code: 1008, reason: "slow consumer" } as const;

const CUT_AFTER_MS = 5_000;

/** Is `conn` over maxBufferedBytes now? Closes it when it has been for slowConsumerTimeoutMs. */
export function overBuffer(gw: GatewayContext, conn: Connection): boolean {
  const buffered = conn.ws.bufferedAmount;
  if (buffered <= gw.options.maxBufferedBytes) {
    conn.overBufferSince = undefined;
    return false;
  }
  const now = performance.now();
  conn.overBufferSince ??= now;
  if (now - conn.overBufferSince >= gw.options.slowConsumerTimeoutMs && conn.ws.readyState === conn.ws.OPEN) {
    gw.metrics.slowConsumers++;
    gw.metrics.rejections++;
    gw.log(
      `reject conn=${conn.id} reason=SLOW_CONSUMER send buffer over maxBufferedBytes (${gw.options.maxBufferedBytes} bytes)` +
        ` for ${Math.round(now - conn.overBufferSince)} ms (${buffered} bytes buffered)`,
    );
    conn.ws.close(SLOW_CONSUMER_CLOSE.code, SLOW_CONSUMER_CLOSE.reason);
    const cut = setTimeout(() => conn.ws.terminate(), CUT_AFTER_MS);
    cut.unref?.();
    conn.ws.once("close", () => clearTimeout(cut));
  }
  return true;
}
