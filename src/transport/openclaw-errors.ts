/**
 * OpenClaw's string error codes -> SPEC §10 names. OpenClaw uses few codes (INVALID_REQUEST covers
 * unknown methods, bad params, handshake failures, role refusals and, in 2026.1.x, missing scopes), so
 * the mapping also reads the message and `details.code`. The native error stays in `data.native`.
 * docs/interop.md lists the table.
 */
import type { ErrorName, ValidationIssue } from "../protocol/errors.js";
import { EMPTY_CODE, type WireError } from "./frames.js";

/** The `error` of an OpenClaw `res` frame. */
export interface OpenClawError {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

interface Rule {
  name: ErrorName;
  message?: RegExp;
  detailCodes?: string[];
}

/** Checked first, in order: the message or `details.code` says more than the native code. */
const RULES: Rule[] = [
  { name: "RATE_LIMITED", detailCodes: ["AUTH_RATE_LIMITED"], message: /^rate limited|too many (requests|failed)/i },
  { name: "PROTOCOL_MISMATCH", detailCodes: ["PROTOCOL_MISMATCH"], message: /^protocol mismatch/i },
  { name: "METHOD_NOT_FOUND", message: /^unknown method\b/i },
  // `INVALID_REQUEST "unauthorized role: <role>"` is OpenClaw's refusal of a method to the connected
  // client's role (a node calling an operator method, or the reverse; src/gateway/server-methods.ts):
  // authorization, like a missing scope, so SPEC H7's FORBIDDEN, not H5's UNAUTHORIZED (token auth).
  // Token and device failures read "unauthorized: ..."; only the prefix OpenClaw itself uses to tell
  // role refusals apart (2026.9.x isUnauthorizedRoleError: "unauthorized role:") is read as FORBIDDEN.
  {
    name: "FORBIDDEN",
    detailCodes: ["MISSING_SCOPE", "CONTROL_UI_ORIGIN_NOT_ALLOWED"],
    message: /^missing scope\b|^origin not allowed|^unauthorized role:/i,
  },
  {
    name: "UNAUTHORIZED",
    detailCodes: ["PAIRING_REQUIRED", "DEVICE_IDENTITY_REQUIRED"],
    message: /^unauthorized\b|^pairing required|^device (signature|identity|nonce|public key)/i,
  },
  { name: "NOT_CONNECTED", message: /^invalid handshake\b|first request must be connect|handshake timeout/i },
  { name: "ALREADY_CONNECTED", message: /already connected/i },
  { name: "PAYLOAD_TOO_LARGE", message: /payload too large|max payload/i },
  { name: "INVALID_PARAMS", message: /^invalid [\w.-]+ params\b|^invalid (role|params)\b|\brequired$/i },
];

/** Then the native code alone. */
const BY_NATIVE_CODE: Record<string, ErrorName> = {
  INVALID_REQUEST: "INVALID_REQUEST",
  FORBIDDEN: "FORBIDDEN",
  NOT_PAIRED: "UNAUTHORIZED",
  RATE_LIMITED: "RATE_LIMITED",
  PROTOCOL_MISMATCH: "PROTOCOL_MISMATCH",
  UNAVAILABLE: "INTERNAL_ERROR",
  AGENT_TIMEOUT: "INTERNAL_ERROR",
};

function detailCode(details: unknown): string | undefined {
  const code = (details as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The SPEC §10 name, or the native code when none fits (e.g. NOT_LINKED); EMPTY_CODE for an unmapped code `""`. */
export function openClawErrorName(error: OpenClawError): ErrorName | string {
  const dc = detailCode(error.details);
  for (const rule of RULES) {
    if ((dc !== undefined && rule.detailCodes?.includes(dc)) || rule.message?.test(error.message)) return rule.name;
  }
  // Own keys only: a gateway's code "constructor" is a code, not Object.prototype's.
  if (Object.hasOwn(BY_NATIVE_CODE, error.code)) return BY_NATIVE_CODE[error.code]!;
  return error.code === "" ? EMPTY_CODE : error.code;
}

/**
 * `invalid system-event params: at /lastInputSeconds: must be number; at root: unexpected property 'x'`
 * -> [{path:"/lastInputSeconds", message:"must be number"}, {path:"", message:..., keyword:"additionalProperties"}].
 */
export function parseOpenClawValidationMessage(message: string): ValidationIssue[] {
  const colon = message.indexOf(": ");
  const body = colon >= 0 && /params$|frame$/i.test(message.slice(0, colon)) ? message.slice(colon + 2) : message;
  return body.split("; ").map((part) => {
    const at = /^at (root|\/[^:]*): (.*)$/s.exec(part);
    const path = at ? (at[1] === "root" ? "" : at[1]!) : "";
    const text = at ? at[2]! : part;
    const issue: ValidationIssue = { path, message: text };
    if (/^unexpected property '([^']*)'/.test(text)) {
      issue.keyword = "additionalProperties";
      issue.path = `${path}/${/^unexpected property '([^']*)'/.exec(text)![1]}`;
    } else if (/must have required property '([^']*)'/.test(text)) issue.keyword = "required";
    else if (/ required$/.test(text)) {
      issue.keyword = "required";
      issue.path = `${path}/${text.replace(/ required$/, "")}`;
    }
    return issue;
  });
}

/** 2026.9.x: `{expectedProtocol: 4, ...}`; the server speaks exactly that version. */
function protocolRange(details: unknown): { min?: number; max?: number } {
  const d = (details ?? {}) as Record<string, unknown>;
  const int = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : undefined);
  const min = int(d.minProtocol) ?? int(d.expectedProtocol);
  const max = int(d.maxProtocol) ?? int(d.expectedProtocol);
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

/**
 * The SDK's typed error for an OpenClaw error: the SPEC §10 name, the message, and `data`, the
 * binding's SPEC-shaped reading (`code`: the name, fields such as `missingScope` derived from the
 * native error, `native`: the error as sent). `sent` is the error as sent too. No numeric `code`:
 * OpenClaw sends none (SPEC T2), and a JSON-RPC number looked up from the name would be a value the
 * gateway never sent.
 */
export function mapOpenClawError(error: OpenClawError): WireError {
  const name = openClawErrorName(error);
  const data: Record<string, unknown> = { code: name, native: error };
  const details = (error.details ?? {}) as Record<string, unknown>;
  if (name === "FORBIDDEN") {
    const scope = typeof details.missingScope === "string" ? details.missingScope : /^missing scope: (\S+)/.exec(error.message)?.[1];
    if (scope) data.missingScope = scope;
  } else if (name === "RATE_LIMITED") {
    const retry = error.retryAfterMs ?? details.retryAfterMs;
    if (typeof retry === "number") data.retryAfterMs = retry;
  } else if (name === "PROTOCOL_MISMATCH") {
    Object.assign(data, protocolRange(error.details));
  } else if (name === "INVALID_PARAMS") {
    data.errors = parseOpenClawValidationMessage(error.message);
  } else if (name === "METHOD_NOT_FOUND") {
    const method = /^unknown method:\s*(.+)$/i.exec(error.message)?.[1];
    if (method) data.method = method;
  }
  return { name, message: error.message, data, sent: error };
}
