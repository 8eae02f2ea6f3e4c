/**
 * Pending requests: ids, timeouts, AbortSignal cancellation, and what happens to them when the
 * socket goes away. Requests made while no socket is open wait (within their timeout) for the next one.
 */
import type { CallOptions } from "../generated/client.js";
import { checkTimerMs } from "../protocol/durations.js";
import type { InboundFrame, RequestId } from "../transport/frames.js";
import { GatewayError, noAnswerWithin, notSentWithin, TransportError } from "./errors.js";

/** Sends one encoded request on the current socket. */
export type SendFn = (id: RequestId, method: string, params: unknown) => void;

interface Pending {
  method: string;
  params: unknown;
  sent: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
  cleanup(): void;
}

export class RequestManager {
  readonly #pending = new Map<RequestId, Pending>();
  #nextId = 1;
  #send: SendFn | null = null;
  /** Set once the client is closed for good: new requests fail at once with it. */
  #closedError: TransportError | null = null;

  /**
   * `notSentWhy`: why no socket is attached (the client's state and its last failure), said when a
   * request that waited in the queue times out: it was never sent, so "no answer" would mislead.
   * `listedMethods`: hello-ok's `features.methods` of the open connection, and `role` the connection's
   * (`node`: SPEC H7 refuses it both presence methods), read by GatewayError's hints.
   */
  constructor(
    private readonly defaultTimeoutMs: number,
    private readonly context: { notSentWhy?: () => string; listedMethods?: () => readonly string[] | undefined; role?: string } = {},
  ) {}

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Starts a request. It goes out now on `via` (the handshake's own socket) or on the attached
   * socket, or waits in the queue until one is attached.
   */
  request(method: string, params: unknown, options: CallOptions = {}, via?: SendFn): Promise<unknown> {
    if (this.#closedError) return Promise.reject(new TransportError("closed", `${method}: ${this.#closedError.message}`));
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const badTimeout = callTimeoutProblem(method, timeoutMs);
    if (badTimeout) return Promise.reject(badTimeout);
    if (signal?.aborted) return Promise.reject(abortError(method, signal, false));
    const id = this.#nextId++;
    // Ids stay integers that survive JSON (transport/request-id.ts); 2^53 requests later they start again.
    if (this.#nextId > Number.MAX_SAFE_INTEGER) this.#nextId = 1;
    return new Promise((resolve, reject) => {
      const onAbort = () => this.#fail(id, abortError(method, signal!, this.#pending.get(id)?.sent ?? false));
      const timer = setTimeout(() => {
        const sent = this.#pending.get(id)?.sent ?? false;
        this.#fail(id, new TransportError("timeout", sent ? noAnswerWithin(method, timeoutMs) : notSentWithin(method, timeoutMs, this.context.notSentWhy?.() ?? "the client is not connected")));
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      const entry: Pending = {
        method,
        params,
        sent: false,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      this.#pending.set(id, entry);
      const send = via ?? this.#send;
      if (send) this.#transmit(id, entry, send);
    });
  }

  /** A socket is ready for requests: queued ones go out in order. */
  attach(send: SendFn): void {
    this.#send = send;
    for (const [id, entry] of this.#pending) if (!entry.sent) this.#transmit(id, entry, send);
  }

  /** The socket is gone: requests already sent can get no answer and reject; queued ones keep waiting. */
  detach(reason: string): void {
    this.#send = null;
    for (const [id, entry] of this.#pending) {
      if (entry.sent) this.#fail(id, new TransportError("closed", `${entry.method}: ${reason}`));
    }
  }

  /** Every request rejects; with `permanent` (client closed for good) later ones too. */
  shutdown(reason: string, permanent = true): void {
    this.#send = null;
    if (permanent) this.#closedError = new TransportError("closed", reason);
    for (const [id, entry] of this.#pending) this.#fail(id, new TransportError("closed", `${entry.method}: ${reason}`));
  }

  /** Settles the request a result or error frame answers. Returns false when no request has that id. */
  settle(frame: Extract<InboundFrame, { kind: "result" | "error" }>): boolean {
    if (frame.id === null) return false;
    const entry = this.#pending.get(frame.id);
    if (!entry) return false;
    this.#pending.delete(frame.id);
    entry.cleanup();
    if (frame.kind === "result") entry.resolve(frame.result);
    else entry.reject(new GatewayError(frame.error, entry.method, { listedMethods: this.context.listedMethods?.(), role: this.context.role }));
    return true;
  }

  /** Fails the one request still pending for `method` that was sent (used for errors with `id: null`). */
  failSentTo(method: string, error: Error): boolean {
    for (const [id, entry] of this.#pending) {
      if (entry.sent && entry.method === method) return this.#fail(id, error);
    }
    return false;
  }

  #transmit(id: RequestId, entry: Pending, send: SendFn): void {
    try {
      send(id, entry.method, entry.params);
      entry.sent = true;
    } catch (error) {
      // Params that cannot be encoded (a BigInt, a cycle) or a socket that refuses the frame.
      this.#fail(id, error instanceof Error ? error : new TransportError("closed", `${entry.method}: could not send`, { cause: error }));
    }
  }

  #fail(id: RequestId, error: Error): boolean {
    const entry = this.#pending.get(id);
    if (!entry) return false;
    this.#pending.delete(id);
    entry.cleanup();
    entry.reject(error);
    return true;
  }
}

/**
 * The call's signal fired: `system-event: aborted before it was sent` or `... after it was sent (the
 * gateway may still act on it)`, then the signal's reason when it says more than "aborted" (a string,
 * an Error's message; `AbortSignal.timeout()`'s reads "timed out"). The reason itself is the cause.
 */
function abortError(method: string, signal: AbortSignal, sent: boolean): TransportError {
  const when = sent ? "after it was sent (the gateway may still act on it)" : "before it was sent";
  return new TransportError("aborted", `${method}: aborted ${when}${abortReasonText(signal.reason)}`, { cause: signal.reason });
}

function abortReasonText(reason: unknown): string {
  if (typeof reason === "string") return reason ? `: ${reason}` : "";
  const error = reason as { name?: unknown; message?: unknown } | null | undefined;
  if (error?.name === "AbortError") return ""; // AbortController.abort() without a reason
  if (error?.name === "TimeoutError") return ": timed out (the signal's timeout)";
  return typeof error?.message === "string" && error.message ? `: ${error.message}` : "";
}

/**
 * A call's `timeoutMs` a timer cannot wait (over 2147483647 ms, 24.8 days: it would fire after 1 ms)
 * or that is no positive number: the RangeError the call rejects with, naming the option.
 */
function callTimeoutProblem(method: string, timeoutMs: number): RangeError | undefined {
  if (!(typeof timeoutMs === "number" && timeoutMs > 0)) return new RangeError(`${method}: timeoutMs must be a number > 0, got ${String(timeoutMs)}`);
  try {
    checkTimerMs(`${method}: timeoutMs`, timeoutMs);
  } catch (error) {
    return error as RangeError;
  }
  return undefined;
}
