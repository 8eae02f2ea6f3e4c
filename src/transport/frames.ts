/**
 * What a wire binding decodes a text frame into, on the client side. The client SDK and the
 * conformance harness work only with these, so they run over every binding (SPEC T2).
 */
import type { ErrorName } from "../protocol/errors.js";

export type RequestId = string | number;

/** An error answer, with the SPEC §10 name whatever the binding's native code was. */
export interface WireError {
  /** SPEC §10 name (`INVALID_PARAMS`, `FORBIDDEN`, ...), or the native code when it maps to none. */
  name: ErrorName | string;
  /** The JSON-RPC numeric code the gateway sent (jsonrpc only; openclaw errors carry string codes alone). */
  code?: number;
  message: string;
  data?: Record<string, unknown>;
}

/**
 * The error's code as a person should read it: the gateway's own code, and the SPEC §10 name it maps
 * to when that differs (OpenClaw's `UNAVAILABLE` -> `UNAVAILABLE (INTERNAL_ERROR in SPEC §10)`), so a
 * message never shows a code the gateway did not send. The native code is in `data.native.code`.
 */
export function errorCodeText(error: WireError): string {
  const native = (error.data?.native as { code?: unknown } | undefined)?.code;
  return typeof native === "string" && native !== "" && native !== error.name ? `${native} (${error.name} in SPEC §10)` : error.name;
}

export type InboundFrame =
  | { kind: "result"; id: RequestId; result: unknown }
  | { kind: "error"; id: RequestId | null; error: WireError }
  | { kind: "event"; event: string; payload: unknown; seq?: number; stateVersion?: number };

/**
 * A frame the binding could not make sense of; the text is kept for reports. `otherBinding` names the
 * wire binding the frame belongs to when it is plainly another binding's (a JSON-RPC client that gets
 * OpenClaw's `connect.challenge`): the client then stops at once instead of waiting for a timeout.
 */
export class FrameDecodeError extends Error {
  constructor(
    message: string,
    readonly text: string,
    readonly otherBinding?: "jsonrpc" | "openclaw",
  ) {
    super(message);
    this.name = "FrameDecodeError";
  }
}
