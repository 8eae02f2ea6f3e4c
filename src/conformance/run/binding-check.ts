/**
 * Telling a JSON-RPC gateway apart at once on the openclaw binding. That binding waits for
 * `connect.challenge`, which a JSON-RPC gateway never sends: it says nothing until it is asked, so
 * the wait alone only ends at its timeout. When the probe's connection has heard nothing after
 * QUIET_MS (OpenClaw sends its challenge as the socket opens), a second connection asks in JSON-RPC:
 * a request before `connect`, which a SPEC gateway answers with NOT_CONNECTED and records nothing for
 * (H1). An answer in JSON-RPC ends the probe's wait there and then (WireConnection.noteOtherBinding);
 * anything else (an OpenClaw frame, a close, silence) proves nothing and the wait runs on to its
 * timeout, the fallback. The probe's connection itself is never touched.
 */
import type { ScenarioContext } from "./context.js";
import { WireConnection } from "./wire.js";

/** How long the probe's connection may stay silent before the second connection asks. */
export const QUIET_MS = 500;

/** The request the second connection sends: read-only, and refused before `connect` anyway. */
const QUESTION = JSON.stringify({ jsonrpc: "2.0", id: "binding-check", method: "system-presence" });

/** Starts the check beside `conn` (the probe's connection); `stop()` when its handshake is over. */
export function checkForJsonRpc(ctx: ScenarioContext, conn: WireConnection, timeoutMs: number, quietMs = QUIET_MS): { stop(): Promise<void> } {
  let asker: WireConnection | undefined;
  let stopped = false;
  const ask = async () => {
    if (stopped || conn.received.length > 0 || conn.decodeErrors.length > 0 || conn.closeInfo) return;
    try {
      asker = await WireConnection.open(ctx.config.url, "binding-check", ctx.config.binding, ctx.log, undefined, timeoutMs);
      if (stopped) return;
      asker.send(QUESTION);
      // Resolves on a frame of the run's binding (nothing proven), fails at once on a JSON-RPC one.
      await asker.waitFor(() => true, timeoutMs, "answer to the JSON-RPC question", true);
    } catch {
      // A JSON-RPC answer, or no answer at all: only the first is proof.
      if (asker?.otherBinding?.binding === "jsonrpc" && !stopped) {
        conn.noteOtherBinding({ binding: "jsonrpc", evidence: `nothing came within ${quietMs} ms, and a JSON-RPC request on a second connection got a JSON-RPC answer` });
      }
    } finally {
      await asker?.close();
    }
  };
  const timer = setTimeout(() => void ask(), quietMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await asker?.close();
    },
  };
}
