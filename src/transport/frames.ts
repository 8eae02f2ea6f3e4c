/**
 * What a wire binding decodes a text frame into, on the client side. The client SDK and the
 * conformance harness work only with these, so they run over every binding (SPEC T2).
 */
import type { ErrorName } from "../protocol/errors.js";

export type RequestId = string | number;

/** An error answer, with the SPEC §10 name whatever the binding's native code was. */
export interface WireError {
  /** SPEC §10 name (`INVALID_PARAMS`, `FORBIDDEN`, ...), or the native code when it maps to none (`(no code)`: a JSON-RPC error without one). */
  name: ErrorName | string;
  /** The JSON-RPC numeric code the gateway sent (jsonrpc only; openclaw errors carry string codes alone). */
  code?: number;
  message: string;
  /**
   * jsonrpc: the error's `data` as sent. openclaw: the binding's SPEC-shaped reading (`code` = `name`,
   * `missingScope`, `errors`, ... derived from the native error; see mapOpenClawError), with the native
   * error in `native`.
   */
  data?: Record<string, unknown>;
  /**
   * The error object exactly as the gateway sent it (JSON-RPC's `error`, OpenClaw's `res.error`): what
   * reports show as received, beside the reading above. Both bindings here set it; a binding that does
   * not (written before it existed) is read through sentError().
   */
  sent?: unknown;
}

/**
 * The error as the gateway sent it: `sent`; from a binding that does not keep it, the native error it
 * kept in `data.native` (the openclaw binding's convention before `sent`: a `{code: string, message}`
 * with no JSON-RPC number beside it), else the decoded fields.
 */
export function sentError(error: WireError): unknown {
  if (error.sent !== undefined) return error.sent;
  const native = error.data?.native as { code?: unknown; message?: unknown } | null | undefined;
  if (error.code === undefined && typeof native?.code === "string" && typeof native.message === "string") return native;
  return { ...(error.code !== undefined ? { code: error.code } : {}), message: error.message, ...(error.data !== undefined ? { data: error.data } : {}) };
}

/**
 * The error's code as the gateway sent it: OpenClaw's string code; over JSON-RPC the name in
 * `data.code` when the gateway sent one, else the number. Undefined when the error had no code.
 */
export function sentErrorCode(error: WireError): string | number | undefined {
  const sent = sentError(error) as { code?: unknown; data?: { code?: unknown } } | null | undefined;
  if (typeof sent?.code === "string") return sent.code;
  if (typeof sent?.data?.code === "string") return sent.data.code;
  return typeof sent?.code === "number" ? sent.code : undefined;
}

/**
 * The error's code as a person should read it: the code the gateway sent, and the SPEC §10 name it
 * maps to when that differs (OpenClaw's `UNAVAILABLE` -> `UNAVAILABLE (INTERNAL_ERROR in SPEC §10)`,
 * a JSON-RPC error without `data.code` -> `-32603 (INTERNAL_ERROR in SPEC §10)`), so a message never
 * shows a code the gateway did not send.
 */
export function errorCodeText(error: WireError): string {
  const sent = sentErrorCode(error);
  return sent === undefined || sent === "" || String(sent) === error.name ? error.name : `${sent} (${error.name} in SPEC §10)`;
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
