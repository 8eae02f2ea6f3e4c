/**
 * Telling a JSON-RPC gateway apart at once on the openclaw binding. That binding waits for
 * `connect.challenge`, which a JSON-RPC gateway never sends: it says nothing until it is asked, so
 * the wait alone only ends at its timeout (5 s). When the connection has heard nothing after
 * QUIET_MS (OpenClaw sends its challenge as the socket opens), a second connection asks in JSON-RPC:
 * a request before `connect`, which a SPEC gateway answers with NOT_CONNECTED and records nothing for
 * (H1). An answer in JSON-RPC is the proof (`onOtherBinding`); anything else (an OpenClaw frame, a close,
 * silence) proves nothing and the wait runs on to its timeout, the fallback. The checked connection
 * itself is never touched.
 *
 * The openclaw binding offers it as `startBindingCheck` (binding.ts), which the client
 * (createPresenceClient, so the CLI's list, watch and doctor) and conform's probe start beside a
 * connection that has just opened. It lives with the binding, not in the client, so a client of the
 * jsonrpc binding alone (a browser bundle) does not carry it.
 */
import type { BindingCheck, BindingCheckContext, CheckSocket } from "./binding.js";
import { FrameDecodeError } from "./frames.js";

/** How long the checked connection may stay silent before the second connection asks (ms). */
export const QUIET_MS = 500;

/** The request the second connection sends: read-only, and refused before `connect` anyway (H1). */
export const JSONRPC_QUESTION = JSON.stringify({ jsonrpc: "2.0", id: "binding-check", method: "system-presence" });

export interface JsonRpcCheckOptions extends BindingCheckContext {
  /** The checked binding's decoder: an answer it refuses as the jsonrpc binding's frame is the proof. */
  decode(text: string): unknown;
  /** Completes the client's message after the evidence: what to do about it. */
  advice: string;
  quietMs?: number;
}

/** Starts the check beside a connection that has just opened; `stop()` when its handshake is over. */
export function startJsonRpcCheck(options: JsonRpcCheckOptions): BindingCheck {
  const quietMs = options.quietMs ?? QUIET_MS;
  let stopped = false;
  let asking: { close(): Promise<void> } | undefined;
  const timer = setTimeout(() => {
    if (stopped || options.heard()) return;
    asking = ask(options, (answer) => {
      if (stopped) return;
      const evidence = `nothing came within ${quietMs} ms, and a JSON-RPC request on a second connection got a JSON-RPC answer`;
      options.onOtherBinding({ binding: "jsonrpc", evidence, message: `no connect.challenge: ${evidence}: ${options.advice}`, answer });
    });
  }, quietMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await asking?.close();
    },
  };
}

/** Opens the second connection, asks, and calls `proven` if the first answer is JSON-RPC; closes after that first answer. */
function ask(options: JsonRpcCheckOptions, proven: (answer: string) => void): { close(): Promise<void> } {
  const Impl = options.WebSocket;
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  let socket: CheckSocket;
  options.onWire?.("meta", `open ${options.url}`);
  try {
    socket = new Impl(options.url);
  } catch {
    closed();
    return { close: () => done };
  }
  const close = () => {
    clearTimeout(timer);
    socket.onmessage = null;
    try {
      socket.close(1000);
    } catch {
      // not open yet in some implementations: the close event follows anyway
    }
    // Not waiting for ever on a peer that does not answer the close.
    const late = setTimeout(closed, 1000);
    return done.finally(() => clearTimeout(late));
  };
  const timer = setTimeout(close, options.timeoutMs);
  socket.onerror = () => {}; // a close event follows
  socket.onclose = (event) => {
    clearTimeout(timer);
    options.onWire?.("meta", `close ${event?.code ?? 1006}`);
    closed();
  };
  socket.onopen = () => {
    options.onWire?.("send", JSONRPC_QUESTION);
    socket.send(JSONRPC_QUESTION);
  };
  socket.onmessage = (event) => {
    const text = typeof event.data === "string" ? event.data : "";
    options.onWire?.("recv", text);
    if (answersInJsonRpc(options.decode, text)) proven(text);
    void close();
  };
  return { close };
}

/** Whether the checked binding reads `text` as a frame of the jsonrpc binding. */
function answersInJsonRpc(decode: (text: string) => unknown, text: string): boolean {
  try {
    decode(text);
    return false;
  } catch (error) {
    return error instanceof FrameDecodeError && error.otherBinding === "jsonrpc";
  }
}
