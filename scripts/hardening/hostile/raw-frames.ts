/**
 * Flooding a WebSocket with tiny frames as a hostile client does: pre-built masked text frames of
 * one byte ("x", 7 bytes on the wire: 2 header bytes, a 4-byte mask key of zeros, the byte) written
 * straight to the TCP socket in 70 KB pieces, so the client's own cost stays far below the gateway's
 * (a `ws.send` per frame is slower than the gateway's answer to it). Used after `connect`, once the
 * client sends nothing else through ws.
 */
import WebSocket from "ws";
import { connectParams } from "../raw-client.js";

const FRAMES_PER_WRITE = 10_000;
/** Not valid JSON: each is answered with a PARSE_ERROR. */
const ONE_BYTE_FRAMES = Buffer.concat(Array.from({ length: FRAMES_PER_WRITE }, () => Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0x78])));

/** The TCP socket under a ws client (ws keeps it as `_socket`). */
export const tcpOf = (ws: WebSocket) => (ws as unknown as { _socket: import("node:net").Socket })._socket;

/**
 * Writes one-byte frames to `ws` until `until` (Date.now() ms) or the socket closes, whenever its
 * own write buffer is under 1 MiB (TCP pushes back once the gateway stops reading); resolves with
 * the number of frames written.
 */
export async function floodOneByteFrames(ws: WebSocket, until: number): Promise<number> {
  const socket = tcpOf(ws);
  let sent = 0;
  while (Date.now() < until && !socket.destroyed && ws.readyState === ws.OPEN) {
    if (socket.writableLength < 1024 * 1024) {
      socket.write(ONE_BYTE_FRAMES);
      sent += FRAMES_PER_WRITE;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return sent;
}

/** A ws client from `localAddress`, connected (jsonrpc, mode `cli`, client id `id`): resolves at hello-ok. */
export async function connectedSocket(url: string, localAddress: string, id: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
  ws.on("error", () => {});
  await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
  const hello = new Promise<string>((resolve) => ws.once("message", (data) => resolve(String(data))));
  ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "connect", params: connectParams({ id, mode: "cli" }) }));
  const answer = await hello;
  if (!answer.includes("hello-ok")) throw new Error(`connect refused: ${answer.slice(0, 200)}`);
  return ws;
}
