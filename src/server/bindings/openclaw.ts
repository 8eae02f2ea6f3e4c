/**
 * The `openclaw` server binding (SPEC T2): OpenClaw's native frames, so OpenClaw's own CLI, apps
 * and our SDK's `binding: "openclaw"` work against the reference gateway.
 *
 * - On open: `{type:"event", event:"connect.challenge", payload:{nonce, ts, capabilities:[]}}` with a
 *   fresh nonce per connection (a signed `device` must carry it).
 * - Requests `{type:"req", id, method, params?}` -> `{type:"res", id, ok:true, payload}` or
 *   `{type:"res", id, ok:false, error:{code, message, details?, retryable?, retryAfterMs?}}`; an error
 *   that answers no request (not JSON, oversized, handshake timeout) has `id: null`.
 * - Protocols 3 (2026.1.x) and 4 (2026.9.x); hello-ok in OpenClaw's shape (`auth`, `snapshot.health`,
 *   `stateVersion.health`), which is SPEC H4's plus fields.
 * - Pushes `{type:"event", event, payload, seq, stateVersion?}`: `seq` counts this connection's
 *   events (1, 2, ...; a missed push leaves a gap, as in OpenClaw 2026.9.x), `stateVersion` on the
 *   frame as `{presence, health}`.
 * OpenClaw's own `client` fields outside the contract (`buildId`, `timeZone`) are accepted and
 * ignored, like its other connect fields (SPEC H2); client ids and modes outside OpenClaw's enums are
 * accepted, since the contract is wider.
 */
import { randomUUID } from "node:crypto";
import type { ConnectParams } from "../../protocol/connect.js";
import type { HelloOk } from "../../protocol/hello.js";
import type { OpenClawError } from "../../transport/openclaw-errors.js";
import { OPENCLAW_PROTOCOL } from "../../transport/openclaw.js";
import { MAX_LISTED_ERRORS } from "../../validation/index.js";
import type { ServerBinding, ServerBindingFactory } from "../core/binding.js";
import type { Connection } from "../core/connection.js";
import { GatewayError, toGatewayError, wireError } from "../core/errors.js";
import { reject } from "../core/handshake.js";
import { sequencedFrame } from "../core/fanout/event-frames.js";
import { send } from "../core/inbound.js";
import { concatChunks, encodeAnswer, encodeWithRaw, type JsonChunk } from "../core/fanout/raw-json.js";
import { verifyDevice } from "./openclaw-device.js";
import { OpenClawNativeError, toOpenClawError } from "./openclaw-errors.js";

/** OpenClaw `client` fields that the contract's closed `client` does not have; dropped before validation. */
const OPENCLAW_ONLY_CLIENT_FIELDS = ["buildId", "timeZone"];

/** `{presence, health}`: OpenClaw's StateVersion needs `health`; this gateway has none to count. */
const stateVersionOf = (presence: number) => ({ presence, health: 0 });

/** The members of OpenClaw's RequestFrame. */
const FRAME_KEYS = new Set(["type", "id", "method", "params", "traceparent"]);

/** What is wrong with a frame, at a JSON path (`""` = the frame itself). */
type Problem = { path: string; message: string };
type RequestCheck = { ok: true; id: string; method: string; params: unknown } | { ok: false; id: string | null; message: string; problems: Problem[] };

/** OpenClaw's RequestFrame: `{type:"req", id: non-empty string, method: non-empty string, params?}`, closed. */
function checkRequest(message: unknown): RequestCheck {
  const refused = (id: string | null, problems: Problem[]): RequestCheck => ({
    ok: false,
    id,
    problems,
    message: `invalid request frame: ${problems.map((p) => `at ${p.path || "root"}: ${p.message}`).join("; ")}`,
  });
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    const what = message === null ? "null" : Array.isArray(message) ? "an array" : typeof message;
    return refused(null, [{ path: "", message: `must be a req frame object, got ${what}` }]);
  }
  const f = message as Record<string, unknown>;
  const id = typeof f.id === "string" && f.id !== "" ? f.id : null;
  const problems: Problem[] = [];
  if (f.type !== "req") problems.push({ path: "/type", message: `must be "req"` });
  if (id === null) problems.push({ path: "/id", message: "must be a non-empty string" });
  if (typeof f.method !== "string" || f.method === "") problems.push({ path: "/method", message: "must be a non-empty string" });
  // Listed up to the validators' cap: a frame of 60,000 unknown keys is not answered with 60,000 problems.
  const unexpected = Object.keys(f).filter((key) => !FRAME_KEYS.has(key));
  for (const key of unexpected.slice(0, MAX_LISTED_ERRORS)) problems.push({ path: "", message: `unexpected property '${key}'` });
  const more = unexpected.length - MAX_LISTED_ERRORS;
  if (more > 0) problems.push({ path: "", message: `${more} more unexpected properties, not listed` });
  if (problems.length > 0 || id === null) return refused(id, problems);
  return { ok: true, id, method: f.method as string, params: f.params };
}

/** Drops OpenClaw-only `client` fields (SPEC H2 ignores OpenClaw's extras); everything else is validated as is. */
function withoutOpenClawExtras(params: unknown): unknown {
  const client = (params as { client?: unknown } | null)?.client;
  if (client === null || typeof client !== "object" || Array.isArray(client)) return params;
  const kept = Object.fromEntries(Object.entries(client).filter(([key]) => !OPENCLAW_ONLY_CLIENT_FIELDS.includes(key)));
  return { ...(params as object), client: kept };
}

export const createOpenClawBinding: ServerBindingFactory = (gw, methods) => {
  /** Each connection's challenge nonce. */
  const nonces = new WeakMap<Connection, string>();

  const res = (id: string | null, error: GatewayError): string => {
    const native: OpenClawError = toOpenClawError(wireError(error, gw.options.faults));
    return JSON.stringify({ type: "res", id, ok: false, error: native });
  };

  const binding: ServerBinding = {
    name: "openclaw",
    protocol: { ...OPENCLAW_PROTOCOL },
    opened(conn) {
      const nonce = randomUUID();
      nonces.set(conn, nonce);
      send(gw, conn, JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce, ts: Date.now(), capabilities: [] } }));
    },
    async receive(conn, message) {
      const request = checkRequest(message);
      if (!request.ok) {
        const error = new GatewayError("INVALID_REQUEST", request.message, { errors: request.problems });
        return res(request.id, error);
      }
      const { id, method } = request;
      const gate = methods.gate(conn, method, false);
      if (gate) return res(id, gate);
      if (conn.closeAfterReply) return undefined;
      if (!methods.offers(method)) return res(id, new GatewayError("METHOD_NOT_FOUND", `unknown method: ${method}`, { method }));
      try {
        const params = method === "connect" ? withoutOpenClawExtras(request.params) : request.params;
        const payload = await methods.call(conn, method, params);
        return encodeAnswer({ type: "res", id, ok: true, payload });
      } catch (error) {
        const known = toGatewayError(error);
        if (known.errorName === "INTERNAL_ERROR") gw.log(`error ${method} failed on conn=${conn.id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return res(id, known);
      }
    },
    encodeError: (error) => res(null, error),
    // The per-connection seq goes in a tiny head; the body (payload and stateVersion) is encoded once
    // per push and shared by every socket (issue 11: sent as one message in two fragments).
    encodeEvent(push) {
      const version = push.stateVersion === undefined ? "" : `,"stateVersion":${JSON.stringify(stateVersionOf(push.stateVersion.presence))}`;
      const payload = encodeWithRaw(push.payload);
      const body: JsonChunk[] = [`"event":${JSON.stringify(push.event)},"payload":`, payload, `${version}}`];
      return sequencedFrame((seq) => `{"type":"event","seq":${seq},`, typeof payload === "string" ? body.join("") : concatChunks(body));
    },
    async verifyConnect(conn, params) {
      try {
        const device = await verifyDevice(params, nonces.get(conn) ?? "", Date.now());
        if (device) gw.log(`device conn=${conn.id} id=${device.deviceId} signature=${device.version} approved`);
      } catch (error) {
        if (error instanceof OpenClawNativeError && error.errorName === "UNAUTHORIZED") {
          reject(gw, conn, 1008, "DEVICE_AUTH_INVALID", error.message);
        }
        throw error;
      }
    },
    helloOk(hello: HelloOk, conn: Connection, _params: ConnectParams) {
      const auth = gw.options.token === undefined ? "none" : "token";
      return {
        ...hello,
        snapshot: {
          ...hello.snapshot,
          health: { ok: true, ts: gw.clock.now() },
          stateVersion: stateVersionOf(hello.snapshot.stateVersion.presence),
          authMode: auth,
        },
        auth: { method: auth, role: conn.role, scopes: [...conn.scopes] },
      };
    },
  };
  return binding;
};
