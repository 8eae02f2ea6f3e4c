/**
 * conform's probe tells a gateway of another binding apart at once, as the client does: the check is
 * the binding's own (`startBindingCheck`; the openclaw binding asks a quiet gateway in JSON-RPC on a
 * second connection, src/transport/binding-check.ts). Here its proof ends the probe connection's waits
 * (WireConnection.noteOtherBinding), and the second connection's frames go to the run's wire log as
 * actor "binding-check".
 */
import WebSocket from "ws";
import type { ScenarioContext } from "./context.js";
import type { WireConnection } from "./wire.js";

/** Starts the binding's check beside `conn` (the probe's connection), if it has one; `stop()` when its handshake is over. */
export function checkBinding(ctx: ScenarioContext, conn: WireConnection, timeoutMs: number): { stop(): Promise<void> } | undefined {
  return ctx.config.binding.startBindingCheck?.({
    url: ctx.config.url,
    timeoutMs,
    WebSocket,
    heard: () => conn.received.length > 0 || conn.decodeErrors.length > 0 || conn.closeInfo !== undefined,
    onOtherBinding: ({ binding, evidence }) => conn.noteOtherBinding({ binding, evidence }),
    onWire: (dir, text) => void ctx.log.add("binding-check", dir, text),
  });
}
