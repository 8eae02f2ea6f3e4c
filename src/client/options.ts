/** Options of createPresenceClient, and their defaults. */
import type { ClientInfo } from "../protocol/connect.js";
import { checkTimerMs } from "../protocol/durations.js";
import type { HelloOk } from "../protocol/hello.js";
import type { BindingName, ClientBinding } from "../transport/binding.js";
import { parseUrl, redactUrl } from "../transport/redact-url.js";
import { resolveBackoff, type BackoffOptions, type ResolvedReconnect } from "./backoff.js";
import { INSTANCE_ID_MAX_LENGTH } from "./identity.js";
import type { WebSocketConstructor } from "./connection.js";

/** Where the embedded reference gateway listens by default (`gateway-presence serve`). */
export const DEFAULT_GATEWAY_URL = "ws://127.0.0.1:18789";

export interface ReconnectOptions extends BackoffOptions {
  /**
   * Give up after this many failed connection attempts in a row: the total number of dials that
   * fail, the first one included, not the retries after it. With 3 the client dials at most 3 times
   * (1 attempt + 2 retries), then ends in `closed` with `reason: "gave up after 3 attempts: ..."`.
   * A connection that closed before `minUptimeMs` counts as one failed attempt. An integer >= 1, or
   * Infinity. Default: Infinity (never give up).
   */
  maxAttempts?: number;
  /**
   * How long a connection must stay open (after hello-ok) before the backoff starts again from
   * `initialDelayMs`, in ms. A gateway that accepts and then drops every connection sees the delays
   * grow as if each connect had failed (reconnecting-websocket's `minUptime`). 0 to 2147483647 (a
   * timer's longest wait; more throws RangeError). Default 5000.
   */
  minUptimeMs?: number;
}

export interface PresenceClientOptions {
  /** Gateway URL, e.g. `ws://127.0.0.1:18789`. */
  url: string;
  /** Who the client is (SPEC H2). Its `displayName` becomes the row's `host`. */
  client: Omit<ClientInfo, "instanceId"> & { instanceId?: string };
  /**
   * The presence key (SPEC K1), sent on every (re)connect. Default: `client.instanceId`, else a
   * random id made once per client object. Use `loadInstanceId()` to keep one across restarts.
   */
  instanceId?: string;
  /**
   * `operator` (reads and writes presence) or `node` (a device host: may call neither
   * system-presence nor system-event, SPEC H7). Default: the gateway's, `operator`.
   */
  role?: "operator" | "node";
  /**
   * Scopes asked for (SPEC H7): `operator.read` lets the connection call system-presence and get
   * pushes, `operator.write` (or `operator.admin`) system-event. Default: the gateway's,
   * `["operator.read", "operator.write"]`. A call beyond them answers FORBIDDEN with
   * `missingScope` (`GatewayError.missingScope`). At most 32, each a non-blank string of at most 256
   * characters (SPEC B3: else connect answers INVALID_PARAMS, which is fatal).
   */
  scopes?: string[];
  /** Sent as `auth.token` (SPEC H5), 1 to 1024 characters; a wrong or missing one is UNAUTHORIZED (fatal). The client puts it in no message of its own. */
  token?: string;
  /**
   * Capabilities asked for in `connect.caps` (SPEC H2; a gateway ignores those it does not know and
   * lists those it grants in `hello-ok.features.caps`). `presence.delta` is added unless
   * `presenceDelta: false`. At most 32.
   */
  caps?: string[];
  /**
   * Ask for the `presence.delta` stream (docs/delta.md): `presence.delta` is added to `caps`, and the
   * mirror applies deltas when the gateway grants it (full lists otherwise). Default true.
   */
  presenceDelta?: boolean;
  /** Sent as `connect.locale` (e.g. `en-US`), as given; 1 to 256 characters. */
  locale?: string;
  /** Sent as `connect.userAgent`, as given; 1 to 256 characters. */
  userAgent?: string;
  /** Other top-level connect fields, sent as given. */
  connectExtra?: Record<string, unknown>;
  /** Wire binding: a ClientBinding, or the name of a registered one. Default `jsonrpc`. */
  binding?: ClientBinding | BindingName;
  /**
   * On the openclaw binding, when the gateway has said nothing 500 ms after the socket opened, ask it
   * on a second connection whether it speaks JSON-RPC (one `system-presence` request before
   * `connect`, which a SPEC gateway refuses and records nothing for, H1), and fail at once with the
   * binding to use when it answers in JSON-RPC, instead of waiting out the challenge timeout
   * (src/transport/binding-check.ts). `false`: never open that second connection (a gateway that
   * must see one connection per client, e.g. behind strict per-client limits). Default true; the
   * jsonrpc binding has no such check.
   */
  bindingCheck?: boolean;
  /**
   * Default timeout of every request, in ms: > 0 and at most 2147483647 (24.8 days, the longest a
   * timer waits: a longer one would fire after 1 ms, so createPresenceClient throws a RangeError
   * naming the option). Default 10000.
   */
  requestTimeoutMs?: number;
  /** Time allowed to open the socket and to get hello-ok, in ms: > 0, at most 2147483647 (as requestTimeoutMs). Default: requestTimeoutMs. */
  connectTimeoutMs?: number;
  /** Reconnect with backoff (250 ms doubling to a 30 s cap, jittered; maxDelayMs at most 2147483647) or `false` for none. */
  reconnect?: ReconnectOptions | false;
  /**
   * Treat the connection as dead when nothing arrives for this long, in ms (only when the gateway
   * announces `tick`). Default: 3 x policy.tickIntervalMs. `false` turns it off. Compared with the
   * time of the last frame (checked every few seconds, never a timer of this length): any value, also
   * beyond 2147483647 ms for "practically never".
   */
  tickTimeoutMs?: number | false;
  /** Wait after a detected gap before the mirror resyncs, in ms: 0 to 2147483647 (a timer's longest wait; more throws RangeError). Default 100. */
  resyncDelayMs?: number;
  /**
   * Re-read the whole list this often while connected, in ms (`system-presence`, or `presence.resync`
   * in delta mode): keep-alives refresh a quiet connection's `ts` on the gateway without a push (SPEC
   * P7), so without it a connected client's row ages in the mirror and turns Idle after 2 minutes.
   * For views that show ages or statuses: 30000. > 0, at most 2147483647. Default: never.
   */
  presenceRefreshMs?: number;
  /** WebSocket implementation. Default: `isomorphic-ws` (ws in Node, the global one in browsers). */
  WebSocket?: WebSocketConstructor;
  /** Called after every successful re-handshake (not the first connect), once the mirror is resynced. */
  onReconnect?: (hello: HelloOk) => void | Promise<void>;
}

export interface ResolvedOptions extends Omit<PresenceClientOptions, "reconnect"> {
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  reconnect: ResolvedReconnect;
}

/** Default `reconnect.minUptimeMs`. */
export const DEFAULT_MIN_UPTIME_MS = 5_000;

export function resolveOptions(options: PresenceClientOptions): ResolvedOptions {
  // The URL is quoted redacted: it may hold a token (`?token=`) or `user:password@`.
  if (typeof options?.url !== "string" || !/^wss?:\/\//i.test(options.url)) {
    const shown = typeof options?.url === "string" ? redactUrl(options.url) : options?.url;
    throw new TypeError(`createPresenceClient: url must start with ws:// or wss://, got ${JSON.stringify(shown)}`);
  }
  if (!parseUrl(options.url)) {
    throw new TypeError(`createPresenceClient: url is not a valid URL (host, port 1-65535, reserved characters percent-encoded): ${JSON.stringify(redactUrl(options.url))}`);
  }
  if (!options.client || typeof options.client !== "object") {
    throw new TypeError("createPresenceClient: client ({id, version, platform, mode, ...}) is required");
  }
  checkInstanceId(options.instanceId ?? options.client.instanceId);
  const requestTimeoutMs = timer("requestTimeoutMs", positive("requestTimeoutMs", options.requestTimeoutMs ?? 10_000));
  const connectTimeoutMs = timer("connectTimeoutMs", positive("connectTimeoutMs", options.connectTimeoutMs ?? requestTimeoutMs));
  if (options.resyncDelayMs !== undefined) timer("resyncDelayMs", nonNegative("resyncDelayMs", options.resyncDelayMs));
  if (options.presenceRefreshMs !== undefined) timer("presenceRefreshMs", positive("presenceRefreshMs", options.presenceRefreshMs));
  const reconnect =
    options.reconnect === false
      ? false
      : {
          ...resolveBackoff(options.reconnect),
          maxAttempts: attempts(options.reconnect?.maxAttempts ?? Infinity),
          minUptimeMs: timer("reconnect.minUptimeMs", nonNegative("reconnect.minUptimeMs", options.reconnect?.minUptimeMs ?? DEFAULT_MIN_UPTIME_MS)),
        };
  return { ...options, requestTimeoutMs, connectTimeoutMs, reconnect };
}

/**
 * The presence key goes out on every (re)connect and beacon: one the gateway must refuse (blank, over
 * SPEC B3's 128 characters, or with a lone surrogate, which UTF-8 cannot carry) would fail every
 * connect with a fatal INVALID_PARAMS, so it is refused here. Characters are code points, as the
 * gateway's schema counts them: 128 emoji (256 UTF-16 units) are taken.
 */
function checkInstanceId(value: unknown): void {
  if (value === undefined) return;
  const characters = typeof value === "string" ? (value.length > INSTANCE_ID_MAX_LENGTH ? [...value].length : value.length) : 0;
  const loneSurrogate = typeof value === "string" ? LONE_SURROGATE.exec(value) : null;
  if (typeof value !== "string" || value.trim() === "" || characters > INSTANCE_ID_MAX_LENGTH || loneSurrogate) {
    const got =
      typeof value !== "string"
        ? `a ${value === null ? "null" : typeof value}`
        : loneSurrogate
          ? `a lone surrogate \\u${loneSurrogate[0].charCodeAt(0).toString(16)} at index ${loneSurrogate.index}`
          : characters > 40
            ? `${characters} characters`
            : JSON.stringify(value);
    throw new TypeError(
      `createPresenceClient: instanceId must be a well-formed string with a non-blank character, at most ${INSTANCE_ID_MAX_LENGTH} characters (SPEC B3; the presence key, K1), got ${got}`,
    );
  }
}

/** With the u flag a surrogate pair is one code point outside this range: only a lone one matches. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

function attempts(value: number): number {
  if (!(Number.isInteger(value) && value >= 1) && value !== Infinity) {
    throw new RangeError(`createPresenceClient: reconnect.maxAttempts must be an integer >= 1 or Infinity, got ${value}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || value === Infinity) throw new RangeError(`createPresenceClient: ${name} must be a finite number >= 0, got ${value}`);
  return value;
}

/** A timer's delay: at most MAX_TIMER_MS (src/protocol/durations.ts), said with the option's name. */
function timer(name: string, value: number): number {
  return checkTimerMs(`createPresenceClient: ${name}`, value);
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`createPresenceClient: ${name} must be > 0, got ${value}`);
  return value;
}

/** A random instanceId (UUID v4 where the platform has one). */
export function randomInstanceId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
