/**
 * The seam between the binding-neutral core and a wire binding (SPEC T2). The core owns the rules
 * (frame size cap, handshake gate, scopes, rate limit, params validation, the presence methods,
 * pushes); a binding only turns its frames into method calls and the core's answers, errors and
 * pushes into its frames. A new binding is one file in src/server/bindings/ implementing this.
 */
import type { ConnectParams } from "../../protocol/connect.js";
import type { HelloOk } from "../../protocol/hello.js";
import type { BindingName } from "../../transport/binding.js";
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import type { GatewayError } from "./errors.js";
import type { MaybePromise } from "./maybe-promise.js";
import type { MethodTable } from "./methods.js";
import type { EncodedJson } from "./fanout/raw-json.js";

/** A server push (SPEC E1, E3), binding-neutral. */
export interface Push {
  /** `presence`, `presence.delta` or `tick`. */
  readonly event: string;
  /**
   * `presence`: `{presence}`; `presence.delta`: `{baseVersion?, reset?, changed, removed}`; `tick`:
   * `{ts}`. Lists are RawJson (the cached JSON): encode with encodeWithRaw (raw-json.ts).
   */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Presence pushes: `{presence: n}` (SPEC E1). jsonrpc puts it in the params, openclaw on the frame. */
  readonly stateVersion?: { readonly presence: number };
}

/**
 * A push encoded once for one binding (issue 11): built once per version, then written to each
 * socket as it is. `shared`: the same bytes for every connection (use sharedFrame). `sequenced`: a
 * binding with a per-connection `seq` (OpenClaw) gives a tiny per-connection head and one shared
 * body; the core sends them as one message in two fragments (RFC 6455 §5.4), so the body is never
 * copied per connection (use sequencedFrame).
 */
export type EventFrame =
  | { readonly kind: "shared"; readonly data: Buffer }
  | { readonly kind: "sequenced"; head(seq: number): Buffer; readonly body: Buffer };

export interface ServerBinding {
  readonly name: BindingName;
  /** Protocol versions this binding speaks (SPEC H3); `connect` negotiates the highest common one. */
  readonly protocol: { readonly min: number; readonly max: number };
  /** A socket opened, before any frame arrived (OpenClaw sends `connect.challenge`). */
  opened?(conn: Connection): void;
  /**
   * One inbound message, already within maxPayload, a text frame and parsed JSON (the core answers
   * the rest). Returns the answer, if any, as JSON text or UTF-8 bytes, whole or as ChunkedJson
   * (encodeAnswer: an answer carrying the cached list), at once when it can (maybe-promise.ts);
   * never throws for bad input (SPEC B1). `text` is the frame as received, for what JSON.parse
   * loses (the numeral of a numeric request id: transport/id-numeral.ts).
   */
  receive(conn: Connection, message: unknown, text?: string): MaybePromise<EncodedJson | undefined>;
  /** An error that answers no request (not JSON, oversized, handshake timeout); undefined: send nothing. */
  encodeError(error: GatewayError): string | undefined;
  /** Encodes a push once per version (the core calls it once per push); see EventFrame. */
  encodeEvent(push: Push): EventFrame;
  /**
   * `connect` checks of this binding, after protocol and token and before the row is written
   * (OpenClaw: the signed device block). Throws a GatewayError to refuse.
   */
  verifyConnect?(conn: Connection, params: ConnectParams): Promise<void>;
  /** The result of `connect` as this binding sends it (default: SPEC H4's hello-ok as it is). */
  helloOk?(hello: HelloOk, conn: Connection, params: ConnectParams): unknown;
}

/** Builds a binding over the core: the gateway's shared state and its method table. */
export type ServerBindingFactory = (gw: GatewayContext, methods: MethodTable) => ServerBinding;
