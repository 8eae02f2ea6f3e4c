/** createRedisPresenceStore's options, their defaults and checks. */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { checkTimerMs } from "../../protocol/durations.js";
import { resolveStoreOptions, type ResolvedStoreOptions } from "../options.js";
import type { PresenceStoreOptions } from "../types.js";

export interface RedisPresenceStoreOptions extends PresenceStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://`). Give this or `client`. */
  url?: string;
  /**
   * An ioredis client to use instead of `url` (the store leaves it open on close; it makes its own
   * duplicate for pub/sub). Best created with `enableOfflineQueue: false` and `maxRetriesPerRequest: 0`,
   * so that commands fail at once while Redis is away and the store serves locally meanwhile.
   */
  client?: Redis;
  /** Every key starts with `<prefix>:`; gateways with the same Redis and prefix share one list. Default "gateway-presence". */
  prefix?: string;
  /** This gateway's id in the cluster, unique per running gateway ([A-Za-z0-9._-], 1-64). Default `<host name>-<8 hex digits>`. */
  gatewayId?: string;
  /**
   * A gateway whose heartbeat is older than this is dead: the survivors remove its self row and close
   * its connections (their rows become `disconnect` rows). Heartbeats go every deadAfterMs / 5. 50 to
   * 2147483647 ms (a timer's longest wait; more throws RangeError). Default 10000.
   */
  deadAfterMs?: number;
  /** Longest wait for a Redis reply before the store serves locally (an outage), in ms: 1 to 2147483647 (a timer's). Default 1000. */
  commandTimeoutMs?: number;
}

export interface ResolvedRedisOptions extends ResolvedStoreOptions {
  url: string | undefined;
  client: Redis | undefined;
  prefix: string;
  gatewayId: string;
  deadAfterMs: number;
  heartbeatMs: number;
  commandTimeoutMs: number;
  log: (line: string) => void;
  /** Random per store: tells two processes that were given the same gatewayId apart. */
  token: string;
}

export const DEFAULT_REDIS_PREFIX = "gateway-presence";
export const DEFAULT_DEAD_AFTER_MS = 10_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
const GATEWAY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function resolveRedisOptions(options: RedisPresenceStoreOptions): ResolvedRedisOptions {
  if (options === null || typeof options !== "object") throw new TypeError("redis presence store: options must be an object with url or client");
  const base = resolveStoreOptions(options);
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) throw new TypeError("redis presence store: give exactly one of url and client");
  if (url !== undefined && (typeof url !== "string" || !/^rediss?:\/\//.test(url))) {
    throw new TypeError("redis presence store: url must start with redis:// or rediss://");
  }
  if (url !== undefined && !isParsableUrl(url)) {
    throw new TypeError(`redis presence store: url is not a valid URL (host, port 1-65535, a password with reserved characters percent-encoded): ${JSON.stringify(redactRedisUrl(url))}`);
  }
  if (client !== undefined && (client === null || typeof client !== "object" || typeof client.duplicate !== "function")) {
    throw new TypeError("redis presence store: client must be an ioredis client");
  }
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  if (typeof prefix !== "string" || !prefix.trim() || /\s/.test(prefix)) {
    throw new TypeError(`redis presence store: prefix must be a non-empty string without spaces, got ${JSON.stringify(prefix)}`);
  }
  const gatewayId = options.gatewayId ?? defaultGatewayId();
  if (typeof gatewayId !== "string" || !GATEWAY_ID.test(gatewayId)) {
    throw new TypeError(`redis presence store: gatewayId must be 1-64 characters of A-Z a-z 0-9 . _ -, got ${JSON.stringify(gatewayId)}`);
  }
  const deadAfterMs = options.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS;
  if (!Number.isInteger(deadAfterMs) || deadAfterMs < 50) throw new RangeError(`redis presence store: deadAfterMs must be an integer >= 50, got ${String(deadAfterMs)}`);
  checkTimerMs("redis presence store: deadAfterMs", deadAfterMs);
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs < 1) {
    throw new RangeError(`redis presence store: commandTimeoutMs must be an integer >= 1, got ${String(commandTimeoutMs)}`);
  }
  checkTimerMs("redis presence store: commandTimeoutMs", commandTimeoutMs);
  const log = options.log ?? (() => {});
  if (typeof log !== "function") throw new TypeError("redis presence store: log must be a function");
  return {
    ...base,
    url,
    client,
    prefix,
    gatewayId,
    deadAfterMs,
    heartbeatMs: Math.max(10, Math.floor(deadAfterMs / 5)),
    commandTimeoutMs,
    log,
    token: randomBytes(8).toString("hex"),
  };
}

/**
 * Whether ioredis can read `url`: a URL whose user name and password decode (ioredis decodes them
 * with decodeURIComponent, which throws URIError "URI malformed" for a `%` not followed by two hex
 * digits: the gateway failed to start with those two words, exit 1, naming no option).
 */
function isParsableUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    decodeURIComponent(parsed.username);
    decodeURIComponent(parsed.password);
    return true;
  } catch {
    return false;
  }
}

function defaultGatewayId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40) || "gateway";
  return `${host}-${randomBytes(4).toString("hex")}`;
}

/**
 * A Redis URL (or what was given as one) fit for a log line or an error: everything before the last
 * `@` (user and password) replaced by `***`, whatever the scheme, so a mistyped `--redis` cannot show
 * its password either; and every query value, names kept (`?password=***`): ioredis takes its
 * options from the query, so `redis://host:6379?password=...` is a password too.
 */
export function redactRedisUrl(url: string): string {
  return url
    .replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?[^]*@/, (_, scheme: string | undefined) => `${scheme ?? ""}***@`)
    .replace(/([?&][^=&#]*=)[^&#]*/g, "$1***");
}

/** Query parameters whose values ioredis uses as credentials (`password`, `username`, `sentinelPassword`, ...). */
const SECRET_QUERY = /pass|user|auth|secret|token|key/i;

/** The user name and password of a Redis URL, to keep them out of error messages passed on. */
export function redisUrlSecrets(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const parsed = new URL(url);
    const query = [...parsed.searchParams].filter(([name]) => SECRET_QUERY.test(name)).map(([, value]) => value);
    return [parsed.password, parsed.username, decodeURIComponent(parsed.password), decodeURIComponent(parsed.username), ...query].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}
