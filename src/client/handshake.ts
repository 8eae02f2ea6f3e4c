/**
 * The `connect` request: params from the client options, the binding's check for a gateway of
 * another binding while the handshake runs, and a sanity check of the answer.
 */
import type { ConnectParams } from "../protocol/connect.js";
import type { HelloOk } from "../protocol/hello.js";
import type { BindingCheck, ClientBinding } from "../transport/binding.js";
import { FrameDecodeError } from "../transport/frames.js";
import type { Connection, WebSocketConstructor } from "./connection.js";
import { TransportError, wrongBindingError } from "./errors.js";
import type { PresenceClientOptions, ResolvedOptions } from "./options.js";

export type ConnectIdentity = Pick<
  PresenceClientOptions,
  "client" | "role" | "scopes" | "token" | "caps" | "locale" | "userAgent"
> & {
  instanceId: string;
  /** Other top-level connect fields, sent as given (OpenClaw's `device`, `permissions`, ...). */
  extra?: Record<string, unknown>;
};

/** The connect params for a binding; the same instanceId on every (re)connect (SPEC K1). */
export function connectParams(identity: ConnectIdentity, binding: ClientBinding): ConnectParams {
  const { client, instanceId, role, scopes, token, caps, locale, userAgent, extra } = identity;
  const params: ConnectParams = {
    ...extra,
    minProtocol: binding.protocol.min,
    maxProtocol: binding.protocol.max,
    client: { ...client, instanceId },
  };
  if (role !== undefined) params.role = role;
  if (scopes !== undefined) params.scopes = scopes;
  if (token !== undefined) params.auth = { token };
  if (caps !== undefined) params.caps = caps;
  if (locale !== undefined) params.locale = locale;
  if (userAgent !== undefined) params.userAgent = userAgent;
  return params;
}

/**
 * Checks the parts of hello-ok the client relies on (the client does not schema-validate inbound
 * frames: that would ship the validators to browsers).
 */
export function checkHello(result: unknown): HelloOk {
  const hello = result as Partial<HelloOk> | null;
  const problem =
    hello === null || typeof hello !== "object"
      ? "not an object"
      : hello.type !== "hello-ok"
        ? `type is ${JSON.stringify(hello.type)}, not "hello-ok"`
        : !Array.isArray(hello.snapshot?.presence)
          ? "snapshot.presence is not a list"
          : typeof hello.snapshot?.stateVersion?.presence !== "number"
            ? "snapshot.stateVersion.presence is not a number"
            : undefined;
  if (problem) throw new TransportError("protocol", `connect: the answer is not a hello-ok: ${problem}`);
  return hello as HelloOk;
}

/**
 * hello-ok's `features.methods`, `.events` or `.caps` (SPEC H4), as a list of strings, or undefined when
 * the gateway sent none or something else: the client reads them defensively (checkHello requires
 * only the snapshot), so a gateway that leaves features out still gets a working whole-list client.
 */
export function helloFeature(hello: HelloOk, feature: "methods" | "events" | "caps"): readonly string[] | undefined {
  const features = (hello as { features?: unknown }).features as Record<string, unknown> | null | undefined;
  const list = features !== null && typeof features === "object" ? features[feature] : undefined;
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === "string") : undefined;
}

/**
 * Starts the binding's check for another binding beside a connection that has just opened (the
 * openclaw binding, which waits for the gateway to speak first, tells a JSON-RPC gateway, which never
 * does, apart after half a second instead of at the challenge timeout: src/transport/binding-check.ts).
 * Proof ends the handshake with a fatal wrong-binding TransportError, also given to `failed`.
 * Undefined when the binding has no check or `bindingCheck: false` turns it off.
 */
export function startBindingCheck(
  binding: ClientBinding,
  options: ResolvedOptions,
  conn: Connection,
  Impl: WebSocketConstructor,
  failed: (error: TransportError) => void,
): BindingCheck | undefined {
  if (options.bindingCheck === false) return undefined;
  return binding.startBindingCheck?.({
    url: options.url,
    timeoutMs: options.connectTimeoutMs,
    WebSocket: Impl,
    heard: () => conn.heard,
    onOtherBinding: (proof) => {
      const wrong = wrongBindingError(new FrameDecodeError(proof.message, proof.answer, proof.binding))!;
      failed(wrong);
      conn.abortHandshake(wrong);
    },
  });
}
