/**
 * SPEC §10 errors as OpenClaw's native error shape `{code, message, details?, retryable?,
 * retryAfterMs?}` (SPEC T2), worded the way OpenClaw 2026.9.x words them where OpenClaw has the
 * error, so OpenClaw's own clients and the SDK's mapping (src/transport/openclaw-errors.ts) both
 * recognise them. docs/gateway.md has the table.
 */
import type { ErrorName, ValidationIssue } from "../../protocol/errors.js";
import type { OpenClawError } from "../../transport/openclaw-errors.js";
import { GatewayError, type ErrorDetails } from "../core/errors.js";

/** A refusal that already has its native OpenClaw shape (device-auth failures). */
export class OpenClawNativeError extends GatewayError {
  constructor(
    name: ErrorName,
    readonly native: OpenClawError,
    details: ErrorDetails = {},
  ) {
    super(name, native.message, details);
  }
}

const NATIVE_CODE: Record<ErrorName, string> = {
  PARSE_ERROR: "INVALID_REQUEST",
  INVALID_REQUEST: "INVALID_REQUEST",
  METHOD_NOT_FOUND: "INVALID_REQUEST",
  INVALID_PARAMS: "INVALID_REQUEST",
  INTERNAL_ERROR: "UNAVAILABLE",
  NOT_CONNECTED: "INVALID_REQUEST",
  PROTOCOL_MISMATCH: "INVALID_REQUEST",
  UNAUTHORIZED: "INVALID_REQUEST",
  FORBIDDEN: "FORBIDDEN",
  RATE_LIMITED: "RATE_LIMITED",
  ALREADY_CONNECTED: "INVALID_REQUEST",
  PAYLOAD_TOO_LARGE: "INVALID_REQUEST",
};

/** The lowest scopes that satisfy each requirement (SPEC H7), as OpenClaw lists `requiredScopes`. */
const REQUIRED_SCOPES: Record<string, string[]> = {
  "operator.read": ["operator.read", "operator.write", "operator.admin"],
  "operator.write": ["operator.write", "operator.admin"],
};

/** `/client/bogus` additionalProperties -> `at /client: unexpected property 'bogus'` (OpenClaw's wording). */
export function formatIssue(issue: ValidationIssue): string {
  const slash = issue.path.lastIndexOf("/");
  const parent = slash <= 0 ? "root" : issue.path.slice(0, slash);
  const last = issue.path.slice(slash + 1).replace(/~1/g, "/").replace(/~0/g, "~");
  if (issue.keyword === "additionalProperties") return `at ${parent}: unexpected property '${last}'`;
  if (issue.keyword === "required") return `at ${parent}: must have required property '${last}'`;
  return `at ${issue.path || "root"}: ${issue.message}`;
}

/** The native error for a contract error. */
export function toOpenClawError(error: GatewayError): OpenClawError {
  if (error instanceof OpenClawNativeError) return error.native;
  const { data } = error;
  const code = NATIVE_CODE[error.errorName];
  switch (error.errorName) {
    case "METHOD_NOT_FOUND":
      return { code, message: `unknown method: ${data.method ?? "?"}` };
    case "INVALID_PARAMS": {
      const issues = data.errors ?? [];
      const message = data.method && issues.length > 0 ? `invalid ${data.method} params: ${issues.map(formatIssue).join("; ")}` : error.message;
      return { code, message, details: { errors: issues } };
    }
    case "NOT_CONNECTED":
      // OpenClaw: "invalid handshake: first request must be connect"; the timeout keeps its own words.
      return { code, message: /handshake timeout/.test(error.message) ? "handshake timeout" : "invalid handshake: first request must be connect" };
    case "PROTOCOL_MISMATCH":
      return {
        code,
        message: "protocol mismatch",
        details: { code: "PROTOCOL_MISMATCH", minProtocol: data.min, maxProtocol: data.max, expectedProtocol: data.max },
      };
    case "FORBIDDEN": {
      const scope = data.missingScope ?? "operator.read";
      const message = /role node/.test(error.message) ? "unauthorized role: node" : `missing scope: ${scope}`;
      return { code, message, details: { code: "MISSING_SCOPE", missingScope: scope, requiredScopes: REQUIRED_SCOPES[scope] ?? [scope] } };
    }
    case "UNAUTHORIZED": {
      // core/handshake.ts words a missing token "... is required".
      const missing = /required/.test(error.message);
      return {
        code,
        message: `unauthorized: gateway token ${missing ? "missing" : "mismatch"} (provide gateway auth token)`,
        details: {
          code: missing ? "AUTH_TOKEN_MISSING" : "AUTH_TOKEN_MISMATCH",
          authReason: missing ? "token_missing" : "token_mismatch",
          canRetryWithDeviceToken: false,
          recommendedNextStep: "update_auth_configuration",
        },
      };
    }
    case "RATE_LIMITED":
      return { code, message: error.message, retryable: true, retryAfterMs: data.retryAfterMs ?? 0, details: { retryAfterMs: data.retryAfterMs ?? 0 } };
    case "PAYLOAD_TOO_LARGE":
      return { code, message: `payload too large: ${error.message}` };
    case "INTERNAL_ERROR":
      // UNAVAILABLE; with the gateway's hint when it has one (overloaded, starting).
      return { code, message: error.message, retryable: true, ...(data.retryAfterMs === undefined ? {} : { retryAfterMs: data.retryAfterMs }) };
    default:
      return { code, message: error.message, ...(data.errors ? { details: { errors: data.errors } } : {}) };
  }
}
