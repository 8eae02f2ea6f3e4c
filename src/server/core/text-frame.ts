/**
 * Writes one unfragmented WebSocket text frame whose payload is several buffers (RFC 6455 §5.2),
 * straight to the TCP socket under `ws`, in one writev: an answer carrying the cached list
 * (hello-ok, `system-presence`) goes out without copying the list into a new buffer per answer
 * (issue 11). `ws.send` takes one buffer, hence this.
 *
 * Writing beside `ws` keeps frames in order only because `ws` writes every frame of ours to the
 * socket synchronously: its sender queues frames only while compressing (the listeners turn
 * permessage-deflate off) or reading a Blob (the gateway sends none).
 */
import type { Duplex } from "node:stream";

/** FIN + opcode 1 (text). Server frames are not masked. */
const FIN_TEXT = 0x81;

export function frameHeader(payloadBytes: number): Buffer {
  if (payloadBytes < 126) return Buffer.from([FIN_TEXT, payloadBytes]);
  if (payloadBytes < 65536) return Buffer.from([FIN_TEXT, 126, payloadBytes >>> 8, payloadBytes & 0xff]);
  const header = Buffer.alloc(10);
  header[0] = FIN_TEXT;
  header[1] = 127;
  header.writeUIntBE(payloadBytes, 4, 6); // 64-bit length; JS sizes fit in the low 48 bits
  return header;
}

/** `chunks` (UTF-8 JSON, `payloadBytes` in all) as one text frame. */
export function writeTextFrame(socket: Duplex, chunks: readonly Buffer[], payloadBytes: number): void {
  socket.cork();
  socket.write(frameHeader(payloadBytes));
  for (const chunk of chunks) socket.write(chunk);
  socket.uncork();
}
