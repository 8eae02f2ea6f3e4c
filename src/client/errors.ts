/** The two error types every client call rejects with: one from the gateway, one from the wire. */
import type { ErrorName, ValidationIssue } from "../protocol/errors.js";
import { errorCodeText, FrameDecodeError, type WireError } from "../transport/frames.js";
import { classifyTlsFailure, type CertificateProblem, type TlsProblem } from "../transport/tls-problems.js";

/**
 * The gateway answered with an error (SPEC §10): `code` is the table's name, `data` its details (over
 * openclaw the binding's SPEC-shaped reading, `data.native` the error as sent). The message shows the
 * code the gateway sent when it differs from the name (`connect: UNAVAILABLE (INTERNAL_ERROR in SPEC
 * §10): gateway starting`; a JSON-RPC error without data.code: `-32603 (INTERNAL_ERROR in SPEC §10)`).
 */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  /** SPEC §10 name (`UNAUTHORIZED`, `RATE_LIMITED`, ...), or the native code when it maps to none. */
  readonly code: ErrorName | string;
  /** The JSON-RPC numeric code the gateway sent (jsonrpc only; openclaw errors carry string codes alone). */
  readonly rpcCode: number | undefined;
  readonly data: Record<string, unknown> | undefined;
  /** The method the failed request called. */
  readonly method: string | undefined;

  /**
   * `listedMethods`: hello-ok's `features.methods` on the connection that got the answer, when known
   * (the client passes them): a method missing from it gets no "the gateway wants more" hint.
   */
  constructor(error: WireError, method?: string, context: { listedMethods?: readonly string[]; role?: string } = {}) {
    const hint = roleNodeHint(error, method, context.role) ?? beyondContractHint(error, method, context.listedMethods);
    // The reference gateway's messages start with the method ("system-event: missing scope: ..."): said once.
    const said = method && error.message.startsWith(`${method}: `) ? error.message.slice(method.length + 2) : error.message;
    super(`${method ? `${method}: ` : ""}${errorCodeText(error)}: ${said}${hint ? ` (${hint})` : ""}`);
    this.code = error.name;
    this.rpcCode = error.code;
    this.data = error.data;
    this.method = method;
  }

  /** RATE_LIMITED: when to retry, in ms (from `data.retryAfterMs`). */
  get retryAfterMs(): number | undefined {
    const value = this.data?.retryAfterMs;
    return typeof value === "number" ? value : undefined;
  }

  /**
   * INVALID_PARAMS (also PARSE_ERROR, INVALID_REQUEST): what failed, from `data.errors` (SPEC §10):
   * `[{path, message, keyword?}]`, `path` a JSON Pointer into the params (`/reason`; "" the params
   * themselves). Over openclaw, parsed from OpenClaw's message. Only well-formed items; undefined
   * when the gateway sent none.
   */
  get issues(): ValidationIssue[] | undefined {
    const list = this.data?.errors;
    if (!Array.isArray(list)) return undefined;
    return list.filter(
      (item): item is ValidationIssue =>
        item !== null && typeof item === "object" && typeof item.path === "string" && typeof item.message === "string",
    );
  }

  /**
   * FORBIDDEN: the scope the connection lacks (`data.missingScope`, SPEC H7: `operator.read` or
   * `operator.write`; OpenClaw names `operator.admin` where it wants more than the contract).
   */
  get missingScope(): string | undefined {
    const value = this.data?.missingScope;
    return typeof value === "string" ? value : undefined;
  }
}

/**
 * A connection with role `node` may call neither system-event nor system-presence (SPEC H7): no scope
 * fixes that (the reference gateway still names operator.write as missingScope), so say what does.
 * Known by the client's role, or by the words every gateway seen says it in ("unauthorized role: node":
 * the reference gateway over openclaw, OpenClaw 2026.1.30 and 2026.9.6; "role node may not call it").
 */
function roleNodeHint(error: WireError, method: string | undefined, role: string | undefined): string | undefined {
  if (error.name !== "FORBIDDEN" || !(role === "node" || /\brole:? node\b/.test(error.message))) return undefined;
  return (
    `a connection with role "node" may call neither system-event nor system-presence (SPEC H7), whatever its scopes: ` +
    `its row comes from its connection (reason node-connected, SPEC P4) and stays fresh while it is connected (P7), so a node needs no beacons; ` +
    `to send beacons${method === "system-presence" ? " or list presence" : ""}, use a second client with role "operator" (scope ${method === "system-presence" ? "operator.read" : "operator.write"})`
  );
}

/**
 * What to pass when a gateway (OpenClaw) asks for more than the contract: `operator.admin` where SPEC
 * H7 says operator.write/read suffice, a `text` that SPEC M2 makes optional. OpenClaw also asks
 * operator.admin for every method it does not have (an admin then gets "unknown method"): for a
 * method hello-ok does not list, that is said instead of advice that would not help.
 */
function beyondContractHint(error: WireError, method: string | undefined, listedMethods: readonly string[] | undefined): string | undefined {
  const what = method ?? "this call";
  if (error.name === "FORBIDDEN" && error.data?.missingScope === "operator.admin") {
    if (method !== undefined && listedMethods !== undefined && !listedMethods.includes(method)) {
      return (
        `${method} is not among the methods this gateway lists in hello-ok (features.methods): it may not have it at all ` +
        `(OpenClaw asks operator.admin for any method it does not know, and answers "unknown method" to an admin)`
      );
    }
    return (
      `the gateway wants operator.admin for ${what}, more than SPEC H7 asks: connect with ` +
      `scopes: ["operator.read", "operator.write", "operator.admin"] (OpenClaw 2026.9.x also wants a signed device; ` +
      `binding "openclaw" signs by default)`
    );
  }
  if (method === "system-event" && /^text required$|required property 'text'/.test(error.message)) {
    return "the gateway wants a non-empty text in every system-event, which SPEC M2 makes optional: pass text (startBeacons({ text }))";
  }
  return undefined;
}

export type TransportErrorKind =
  /** The socket closed (or the client was closed) before an answer came. */
  | "closed"
  /**
   * No answer within the request timeout (`<method>: no answer within N ms`), or, for a call made while
   * the client had no open connection, not sent within it (`<method>: not sent within N ms: <why>`).
   */
  | "timeout"
  /** The caller's AbortSignal fired; `cause` is the signal's reason. */
  | "aborted"
  /** The gateway sent something the client cannot use (e.g. a `connect` result that is not hello-ok). */
  | "protocol";

/** The request failed on the way, not at the gateway. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  /**
   * The HTTP status a refused WebSocket upgrade was answered with (429, 503, 401, ...): Node only (ws's
   * `unexpected-response`); a browser's WebSocket never tells why it did not open.
   */
  readonly httpStatus: number | undefined;
  /**
   * How long that answer's `Retry-After` asked the client to wait, in ms (RFC 9110 §10.2.3: seconds or
   * an HTTP-date); the reconnect waits at least this long, up to `reconnect.maxDelayMs`. Node only.
   */
  readonly retryAfterMs: number | undefined;
  /**
   * That answer's body, when it was text: the server's reason (`too many new connections to the
   * gateway: retry in 3 s`), one line, at most 300 characters, URL secrets redacted. Node only.
   */
  readonly httpReason: string | undefined;
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    options?: { cause?: unknown; httpStatus?: number; retryAfterMs?: number; httpReason?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.httpStatus = options?.httpStatus;
    this.retryAfterMs = options?.retryAfterMs;
    this.httpReason = options?.httpReason;
  }
}

/**
 * Answers to `connect` that retrying cannot fix: the client stops reconnecting on them.
 * (NOT_PAIRED is OpenClaw's native code for a device that is not paired.)
 */
export const FATAL_CONNECT_ERRORS: ReadonlySet<string> = new Set([
  "UNAUTHORIZED",
  "PROTOCOL_MISMATCH",
  "INVALID_PARAMS",
  "INVALID_REQUEST",
  "FORBIDDEN",
  "NOT_PAIRED",
]);

export function isFatalConnectError(error: unknown): error is GatewayError {
  return error instanceof GatewayError && FATAL_CONNECT_ERRORS.has(error.code);
}

export { TLS_PROBLEM_HINTS, type CertificateProblem, type TlsProblem } from "../transport/tls-problems.js";

/**
 * What went wrong in TLS behind a failed connection attempt (a TransportError: `connect()`'s
 * rejection, a `reconnecting` state's `error`), or undefined for any other failure (refused, timed
 * out, answered with an error, not wss://). Reads the code of Node's error (the TransportError's
 * `cause`); an error without one (made from a reason string) by the code its message quotes last
 * (`cannot open wss://...: CERT_HAS_EXPIRED`). Node only: a browser's WebSocket says nothing about
 * why it could not open, so there it is always undefined.
 */
export function tlsProblem(error: unknown): TlsProblem | undefined {
  return error instanceof TransportError ? classifyTlsFailure(error.cause, error.message) : undefined;
}

/**
 * The certificate problem behind a failed connection attempt, or undefined for any other failure
 * (tlsProblem() without `"no-tls"` and `"handshake"`). Node only, as tlsProblem().
 */
export function certificateProblem(error: unknown): CertificateProblem | undefined {
  const problem = tlsProblem(error);
  return problem === "no-tls" || problem === "handshake" ? undefined : problem;
}

/**
 * A connection attempt refused at TCP (ECONNREFUSED): nothing listens at the address, in the words
 * list, watch, doctor and conform say it (conform's verdict; list, watch and doctor with
 * START_A_GATEWAY after it, in parentheses).
 */
export const NOTHING_LISTENS = "connection refused: nothing listens there";
/** What to do when nothing listens at the gateway's address (list, watch, doctor: after NOTHING_LISTENS). */
export const START_A_GATEWAY = "is a gateway running there? `gateway-presence serve` starts one";

/**
 * Whether a failed connection attempt was refused at TCP (ECONNREFUSED): by the code of Node's error
 * (a TransportError's `cause`), else by the code its message quotes last (`cannot open ws://...: ECONNREFUSED`).
 */
export function connectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (cause?.code === "ECONNREFUSED") return true;
  return error instanceof Error && /: ECONNREFUSED$/.test(error.message);
}

const CREDENTIALS_OR_ORIGIN = "credentials or origin refused: check the token, or that the gateway allows this client's origin; retrying will not help";

/**
 * WebSocket upgrades refused with an HTTP status that retrying does not mend (watch stops on them), and
 * what each means, in the words list, watch, doctor and conform say it (after the refusal, in
 * parentheses). 429 and 503 are for now: REFUSED_FOR_NOW, with the wait a Retry-After asked for.
 */
export const REFUSALS_FOR_A_PERSON: Readonly<Partial<Record<number, string>>> = { // Partial: any other status reads undefined
  401: CREDENTIALS_OR_ORIGIN,
  403: CREDENTIALS_OR_ORIGIN,
  404: "wrong path: nothing takes WebSockets at this URL's path; check --url",
};

/** What an upgrade refused with HTTP 429 or 503 means (list, watch, doctor). */
export const REFUSED_FOR_NOW = "the gateway refuses new connections for now";

/**
 * Whether a wait a gateway asked for (ms) is said as a time: up to a week. A longer one, or a
 * Retry-After too large to be a number (Infinity), is said as "more than a week" (the CLI, conform).
 */
export function waitSayable(ms: number): boolean {
  return Number.isFinite(ms) && ms <= 7 * 86_400_000;
}

/**
 * A frame of another wire binding (OpenClaw's `connect.challenge` to a JSON-RPC client) as the error
 * that fails `connect`: kind "protocol", the decode error as its cause. Undefined for any other error.
 */
export function wrongBindingError(error: Error): TransportError | undefined {
  if (!(error instanceof FrameDecodeError) || error.otherBinding === undefined) return undefined;
  return new TransportError("protocol", `connect: ${error.message}`, { cause: error });
}

/** The gateway answered in another wire binding's frames: retrying cannot fix it either. */
export function isWrongBindingError(error: unknown): boolean {
  return error instanceof TransportError && error.cause instanceof FrameDecodeError && error.cause.otherBinding !== undefined;
}

/**
 * The shared words for a connection attempt that got part of the way (list, watch and doctor through
 * the client, conform through its probe): a socket that never opened (`not open within 1500 ms`: the
 * port accepted TCP but the WebSocket upgrade never completed), a request with no answer
 * (`connect: no answer within 1500 ms`), and the guess for a socket that opened and a `connect` that
 * got no answer: a gateway of OpenClaw's binding waits for a frame JSON-RPC never sends.
 */
export const notOpenWithin = (timeoutMs: number): string => `not open within ${timeoutMs} ms`;
export const noAnswerWithin = (method: string, timeoutMs: number): string => `${method}: no answer within ${timeoutMs} ms`;
/**
 * A call that waited for a connection and timed out before one opened: it never reached the gateway
 * (`system-presence: not sent within 700 ms: the client is reconnecting (cannot open ws://...: ECONNREFUSED)`;
 * `... the client is not connected: connect() was not called`; `... the client is closed (<why>): connect()
 * may be called again`, after a connect() that failed or a connection that closed with reconnect off).
 */
export const notSentWithin = (method: string, timeoutMs: number, why: string): string => `${method}: not sent within ${timeoutMs} ms: ${why}`;

/**
 * Why a client has no open connection, for notSentWithin: its state, and the last attempt's failure
 * (already a message with the URL redacted), or that connect() was never called.
 */
export function notConnectedWhy(state: string, lastFailure: string | undefined): string {
  const last = lastFailure === undefined ? "" : ` (${lastFailure})`;
  if (state === "idle") return "the client is not connected: connect() was not called";
  if (state === "closed") return `the client is closed${last}: connect() may be called again`;
  if (state === "reconnecting") return `the client is reconnecting${last}`;
  return `the client is ${state}${lastFailure === undefined ? "" : `; the last attempt failed${last}`}`;
}
/** connect() or startBeacons() on a client stopped for good by close() or a fatal answer (`why`): it never connects again. */
export const closedForGood = (method: string, why: string): string =>
  `${method}: the client is closed for good (${why === "client closed" ? "close() was called" : why}): create a new client to connect again`;
/** `no handshake with the gateway at <url>`: the socket opened (the gateway was reached), the handshake did not complete. */
export const noHandshakeWith = (url: string): string => `no handshake with the gateway at ${url}`;
export const OPENCLAW_FRAMES_GUESS =
  "if the gateway speaks OpenClaw's frames, e.g. an OpenClaw gateway or a listener started with --binding openclaw, add --binding openclaw";
