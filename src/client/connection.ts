/** One WebSocket: opening it, encoding requests and decoding frames through the binding, closing it. */
import type { ClientBinding, HandshakeContext, WebSocketLike } from "../transport/binding.js";
import type { InboundFrame, RequestId } from "../transport/frames.js";
import { redactUrl, redactUrlsIn } from "../transport/redact-url.js";
import { unexplainedOpenFailure, watchRefusedUpgrade } from "../transport/refused-upgrade.js";
import { notOpenWithin, TransportError } from "./errors.js";

export type { WebSocketLike };

/** Options passed as the second argument, only when there are upgrade headers (ws's `ClientOptions` shape). */
export interface WebSocketOptions {
  headers?: Record<string, string>;
}

/**
 * A WebSocket class: ws's (the default in Node, through isomorphic-ws), given `{headers}` as its second
 * argument in Node when a binding asks for upgrade headers, or a browser's (`globalThis.WebSocket`),
 * given the URL alone.
 */
export type WebSocketConstructor =
  | (new (url: string, options?: WebSocketOptions) => WebSocketLike)
  | (new (url: string, protocols?: string | string[]) => WebSocketLike);

/** Browsers cannot set upgrade headers (and would take the options for a subprotocol). */
const canSetHeaders = typeof process !== "undefined" && typeof process.versions?.node === "string";

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface ConnectionHandlers {
  onFrame(frame: InboundFrame): void;
  /** A frame the binding could not decode; the connection stays open. */
  onBadFrame(error: Error): void;
  onClose(info: CloseInfo): void;
}

const OPEN = 1;
/** Events kept for `waitForEvent` until the handshake is over (e.g. OpenClaw's `connect.challenge`). */
const MAX_EARLY_EVENTS = 32;

export class Connection implements HandshakeContext {
  readonly #socket: WebSocketLike;
  readonly #binding: ClientBinding;
  #handlers: ConnectionHandlers | null;
  #earlyEvents: Array<{ event: string; payload: unknown }> | null = [];
  readonly #waiters = new Set<{ event: string; resolve(payload: unknown): void; reject(error: Error): void }>();
  /** Set by abortHandshake: every wait for an event fails with it. */
  #handshakeError: Error | undefined;
  #heard = false;
  /** Event payloads waitForEvent handed to the handshake (objects, by identity). */
  readonly #consumed = new WeakSet<object>();
  /** hello-ok's policy.maxPayload, once the handshake is over. */
  #maxPayload: number | undefined;
  #markClosed!: () => void;
  readonly #closed = new Promise<void>((resolve) => (this.#markClosed = resolve));

  private constructor(socket: WebSocketLike, binding: ClientBinding, handlers: ConnectionHandlers) {
    this.#socket = socket;
    this.#binding = binding;
    this.#handlers = handlers;
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = (event) => {
      this.#heard = true;
      this.#markClosed();
      const handlers = this.#handlers;
      this.#handlers = null;
      handlers?.onClose({ code: event.code ?? 1006, reason: event.reason ?? "" });
    };
    socket.onerror = () => {}; // a close event always follows
  }

  /** Opens a socket; rejects with TransportError when it does not open within `timeoutMs`. */
  static open(
    url: string,
    Impl: WebSocketConstructor,
    binding: ClientBinding,
    handlers: ConnectionHandlers,
    timeoutMs: number,
    headers?: Record<string, string>,
  ): Promise<Connection> {
    // The URL is used as given (a token in its query or user:password reaches the gateway) but
    // shown only redacted: these messages end up in state reasons, CLI output and CI logs.
    const shown = redactUrl(url);
    return new Promise((resolve, reject) => {
      const withHeaders = canSetHeaders && headers !== undefined && Object.keys(headers).length > 0;
      let socket: WebSocketLike;
      try {
        socket = withHeaders ? new (Impl as new (url: string, options: WebSocketOptions) => WebSocketLike)(url, { headers }) : new Impl(url);
      } catch (error) {
        // ws ("Invalid URL: <url>") and browsers quote the URL when they refuse it.
        return reject(redactedError(error, url));
      }
      let lastError = "";
      // Node's error behind the failure (a system or TLS error with a `code`), kept as the cause so
      // tlsProblem() can read the code; browsers give none.
      let cause: Error | undefined;
      let errorSeen: unknown; // the error behind the last error event, named when it had no words
      const timer = setTimeout(() => {
        fail(new TransportError("timeout", `cannot open ${shown}: ${notOpenWithin(timeoutMs)}`));
        safeClose(socket, 1000, "open timeout");
      }, timeoutMs);
      const fail = (error: TransportError) => {
        clearTimeout(timer);
        socket.onopen = socket.onclose = null;
        socket.onerror = () => {}; // ws throws on an error event nobody listens to
        reject(error);
      };
      socket.onerror = (event) => {
        const error = event?.error as { code?: unknown } | undefined;
        errorSeen = error;
        if (error instanceof Error && typeof error.code === "string") cause = error;
        lastError = (typeof error?.code === "string" ? error.code : undefined) ?? event?.message ?? lastError;
      };
      const refused = watchRefusedUpgrade(socket);
      socket.onclose = (event) => {
        const answer = refused?.();
        if (answer) {
          // The message stays ws's words (conform and scripts match on them); the server's reason is its own field.
          const { reason, ...rest } = answer;
          const httpReason = reason === undefined ? undefined : redactUrlsIn(reason, [url]);
          return fail(new TransportError("closed", `cannot open ${shown}: Unexpected server response: ${answer.httpStatus}`, { ...rest, ...(httpReason ? { httpReason } : {}) }));
        }
        const why = redactUrlsIn(lastError, [url]) || unexplainedOpenFailure(event?.code ?? 1006, errorSeen);
        fail(new TransportError("closed", `cannot open ${shown}: ${why}`, cause ? { cause } : undefined));
      };
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(new Connection(socket, binding, handlers));
      };
    });
  }

  get isOpen(): boolean {
    return this.#socket.readyState === OPEN && this.#handlers !== null;
  }

  readonly send = (id: RequestId, method: string, params: unknown): void => {
    if (!this.isOpen) throw new TransportError("closed", `${method}: the socket is not open`);
    const text = this.#binding.encodeRequest(id, method, params);
    if (this.#maxPayload !== undefined) checkPayload(method, text, this.#maxPayload);
    this.#socket.send(text);
  };

  /**
   * The handshake is over: events are no longer kept for waitForEvent, and requests over hello-ok's
   * `policy.maxPayload` (when it gave a usable one) are refused here instead of sent (SPEC B3).
   */
  endHandshake(maxPayload?: unknown): void {
    this.#earlyEvents = null;
    if (typeof maxPayload === "number" && maxPayload > 0) this.#maxPayload = maxPayload;
  }

  /** Whether anything came on this socket yet: a frame (readable or not) or its close. */
  get heard(): boolean {
    return this.#heard;
  }

  waitForEvent(event: string, timeoutMs: number): Promise<unknown> {
    if (this.#handshakeError) return Promise.reject(this.#handshakeError);
    const index = this.#earlyEvents?.findIndex((e) => e.event === event) ?? -1;
    if (index >= 0) return Promise.resolve(this.#consume(this.#earlyEvents!.splice(index, 1)[0].payload));
    return new Promise((resolve, reject) => {
      const waiter = {
        event,
        resolve: (payload: unknown) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(payload);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new TransportError("timeout", `no ${event} event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /**
   * The handshake cannot succeed (the gateway speaks another binding): waits for events fail with
   * `error` now, and so does any later one, instead of at their timeouts.
   */
  abortHandshake(error: Error): void {
    this.#handshakeError ??= error;
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }

  /**
   * Closes the socket; the close handler is not called (the caller knows). Resolves when the
   * socket has closed, or after `waitMs` if the peer does not answer the close.
   */
  close(code = 1000, reason = "", waitMs = 2000): Promise<void> {
    this.#handlers = null;
    safeClose(this.#socket, code, reason);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    return Promise.race([this.#closed, late]).finally(() => clearTimeout(timer));
  }

  #receive(data: unknown): void {
    this.#heard = true;
    const handlers = this.#handlers;
    if (!handlers) return;
    if (typeof data !== "string") {
      handlers.onBadFrame(new TransportError("protocol", "binary frame ignored: the protocol uses text frames"));
      return;
    }
    let frames: InboundFrame[];
    try {
      frames = this.#binding.decode(data);
    } catch (error) {
      handlers.onBadFrame(error as Error);
      return;
    }
    for (const frame of frames) {
      if (frame.kind === "event" && this.#earlyEvents) this.#keepEarly(frame.event, frame.payload);
      if (this.#handlers) this.#handlers.onFrame(frame);
    }
  }

  /**
   * Whether the handshake took this event's payload (OpenClaw's `connect.challenge`): the client does
   * not pass it on as an app event once open.
   */
  consumedByHandshake(payload: unknown): boolean {
    return payload !== null && typeof payload === "object" && this.#consumed.has(payload);
  }

  #consume(payload: unknown): unknown {
    if (payload !== null && typeof payload === "object") this.#consumed.add(payload);
    return payload;
  }

  #keepEarly(event: string, payload: unknown): void {
    for (const waiter of this.#waiters) {
      if (waiter.event === event) return waiter.resolve(this.#consume(payload));
    }
    if (this.#earlyEvents!.length < MAX_EARLY_EVENTS) this.#earlyEvents!.push({ event, payload });
  }
}

/**
 * The WebSocket constructor's refusal with the URL and its secrets redacted, as the same kind of
 * error (a SyntaxError stays one; a browser's DOMException keeps its name). No `cause`: it would keep
 * the original text.
 */
function redactedError(error: unknown, url: string): Error {
  const message = redactUrlsIn(error instanceof Error ? error.message : String(error), [url]);
  const Kind = error instanceof SyntaxError ? SyntaxError : error instanceof TypeError ? TypeError : error instanceof RangeError ? RangeError : Error;
  const copy = new Kind(message);
  if (error instanceof Error && copy.name !== error.name) copy.name = error.name;
  return copy;
}

function safeClose(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    socket.close();
  }
}

/**
 * A request frame over the gateway's maxPayload would be answered PAYLOAD_TOO_LARGE and the
 * connection closed with 1009 (SPEC B3), failing every other call in flight: it is refused before
 * sending, with a RangeError (like a call's impossible timeoutMs), and the connection stays up.
 */
function checkPayload(method: string, text: string, maxPayload: number): void {
  if (text.length * 3 <= maxPayload) return; // UTF-8 takes at most 3 bytes per UTF-16 code unit
  const bytes = new TextEncoder().encode(text).length;
  if (bytes <= maxPayload) return;
  throw new RangeError(
    `${method}: the request is ${bytes} bytes, over the gateway's maxPayload of ${maxPayload} bytes (hello-ok policy.maxPayload): ` +
      "not sent (the gateway would answer PAYLOAD_TOO_LARGE and close the connection, SPEC B3)",
  );
}
