/** Gateway errors with the SPEC §10 codes; every error's `data.code` carries the name. */
import { createJSONRPCErrorResponse, JSONRPCErrorException, type JSONRPCErrorResponse, type JSONRPCID } from "json-rpc-2.0";
import { ERROR_CODES, type ErrorData, type ErrorName } from "../protocol/errors.js";
import { PresenceInputError } from "../presence/merge.js";
import type { GatewayFaults } from "./faults.js";

export type ErrorDetails = Omit<ErrorData, "code">;

/** A JSON-RPC error of the contract; handlers throw it and the dispatcher answers with it. */
export class GatewayError extends JSONRPCErrorException {
  readonly errorName: ErrorName;
  declare data: ErrorData;

  constructor(name: ErrorName, message: string, details: ErrorDetails = {}) {
    super(message, ERROR_CODES[name], { code: name, ...details });
    // JSONRPCErrorException resets the prototype to its own; restore the subclass's.
    Object.setPrototypeOf(this, new.target.prototype);
    this.errorName = name;
    this.name = "GatewayError";
  }
}

/**
 * The wire error for any thrown value: a GatewayError as it is, fields the store refused as
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

/** Builds the JSON-RPC error response; the `wrongErrorCodes` fault answers INVALID_PARAMS as INTERNAL_ERROR. */
export function errorResponse(id: JSONRPCID, error: GatewayError, faults: GatewayFaults = {}): JSONRPCErrorResponse {
  if (faults.wrongErrorCodes && error.errorName === "INVALID_PARAMS") {
    return createJSONRPCErrorResponse(id, ERROR_CODES.INTERNAL_ERROR, error.message, { ...error.data, code: "INTERNAL_ERROR" });
  }
  return createJSONRPCErrorResponse(id, error.code, error.message, error.data);
}
