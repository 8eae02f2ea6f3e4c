/**
 * One inbound frame, for every binding: the size cap (SPEC B3), text frames only and JSON (T1, B1),
 * then the connection's binding; answers go out before any close the frame asked for, and pushes
 * may start once hello-ok is out.
 */
import type { Duplex } from "node:stream";
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { GatewayError, wireError } from "./errors.js";
import { startPushes } from "./fanout/push.js";
import { holdReading } from "../limits/read-pacing.js";
import { ChunkedJson, type EncodedJson } from "./fanout/raw-json.js";
import { writeTextFrame } from "./text-frame.js";
import { isPromise, type MaybePromise } from "./maybe-promise.js";
import { logRejection, refuseConnection } from "../limits/refuse.js";

export function handleFrame(gw: GatewayContext, conn: Connection, data: Buffer, isBinary: boolean): MaybePromise<void> {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  // Overloaded: a client that is not connected yet is sent away before its frame costs anything.
  if (!conn.connected) {
    const shed = gw.overload.refusal();
    if (shed) return refuseConnection(gw, conn, shed);
  }
  const { maxPayload } = gw.options;

  if (data.byteLength > maxPayload) {
    const message = `frame of ${data.byteLength} bytes exceeds maxPayload (${maxPayload} bytes)`;
    sendError(gw, conn, new GatewayError("PAYLOAD_TOO_LARGE", message));
    gw.metrics.rejections++;
    gw.log(`reject conn=${conn.id} reason=PAYLOAD_TOO_LARGE ${message}`);
    conn.ws.close(1009, "payload too large");
    return;
  }
  if (isBinary) return sendError(gw, conn, invalidRequest("binary frames are not accepted: send UTF-8 JSON text frames", ""));

  const text = data.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return sendError(gw, conn, new GatewayError("PARSE_ERROR", `parse error: not JSON (${detail})`, { errors: [{ path: "", message: detail }] }));
  }

  // Frames of one connection are handled one at a time (listener.ts inOrder): this holds until the method runs.
  conn.frameHasEscapes = text.includes("\\u");
  const answer = conn.binding.receive(conn, parsed, text);
  return isPromise(answer) ? answer.then((text) => answered(gw, conn, text)) : answered(gw, conn, answer);
}

/** The answer goes out before any close the frame asked for; pushes may start once hello-ok is out. */
function answered(gw: GatewayContext, conn: Connection, answer: EncodedJson | undefined): void {
  if (answer !== undefined) send(gw, conn, answer);
  if (conn.connected) startPushes(gw, conn);
  if (conn.closeAfterReply) conn.ws.close(conn.closeAfterReply.code, conn.closeAfterReply.reason);
}

/**
 * Answers to the frames of one socket read leave the process in one write (issue 11): a client with
 * several requests in flight gets their answers in one syscall, not one each. The socket is corked
 * when a frame arrives (ws hands over every frame of a read synchronously) and uncorked once that
 * read's callback has returned (process.nextTick: no extra event-loop turn, which cost a sequential
 * caller more than the write it saved). An answer that takes longer (a remote store) is written at once.
 */
export function coalesceWrites(conn: Connection): void {
  const socket = conn.socket;
  if (socket === undefined || conn.corked || socket.destroyed) return;
  conn.corked = true;
  socket.cork();
  process.nextTick(uncork, conn, socket);
}

function uncork(conn: Connection, socket: Duplex): void {
  conn.corked = false;
  conn.framesThisRead = 0; // the read is over (limits/read-pacing.ts takeFrame)
  socket.uncork();
}

export function invalidRequest(message: string, path: string): GatewayError {
  return new GatewayError("INVALID_REQUEST", `invalid request: ${message}`, { errors: [{ path, message }] });
}

/** Sends an error that answers no request, in the connection's binding (if it has a frame for it). */
export function sendError(gw: GatewayContext, conn: Connection, error: GatewayError): void {
  const text = conn.binding.encodeError(wireError(error, gw.options.faults));
  if (text !== undefined) send(gw, conn, text);
}

/**
 * Sends one answer (JSON text, or its UTF-8 bytes, whole or in chunks: one text frame either way).
 * A client that does not read its answers is not read either while its send buffer is over
 * maxBufferedBytes (holdReading), and is dropped before that buffer grows without bound.
 */
export function send(gw: GatewayContext, conn: Connection, json: EncodedJson): void {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  const limit = Math.max(16 * 1024 * 1024, 8 * gw.options.maxBufferedBytes);
  if (conn.ws.bufferedAmount > limit) {
    gw.metrics.rejections++;
    logRejection(gw, conn, "SLOW_CONSUMER", `send buffer over ${limit} bytes address=${conn.address ?? "?"}`);
    conn.ws.terminate();
    return;
  }
  if (!(json instanceof ChunkedJson)) conn.ws.send(json, TEXT_FRAME);
  else if (conn.socket === undefined) conn.ws.send(json.join(), TEXT_FRAME);
  else writeTextFrame(conn.socket, json.chunks, json.byteLength);
  holdReading(gw, conn);
}

const TEXT_FRAME = { binary: false } as const;
