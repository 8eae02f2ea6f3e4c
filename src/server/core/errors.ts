/**
 * Gateway errors with the SPEC §10 names, binding-neutral: handlers throw them and each wire binding
 * encodes them its own way (JSON-RPC numeric codes, OpenClaw string codes). `data.code` carries the name.
 */
import { ERROR_CODES, type ErrorData, type ErrorName } from "../../protocol/errors.js";
import { PresenceInputError } from "../../presence/merge.js";
import type { GatewayFaults } from "../faults.js";

export type ErrorDetails = Omit<ErrorData, "code">;

/** An error of the contract (SPEC §10): name, message and data (`data.code` = name). */
export class GatewayError extends Error {
  readonly errorName: ErrorName;
  /** The SPEC §10 numeric code (the jsonrpc binding's `error.code`). */
  readonly code: number;
  readonly data: ErrorData;

  constructor(name: ErrorName, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = "GatewayError";
    this.errorName = name;
    this.code = ERROR_CODES[name];
    this.data = { code: name, ...details };
  }
}

/**
 * The contract error for any thrown value: a GatewayError as it is, fields the store refused as
 * INVALID_PARAMS, anything else INTERNAL_ERROR.
 */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof PresenceInputError) {
    // "presence store: scopes[0] must be a non-empty string, ..." -> path /scopes/0
    const detail = error.message.replace(/^presence store: /, "");
    const field = /^(\w+)(?:\[(\d+)\])?/.exec(detail);
    const path = field ? `/${field[1]}${field[2] === undefined ? "" : `/${field[2]}`}` : "";
    return new GatewayError("INVALID_PARAMS", `invalid params: ${detail}`, { errors: [{ path, message: detail }] });
  }
  return new GatewayError("INTERNAL_ERROR", "internal error");
}

/**
 * The error as it goes on the wire: the `wrongErrorCodes` fault answers INVALID_PARAMS as
 * INTERNAL_ERROR; `errorPathsFromRequest` roots its data.errors paths at the request (`/params/x`).
 */
export function wireError(error: GatewayError, faults: GatewayFaults = {}): GatewayError {
  if (error.errorName !== "INVALID_PARAMS" || !(faults.wrongErrorCodes || faults.errorPathsFromRequest)) return error;
  const { code: _code, ...details } = error.data;
  if (faults.wrongErrorCodes) return new GatewayError("INTERNAL_ERROR", error.message, details);
  const errors = Array.isArray(details.errors) ? details.errors.map((e) => ({ ...e, path: `/params${e.path}` })) : details.errors;
  return new GatewayError("INVALID_PARAMS", error.message, { ...details, errors });
}
