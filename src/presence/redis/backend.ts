/**
 * The Redis side of the store: an ioredis client for the scripts (commands fail at once while Redis
 * is away, so the store can serve locally instead of queueing), a second connection subscribed to
 * `<prefix>:changes`, and typed script calls.
 */
import { createRequire } from "node:module";
import type { Redis as RedisClient } from "ioredis";
import { SCRIPTS, type ScriptName } from "./lua/index.js";
import { redisUrlSecrets, type ResolvedRedisOptions } from "./options.js";

/** What every script returns: the changes it made (JSON, "" for none), the cluster time it used, its result. */
/**
 * ioredis, loaded when a Redis store is made: importing it costs a gateway that never uses Redis
 * about 20 MB of RSS (issue 11's idle-RSS target). ioredis is CommonJS, so require() loads it in place.
 */
let ioredis: typeof import("ioredis") | undefined;
function redisClass(): typeof import("ioredis").Redis {
  ioredis ??= createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
  return ioredis.Redis;
}

export interface ScriptReply {
  changesJson: string;
  now: number;
  result: unknown;
}

export interface BackendEvents {
  /** The command connection closed (Redis stopped, network lost). */
  lost(reason: string): void;
  /** The command connection is (again) ready. */
  ready(): void;
  /** A message on the changes channel (from any gateway, this one included). */
  message(json: string): void;
}

type ScriptFn = (metaKey: string, ...argv: string[]) => Promise<unknown>;

export class RedisBackend {
  private readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly ownsClient: boolean;
  private readonly metaKey: string;
  private closed = false;
  #lastError: string | undefined;
  /** Settles when the first SUBSCRIBE went through (or failed). */
  private readonly subscribed: Promise<unknown>;

  constructor(
    private readonly opts: ResolvedRedisOptions,
    events: BackendEvents,
  ) {
    this.metaKey = `${opts.prefix}:meta`;
    this.ownsClient = opts.client === undefined;
    this.client =
      opts.client ??
      new (redisClass())(opts.url!, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: opts.commandTimeoutMs,
        connectTimeout: Math.max(opts.commandTimeoutMs, 1_000),
        retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
        connectionName: `gateway-presence:${opts.gatewayId}`,
        enableAutoPipelining: true,
        // close() ends the socket and waits this long for Redis to close its side (ioredis' default
        // is 2 s): a frozen Redis never does, and a stopping gateway would wait for it.
        disconnectTimeout: Math.min(opts.commandTimeoutMs, 250),
      });
    for (const [name, lua] of Object.entries(SCRIPTS)) this.client.defineCommand(name, { numberOfKeys: 1, lua });
    this.subscriber = this.client.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResendUnfulfilledCommands: true,
      commandTimeout: undefined,
      connectionName: `gateway-presence:${opts.gatewayId}:sub`,
    });
    let wasReady = false;
    this.client.on("close", () => {
      // Before the first "ready", start-up decides (ready within the timeout or not).
      if (!this.closed && wasReady) events.lost("connection closed");
    });
    this.client.on("ready", () => {
      wasReady = true;
      if (!this.closed) events.ready();
    });
    // ioredis reports every failed reconnect as an "error" event: an unhandled one would crash the
    // process. The store logs outages itself (once); the latest error is kept for that line, so a
    // refused password (WRONGPASS, NOAUTH) is named instead of a bare "not reachable".
    const secrets = redisUrlSecrets(opts.url);
    this.client.on("error", (error: Error) => {
      this.#lastError = secrets.reduce((text, secret) => text.split(secret).join("***"), String(error?.message ?? error));
    });
    this.subscriber.on("error", () => {});
    this.subscriber.on("message", (_channel: string, message: string) => events.message(message));
    this.subscribed = this.subscriber.subscribe(`${opts.prefix}:changes`).catch(() => {
      // Re-subscribed by ioredis when it reconnects (autoResubscribe).
    });
  }

  /**
   * Resolves true once the command connection is ready and the channel subscribed (so no change
   * made after start-up is missed), false if that does not happen within `ms`.
   */
  async ready(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    const ready = await this.commandsReady(ms);
    if (!ready) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
    await Promise.race([this.subscribed, late]);
    clearTimeout(timer);
    return true;
  }

  private commandsReady(ms: number): Promise<boolean> {
    if (this.client.status === "ready") return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.client.off("ready", onReady);
        resolve(value);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.client.on("ready", onReady);
    });
  }

  /** What ioredis last reported as an error (secrets of the URL masked), if anything. */
  lastError(): string | undefined {
    return this.#lastError;
  }

  isReady(): boolean {
    return this.client.status === "ready";
  }

  /** Runs a script with the common arguments (prefix, gateway id, now, ttlMs, maxEntries) and `args`. */
  async call(name: ScriptName, now: number, args: readonly (string | number)[] = []): Promise<ScriptReply> {
    const fn = (this.client as unknown as Record<ScriptName, ScriptFn>)[name];
    const { prefix, gatewayId, ttlMs, maxEntries } = this.opts;
    const reply = await fn.call(this.client, this.metaKey, prefix, gatewayId, String(Math.floor(now)), String(ttlMs), String(maxEntries), ...args.map(String));
    if (!Array.isArray(reply) || reply.length < 2) throw new Error(`redis presence store: unexpected reply from ${name}`);
    return { changesJson: String(reply[0] ?? ""), now: Number(reply[1]), result: reply[2] ?? null };
  }

  /** A plain command (for tests and the probe). */
  ping(): Promise<string> {
    return this.client.ping();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriber.disconnect();
    if (this.ownsClient) this.client.disconnect();
  }
}
