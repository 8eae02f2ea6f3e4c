/** How a connection refused by a per-address limit is told, counted and logged. */
import type { Connection } from "../core/connection.js";
import type { GatewayContext } from "../core/context.js";
import { GatewayError } from "../core/errors.js";
import { sendError } from "../core/inbound.js";
import type { Refusal } from "./address-limits.js";

/** WebSocket close code 1013, "Try Again Later". */
export const TRY_AGAIN_LATER = 1013;

/** Logs a rejection line unless the same reason from the same address has filled its share of the log. */
export function logRejection(gw: GatewayContext, conn: Connection, reason: string, message: string): void {
  logThrottled(gw, reason, conn.address, `reject conn=${conn.id} reason=${reason} ${message}`);
}

/**
 * Logs `line` unless `reason` from `address` has filled its share of the log (docs/security.md, "The
 * log under a flood"); the next line logged says how many were left out. For refusals that have no
 * connection yet (a foreign Origin) as for those that have.
 */
export function logThrottled(gw: GatewayContext, reason: string, address: string | undefined, line: string): void {
  const { log, suppressed } = gw.limits.logs.allow(`${reason} ${address ?? "unknown"}`);
  if (!log) return;
  const note = suppressed > 0 ? ` (${suppressed} more like it from this address not logged)` : "";
  gw.log(`${line}${note}`);
}

/**
 * Refuses a connection the moment it opens: RATE_LIMITED with `retryAfterMs` (binding-neutral,
 * answering no request), then close 1013. Nothing else is read from it.
 */
export function refuseConnection(gw: GatewayContext, conn: Connection, refusal: Refusal): void {
  gw.metrics.rejections++;
  gw.metrics.limitRefusals++;
  logRejection(gw, conn, refusal.reason, refusal.message);
  conn.ws.on("error", () => {}); // a close follows; nothing to add
  sendError(gw, conn, new GatewayError("RATE_LIMITED", `${refusal.message}; retry in ${refusal.retryAfterMs} ms`, { retryAfterMs: refusal.retryAfterMs }));
  conn.ws.close(TRY_AGAIN_LATER, refusal.reason.toLowerCase().replace(/_/g, " "));
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
