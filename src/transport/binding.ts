import type { InboundFrame, RequestId } from "./frames.js";

export type BindingName = "jsonrpc" | "openclaw";

/** Encodes requests and decodes inbound text frames for one wire binding (SPEC T2). */
export interface ClientBinding {
  readonly name: BindingName;
  /** Protocol versions this binding speaks (SPEC H3). */
  readonly protocol: { min: number; max: number };
  encodeRequest(id: RequestId, method: string, params: unknown): string;
  /** One text frame can hold several messages (a JSON-RPC batch answer). Throws FrameDecodeError. */
  decode(text: string): InboundFrame[];
}
