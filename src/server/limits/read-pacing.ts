/**
 * How much of a connection is read at a time, so that no client holds the event loop or the
 * gateway's memory for long.
 *
 * - Pacing (takeFrame): ws hands over every frame of a socket read synchronously, and a 64 KB read
 *   of tiny frames is thousands of them: 7-byte junk frames, each answered PARSE_ERROR, kept every
 *   other client waiting 200 ms per read (one flooding client: other clients' round trips 0.4 ms ->
 *   p50 210 ms, p99 400 ms). At most FRAMES_PER_TURN frames of a read are handled at once; the rest
 *   wait, in order, with the socket paused, and are handled FRAMES_PER_TURN per event-loop turn, so
 *   other sockets' reads come in between.
 * - Holding (holdReading): a client that does not read its answers is not read either while its
 *   send buffer is over maxBufferedBytes; reading resumes when the socket has drained (see
 *   core/fanout/slow-consumers.ts for closing one that stays over).
 * A socket paused for either reason resumes only when neither holds (resumeReading).
 * - Pongs (pongFlood): ws parses and reports every control frame of a read at once, and pacing
 *   cannot defer them. A client streaming 6-byte unsolicited pongs (10,000 per 64 KB read) took other
 *   clients' round trips from p50 0.5 ms to 21 ms (one flooder) and 29 ms (four); more than
 *   MAX_PONGS_PER_SECOND in a second drop the connection.
 */
import type { Connection } from "../core/connection.js";
import type { GatewayContext } from "../core/context.js";
import { overBuffer } from "../core/fanout/slow-consumers.js";

/** Frames of one read handled before the others wait for the next event-loop turn. */
export const FRAMES_PER_TURN = 32;

export type FrameHandler = (conn: Connection, data: Buffer, isBinary: boolean) => void;

/** A frame arrived: handled now, or queued behind the ones waiting (pacing). */
export function takeFrame(conn: Connection, data: Buffer, isBinary: boolean, handle: FrameHandler): void {
  // Closing: nothing more is answered (handleFrame would drop it), and the client's close frame must be read.
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  if (conn.backlog !== undefined) {
    conn.backlog.push({ data, isBinary });
    return;
  }
  // A read ends where its callback returns: the tick that uncorks the socket (core/inbound.ts
  // coalesceWrites, scheduled by the read's first frame) resets the count; its own tick only
  // without a socket to uncork (one tick per read, not two: a beacon's read is often one frame).
  if (conn.framesThisRead++ === 0 && (conn.socket === undefined || conn.socket.destroyed)) process.nextTick(endOfRead, conn);
  if (conn.framesThisRead <= FRAMES_PER_TURN) return handle(conn, data, isBinary);
  conn.backlog = [{ data, isBinary }];
  conn.ws.pause();
  setImmediate(handleBacklog, conn, handle);
}

function endOfRead(conn: Connection): void {
  conn.framesThisRead = 0;
}

/** The next FRAMES_PER_TURN waiting frames; again next turn while some are left. */
function handleBacklog(conn: Connection, handle: FrameHandler): void {
  const backlog = conn.backlog;
  if (backlog === undefined) return;
  if (conn.ws.readyState !== conn.ws.OPEN) {
    // Closing: what is left would be dropped unanswered anyway; read on, for the close frame.
    conn.backlog = undefined;
    if (conn.ws.readyState === conn.ws.CLOSING && !conn.readHeld) conn.ws.resume();
    return;
  }
  for (const frame of backlog.splice(0, FRAMES_PER_TURN)) handle(conn, frame.data, frame.isBinary);
  if (backlog.length > 0) return void setImmediate(handleBacklog, conn, handle);
  conn.backlog = undefined;
  resumeReading(conn);
}

/**
 * Stops reading `conn` while its send buffer is over maxBufferedBytes (called after an answer was
 * written): TCP then holds the client's further frames, not the gateway's memory. Reading resumes
 * when the socket has drained; a client that stays over the bound is closed like a stalled reader
 * (overBuffer's timer), or by the keep-alive, whose pongs are not read meanwhile.
 */
export function holdReading(gw: GatewayContext, conn: Connection): void {
  const { ws, socket } = conn;
  // Without writableNeedDrain (a buffer under the socket's highWaterMark, for a tiny maxBufferedBytes)
  // no 'drain' would ever come to resume it.
  if (socket === undefined || conn.readHeld || ws.readyState !== ws.OPEN || !socket.writableNeedDrain || !overBuffer(gw, conn)) return;
  conn.readHeld = true;
  ws.pause();
  gw.metrics.readsHeld++;
  socket.once("drain", () => {
    conn.readHeld = false;
    resumeReading(conn);
  });
}

/** Reads `conn` again unless frames still wait or its send buffer still holds it. */
export function resumeReading(conn: Connection): void {
  const { ws } = conn;
  if (conn.readHeld || conn.backlog !== undefined || ws.readyState !== ws.OPEN || !ws.isPaused) return;
  ws.resume();
}

/**
 * Most pongs a connection may send in one second. The gateway pings once per keep-alive interval
 * and a client answers each; RFC 6455 also allows unsolicited pongs as a heartbeat, a few a second
 * at the most. Far above both.
 */
export const MAX_PONGS_PER_SECOND = 256;

/** Counts a pong of `conn`; true once it has sent more than MAX_PONGS_PER_SECOND within a second. */
export function pongFlood(conn: Connection, now: number = performance.now()): boolean {
  if (now - conn.pongWindowAt >= 1_000) {
    conn.pongWindowAt = now;
    conn.pongsInWindow = 0;
  }
  return ++conn.pongsInWindow > MAX_PONGS_PER_SECOND;
}
