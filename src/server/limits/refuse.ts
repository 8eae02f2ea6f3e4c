/** How a connection or socket refused by a limit (per address, gateway-wide, overload) is told, counted and logged. */
import type { Socket } from "node:net";
import type { Connection } from "../core/connection.js";
import type { GatewayContext } from "../core/context.js";
import { GatewayError } from "../core/errors.js";
import { sendError } from "../core/inbound.js";
import { budgetKey, type Refusal } from "./address-limits.js";

/** WebSocket close code 1013, "Try Again Later". */
export const TRY_AGAIN_LATER = 1013;

/** Logs a rejection line unless the same reason from the same address has filled its share of the log. */
export function logRejection(gw: GatewayContext, conn: Connection, reason: string, message: string): void {
  logThrottled(gw, reason, conn.address, `reject conn=${conn.id} reason=${reason} ${message}`);
}

/**
 * Logs `line` unless `reason` from `address` has filled its share of the log (docs/security.md, "The
 * log under a flood"); the next line logged says how many were left out. For refusals that have no
 * connection yet (a foreign Origin) as for those that have. An IPv6 address shares its /64's share,
 * as it shares its budget (budgetKey): a client stepping through its /64 gets no new share per address.
 */
export function logThrottled(gw: GatewayContext, reason: string, address: string | undefined, line: string): void {
  const { log, suppressed } = gw.limits.logs.allow(`${reason} ${budgetKey(address)}`);
  if (!log) return;
  const note = suppressed > 0 ? ` (${suppressed} more like it from this address not logged)` : "";
  gw.log(`${line}${note}`);
}

/**
 * Refuses a connection the moment it opens (or, when overloaded, at its next frame before
 * `connect`): RATE_LIMITED with `retryAfterMs` for a limit; for OVERLOADED, INTERNAL_ERROR with
 * `retryAfterMs` (OpenClaw's retryable UNAVAILABLE over the openclaw binding; SPEC §10 has no
 * other name for "try again later"). Binding-neutral, answering no request, then close 1013.
 * Nothing else is read from it.
 */
export function refuseConnection(gw: GatewayContext, conn: Connection, refusal: Refusal): void {
  const shed = refusal.reason === "OVERLOADED";
  countRefusal(gw, refusal);
  logRejection(gw, conn, refusal.reason, refusal.message);
  conn.ws.on("error", () => {}); // a close follows; nothing to add
  const message = `${refusal.message}; retry in ${refusal.retryAfterMs} ms`;
  sendError(gw, conn, new GatewayError(shed ? "INTERNAL_ERROR" : "RATE_LIMITED", message, { retryAfterMs: refusal.retryAfterMs }));
  conn.ws.close(TRY_AGAIN_LATER, refusal.reason.toLowerCase().replace(/_/g, " "));
}

/** HTTP statuses a socket is refused with before it is a WebSocket. */
const HTTP_STATUS = { 429: "Too Many Requests", 503: "Service Unavailable" } as const;

/**
 * Refuses a TCP socket whose HTTP request has not been read, or an upgrade request before `ws` reads
 * it (a limit: 429; overloaded or over the gateway's connection rate: 503), with `Retry-After` and
 * `text` as the body (answerSocket), and closes it. Counted and logged (throttled) like a refused
 * connection.
 */
export function refuseSocket(gw: GatewayContext, socket: Socket, address: string, status: keyof typeof HTTP_STATUS, refusal: Refusal, text: string): void {
  countRefusal(gw, refusal);
  logThrottled(gw, refusal.reason, address, `reject socket reason=${refusal.reason} ${refusal.message} address=${address}`);
  answerSocket(socket, status, refusal.retryAfterMs, text);
}

/** Writes a whole HTTP answer (`Retry-After`: whole seconds of `retryAfterMs`, rounded up, at least 1) to a raw socket and closes it. */
export function answerSocket(socket: Socket, status: keyof typeof HTTP_STATUS, retryAfterMs: number, text: string): void {
  socket.on("error", () => {});
  const body = `${text}\n`;
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const head =
    `HTTP/1.1 ${status} ${HTTP_STATUS[status]}\r\nConnection: close\r\nRetry-After: ${retryAfter}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  socket.end(head + body, () => socket.destroy());
}

/** A refusal in `metrics()`: every one in `rejections`, then as overload shedding or as a limit (the connection rate among them). */
export function countRefusal(gw: GatewayContext, refusal: Refusal): void {
  gw.metrics.rejections++;
  if (refusal.reason === "OVERLOADED") gw.metrics.overloadRefusals++;
  else gw.metrics.limitRefusals++;
  if (refusal.reason === "CONNECTION_RATE") gw.metrics.connectionRateRefusals++;
}

/** Waits `ms` (a failed connect's penalty) unless the socket closes first. */
export function holdUnlessClosed(conn: Connection, ms: number): Promise<void> {
  if (ms <= 0 || conn.ws.readyState !== conn.ws.OPEN) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      conn.ws.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    conn.ws.once("close", done);
  });
}
