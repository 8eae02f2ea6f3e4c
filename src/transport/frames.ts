/**
 * What a wire binding decodes a text frame into, on the client side. The client SDK and the
 * conformance harness work only with these, so they run over every binding (SPEC T2).
 */
import type { ErrorName } from "../protocol/errors.js";

export type RequestId = string | number;

/** The name of an error that carries no code (JSON-RPC requires one): no text quotes a code the gateway did not send. */
export const NO_CODE = "(no code)";
/** The name of an error whose code is the empty string, which names nothing (`m: : boom` would be unreadable). */
export const EMPTY_CODE = "(empty code)";

/** An error answer, with the SPEC §10 name whatever the binding's native code was. */
export interface WireError {
  /**
   * SPEC §10 name (`INVALID_PARAMS`, `FORBIDDEN`, ...), or the native code when it maps to none;
   * NO_CODE (`(no code)`) for an error without a code, EMPTY_CODE (`(empty code)`) for one whose code
   * is `""`.
   */
  name: ErrorName | string;
  /**
   * The JSON-RPC numeric code the gateway sent (jsonrpc only; openclaw errors carry string codes alone).
   * Only ever a number: a code that is missing or not a number is absent here and kept in `sent` (and
   * `name`); the harness reports it as a W1 `error-codes` finding (JSON-RPC 2.0 §5.1: an integer).
   */
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

/** The `code` member of the error as sent (sentError), whatever its type; undefined when there is none. */
export function sentCode(error: WireError): unknown {
  return (sentError(error) as { code?: unknown } | null | undefined)?.code;
}

/**
 * The error's code as the gateway sent it: over JSON-RPC the name in `data.code` when the gateway sent
 * one (an empty one names nothing and counts as none), else the code: OpenClaw's string code, a
 * JSON-RPC number (or string). Undefined when the error had no code.
 */
export function sentErrorCode(error: WireError): string | number | undefined {
  const sent = sentError(error) as { code?: unknown; data?: { code?: unknown } } | null | undefined;
  if (typeof sent?.data?.code === "string" && sent.data.code !== "") return sent.data.code;
  return typeof sent?.code === "string" || typeof sent?.code === "number" ? sent.code : undefined;
}

/**
 * The error's code as a person should read it: the code the gateway sent, and the SPEC §10 name it
 * maps to when that differs (OpenClaw's `UNAVAILABLE` -> `UNAVAILABLE (INTERNAL_ERROR in SPEC §10)`,
 * a JSON-RPC error without `data.code` -> `-32603 (INTERNAL_ERROR in SPEC §10)`), so a message never
 * shows a code the gateway did not send. An empty code reads `(empty code)`, or `""` before the name
 * the binding read from elsewhere (OpenClaw's message: `"" (METHOD_NOT_FOUND in SPEC §10)`).
 */
export function errorCodeText(error: WireError): string {
  const sent = sentErrorCode(error);
  if (sent === undefined || String(sent) === error.name) return error.name;
  if (sent === "" && error.name === EMPTY_CODE) return EMPTY_CODE;
  return `${sent === "" ? '""' : sent} (${error.name} in SPEC §10)`;
}

export type InboundFrame =
  | { kind: "result"; id: RequestId; result: unknown }
  | { kind: "error"; id: RequestId | null; error: WireError }
  | { kind: "event"; event: string; payload: unknown; seq?: number; stateVersion?: number };

/** How each wire binding is named in messages. */
const SPOKEN = { jsonrpc: "JSON-RPC", openclaw: "OpenClaw's native frames" } as const;

/**
 * What a client of one binding is told when a frame shows the gateway speaks the other: what came,
 * what that means and what to do: `the gateway sent an OpenClaw "connect.challenge" event, so it
 * speaks OpenClaw's native frames, not JSON-RPC: connect with binding "openclaw" (CLI: --binding openclaw)`.
 */
export function otherBindingMessage(received: string, speaks: keyof typeof SPOKEN): string {
  const other = speaks === "jsonrpc" ? "openclaw" : "jsonrpc";
  return `the gateway sent ${received}, so it speaks ${SPOKEN[speaks]}, not ${SPOKEN[other]}: connect with binding "${speaks}" (CLI: --binding ${speaks})`;
}

/** What a client of another binding is told when the gateway shows it speaks JSON-RPC. */
export const SPEAKS_JSONRPC = 'this gateway speaks JSON-RPC; connect with binding "jsonrpc" (CLI: --binding jsonrpc)';

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
