/**
 * One inbound frame: size cap, JSON parse, batches, the request envelope, the handshake gate
 * (SPEC H1, H6), then dispatch. Answers go out before any close the frame asked for.
 */
import type { JSONRPCResponse, JSONRPCServer } from "json-rpc-2.0";
import { startPushes } from "./push.js";
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { checkEnvelope } from "./request-envelope.js";
import { errorResponse, GatewayError } from "./rpc-errors.js";

/** Most requests in one batch; a larger batch is answered with one INVALID_REQUEST. */
export const MAX_BATCH = 100;

export async function handleFrame(
  gw: GatewayContext,
  rpc: JSONRPCServer<Connection>,
  conn: Connection,
  data: Buffer,
  isBinary: boolean,
): Promise<void> {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  const { faults, maxPayload } = gw.options;
  const reply = (response: JSONRPCResponse | JSONRPCResponse[]): void => send(gw, conn, JSON.stringify(response));
  const fail = (error: GatewayError): void => reply(errorResponse(null, error, faults));

  if (data.byteLength > maxPayload) {
    const message = `frame of ${data.byteLength} bytes exceeds maxPayload (${maxPayload} bytes)`;
    fail(new GatewayError("PAYLOAD_TOO_LARGE", message));
    gw.metrics.rejections++;
    gw.log(`reject conn=${conn.id} reason=PAYLOAD_TOO_LARGE ${message}`);
    conn.ws.close(1009, "payload too large");
    return;
  }
  if (isBinary) return fail(invalidRequest("binary frames are not accepted: send UTF-8 JSON text frames", ""));

  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return fail(new GatewayError("PARSE_ERROR", `parse error: not JSON (${detail})`, { errors: [{ path: "", message: detail }] }));
  }

  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return fail(invalidRequest("empty batch", ""));
    if (parsed.length > MAX_BATCH) return fail(invalidRequest(`batch of ${parsed.length} requests; at most ${MAX_BATCH}`, ""));
    const responses: JSONRPCResponse[] = [];
    for (const entry of parsed) {
      const response = await handleEntry(gw, rpc, conn, entry, true);
      if (response) responses.push(response);
    }
    if (responses.length > 0) reply(responses);
  } else {
    const response = await handleEntry(gw, rpc, conn, parsed, false);
    if (response) reply(response);
  }
  if (conn.connected) startPushes(gw, conn);
  if (conn.closeAfterReply) conn.ws.close(conn.closeAfterReply.code, conn.closeAfterReply.reason);
}

async function handleEntry(
  gw: GatewayContext,
  rpc: JSONRPCServer<Connection>,
  conn: Connection,
  entry: unknown,
  inBatch: boolean,
): Promise<JSONRPCResponse | null> {
  const { faults } = gw.options;
  const envelope = checkEnvelope(entry);
  if (!envelope.ok) {
    const message = `invalid request: ${envelope.issues.map((i) => `${i.path || "(root)"} ${i.message}`).join("; ")}`;
    return errorResponse(envelope.id, new GatewayError("INVALID_REQUEST", message, { errors: envelope.issues }), faults);
  }
  const { request } = envelope;
  const gate = handshakeGate(conn, request.method, inBatch);
  if (gate) return request.id === undefined ? null : errorResponse(request.id, gate, faults);
  if (conn.closeAfterReply) return null;
  return rpc.receive(request, conn);
}

/** SPEC H1 (a batch before connect: every entry, connect included) and H6. */
function handshakeGate(conn: Connection, method: string, inBatch: boolean): GatewayError | undefined {
  if (method === "connect" && conn.connected) {
    return new GatewayError("ALREADY_CONNECTED", "already connected: connect may be sent once per connection", { method });
  }
  if (!conn.connected && (method !== "connect" || inBatch)) {
    const why = inBatch ? "connect must be sent alone, before any batch" : "send connect first";
    return new GatewayError("NOT_CONNECTED", `not connected: ${why}`, { method });
  }
  return undefined;
}

function invalidRequest(message: string, path: string): GatewayError {
  return new GatewayError("INVALID_REQUEST", `invalid request: ${message}`, { errors: [{ path, message }] });
}

/** A client that does not read its answers is dropped before its send buffer grows without bound. */
function send(gw: GatewayContext, conn: Connection, text: string): void {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  const limit = Math.max(16 * 1024 * 1024, 8 * gw.options.maxBufferedBytes);
  if (conn.ws.bufferedAmount > limit) {
    gw.metrics.rejections++;
    gw.log(`reject conn=${conn.id} reason=SLOW_CONSUMER send buffer over ${limit} bytes`);
    conn.ws.terminate();
    return;
  }
  conn.ws.send(text);
}
