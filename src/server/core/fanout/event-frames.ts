/**
 * Writing pushes (issue 11): each push is encoded once per binding that has a recipient, then the
 * same bytes go to every socket (ws frames a Buffer without copying it). A binding with a
 * per-connection `seq` only builds a small head per connection.
 */
import type { EventFrame, Push, ServerBinding } from "../binding.js";
import type { Connection } from "../connection.js";

/** A frame whose bytes are the same for every connection (jsonrpc). */
export function sharedFrame(json: string | Buffer): EventFrame {
  return { kind: "shared", data: typeof json === "string" ? Buffer.from(json, "utf8") : json };
}

/**
 * A frame with a per-connection `seq`: `head(seq) + body` must be the whole JSON text, e.g.
 * head `{"type":"event","seq":7,` and body `"event":"presence","payload":{...}}`.
 */
export function sequencedFrame(head: (seq: number) => string, body: string | Buffer): EventFrame {
  return { kind: "sequenced", head: (seq) => Buffer.from(head(seq), "utf8"), body: typeof body === "string" ? Buffer.from(body, "utf8") : body };
}

/** One push and its frames, encoded lazily, once per binding that has a recipient. */
export class EventFrames {
  private readonly frames = new Map<ServerBinding, EventFrame>();

  /** `encoded` is told about every encoding (the gateway's metrics count them). */
  constructor(
    readonly push: Push,
    private readonly encoded: () => void = () => {},
  ) {}

  frameFor(binding: ServerBinding): EventFrame {
    let frame = this.frames.get(binding);
    if (frame === undefined) {
      this.frames.set(binding, (frame = binding.encodeEvent(this.push)));
      this.encoded();
    }
    return frame;
  }

  /** Writes the push to `conn` with its next `seq`; returns the bytes handed to the socket. */
  sendTo(conn: Connection): number {
    const frame = this.frameFor(conn.binding);
    const seq = ++conn.eventSeq;
    if (frame.kind === "shared") {
      conn.ws.send(frame.data, { binary: false });
      return frame.data.length;
    }
    const head = frame.head(seq);
    conn.ws.send(head, { binary: false, fin: false });
    conn.ws.send(frame.body, { binary: false, fin: true });
    return head.length + frame.body.length;
  }
}
