/**
 * conform's probe on the openclaw binding tells a JSON-RPC gateway apart at once, as the client does:
 * the check itself (a question in JSON-RPC on a second connection after half a second of silence) is
 * the client's (src/client/binding-check.ts). Here its proof ends the probe connection's waits
 * (WireConnection.noteOtherBinding), and the second connection's frames go to the run's wire log as
 * actor "binding-check".
 */
import { startJsonRpcCheck } from "../../client/binding-check.js";
import type { ScenarioContext } from "./context.js";
import type { WireConnection } from "./wire.js";

/** Starts the check beside `conn` (the probe's connection); `stop()` when its handshake is over. */
export function checkForJsonRpc(ctx: ScenarioContext, conn: WireConnection, timeoutMs: number): { stop(): Promise<void> } {
  return startJsonRpcCheck({
    url: ctx.config.url,
    binding: ctx.config.binding,
    timeoutMs,
    heard: () => conn.received.length > 0 || conn.decodeErrors.length > 0 || conn.closeInfo !== undefined,
    onJsonRpc: ({ evidence }) => conn.noteOtherBinding({ binding: "jsonrpc", evidence }),
    onWire: (dir, text) => void ctx.log.add("binding-check", dir, text),
  });
}
