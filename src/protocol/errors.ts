/** The error table of SPEC §10: name -> JSON-RPC code. */
export const ERROR_CODES = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  NOT_CONNECTED: -32000,
  PROTOCOL_MISMATCH: -32001,
  UNAUTHORIZED: -32002,
  FORBIDDEN: -32003,
  RATE_LIMITED: -32004,
  ALREADY_CONNECTED: -32005,
  PAYLOAD_TOO_LARGE: -32006,
} as const;

export type ErrorName = keyof typeof ERROR_CODES;

/** When each error is returned (SPEC §10); the OpenRPC document carries these texts. */
export const ERROR_DESCRIPTIONS: Record<ErrorName, string> = {
  PARSE_ERROR: "The frame is not JSON.",
  INVALID_REQUEST: "The frame is not a JSON-RPC request.",
  METHOD_NOT_FOUND: "Unknown method.",
  INVALID_PARAMS: "Params fail the schema; data.errors lists the failing paths.",
  INTERNAL_ERROR: "A handler failed.",
  NOT_CONNECTED: "A request arrived before connect (SPEC H1).",
  PROTOCOL_MISMATCH: "No common protocol version (SPEC H3); data has the server's min and max.",
  UNAUTHORIZED: "Missing or wrong auth.token (SPEC H5).",
  FORBIDDEN: "The connection lacks a scope (SPEC H7); data.missingScope names it.",
  RATE_LIMITED: "Too many system-event calls (SPEC B2); data.retryAfterMs says when to retry.",
  ALREADY_CONNECTED: "A second connect on the same connection (SPEC H6).",
  PAYLOAD_TOO_LARGE: "The frame exceeds maxPayload; the connection is then closed with 1009.",
};

/** One schema violation, as listed in `data.errors` of INVALID_PARAMS. */
export interface ValidationIssue {
  /** JSON Pointer of the failing value inside params, e.g. `/client/instanceId` ("" for the root). */
  path: string;
  /** What is wrong, e.g. "must NOT have more than 128 characters". */
  message: string;
  /** The JSON Schema keyword that failed (`required`, `maxLength`, `additionalProperties`, ...). */
  keyword?: string;
}

/**
 * The `data` of every gateway error: `code` carries the name from SPEC §10, the other fields
 * depend on the error.
 */
export interface ErrorData {
  code: ErrorName;
  /** INVALID_PARAMS, PARSE_ERROR, INVALID_REQUEST: what failed, with paths. */
  errors?: ValidationIssue[];
  /**
   * PROTOCOL_MISMATCH: the server's supported range.
   * @TJS-type integer
   */
  min?: number;
  /** @TJS-type integer */
  max?: number;
  /** FORBIDDEN: the lowest sufficient scope. */
  missingScope?: "operator.read" | "operator.write";
  /**
   * RATE_LIMITED: when to retry, in ms.
   * @TJS-type integer
   * @minimum 0
   */
  retryAfterMs?: number;
  /** The method the error concerns, when there is one. */
  method?: string;
}
