/** `gateway-presence serve`: runs the reference gateway until SIGINT or SIGTERM. */
import type { Command } from "commander";
import { bindingName, integer, integerOrOff, jsonObject, listenSpec, milliseconds, type ListenSpec } from "../arguments.js";
import { allowOrigin, checkListeners, checkRedisFlags, hostName, listenFailure, trustedProxy } from "../serve-checks.js";
import { addTokenOptions, commandToken, GIVE_TOKEN, type TokenFlags } from "../token.js";
import { exitCodes, usageError } from "../usage.js";
import { createGateway, DEFAULT_LIMITS, GATEWAY_DEFAULTS, InsecureListenerError, isLoopbackAddress, type GatewayLimitsOptions, type GatewayOptions } from "../../server/index.js";
import { resolveLimits } from "../../server/limits/options.js";
import { DEFAULT_DEAD_AFTER_MS, DEFAULT_REDIS_PREFIX, redactRedisUrl } from "../../presence/redis/index.js";

/** The Redis URL may hold a password: this variable keeps it off the command line (ps). */
export const REDIS_URL_ENV = "GATEWAY_PRESENCE_REDIS_URL";

interface ServeFlags extends TokenFlags {
  host: string;
  port: number;
  binding?: "jsonrpc" | "openclaw";
  listen: ListenSpec[];
  ttlMs?: number;
  maxEntries?: number;
  handshakeTimeoutMs?: number;
  tickIntervalMs?: number;
  pushIntervalMs?: number;
  pushBytesPerSecond?: number;
  testClock?: boolean;
  insecureNoAuth?: boolean;
  trustedProxy: string[];
  redis?: string;
  gatewayId?: string;
  redisPrefix?: string;
  deadAfterMs?: number;
  allowOrigin: string[];
  limits?: GatewayLimitsOptions;
  connectionRate?: number | "off";
  connectionBurst?: number;
}

function line(text: string): void {
  process.stdout.write(`${new Date().toISOString()} ${text}\n`);
}

export function register(program: Command): void {
  const command = program
    .command("serve")
    .description("run the reference gateway (JSON-RPC or OpenClaw frames over WebSocket) and its Instances page; stops cleanly on SIGINT/SIGTERM");
  exitCodes(command, {
    0: "stopped by SIGINT or SIGTERM",
    1: "the gateway could not start (the address is in use or not this machine's, a host name that does not resolve; a non-loopback host without a token) or stop cleanly",
  });
  command
    .option("--host <host>", "address to listen on", hostName, GATEWAY_DEFAULTS.host)
    .option("--port <port>", "port to listen on (0 = any free port)", integer(0, 65535), GATEWAY_DEFAULTS.port)
    .option("--binding <binding>", "wire binding of the listener: jsonrpc (default) or openclaw", bindingName)
    .option(
      "--listen <binding=host:port>",
      "a listener, e.g. jsonrpc=127.0.0.1:18789 and openclaw=127.0.0.1:18790 (repeatable; one store for all; replaces --port and --binding)",
      listenSpec,
      [],
    );
  addTokenOptions(command, "token clients must send as auth.token")
    .option("--ttl-ms <ms>", `row lifetime in ms (default ${GATEWAY_DEFAULTS.ttlMs}; compared with timestamps, no timer: may exceed 24.8 days)`, integer(1))
    .option("--max-entries <n>", `most rows, self included (default ${GATEWAY_DEFAULTS.maxEntries})`, integer(1))
    .option("--handshake-timeout-ms <ms>", `time allowed for connect (default ${GATEWAY_DEFAULTS.handshakeTimeoutMs})`, milliseconds(1))
    .option("--tick-interval-ms <ms>", `tick event period (default ${GATEWAY_DEFAULTS.tickIntervalMs})`, milliseconds(1))
    .option("--push-interval-ms <ms>", `under load, push rounds are at least this far apart; 0: only the byte ceiling spaces them (default ${GATEWAY_DEFAULTS.pushIntervalMs})`, milliseconds(0))
    .option(
      "--push-bytes-per-second <n>",
      `ceiling on presence push bytes per second, all readers together (default ${GATEWAY_DEFAULTS.pushBytesPerSecond}; docs/gateway.md#pushes-fan-out-at-scale)`,
      integer(1),
    )
    .option("--test-clock", "test mode: offer test.clock.advance (never in production)")
    .option("--trusted-proxy <address>", "believe X-Forwarded-For from this address or CIDR (repeatable)", trustedProxy, [])
    .option("--allow-origin <origin>", "accept WebSocket upgrades from pages of this origin, besides the gateway's own (repeatable)", allowOrigin, [])
    .option("--insecure-no-auth", "allow listening on a non-loopback address without a token")
    .option("--redis <url>", `share one presence list with every gateway on this Redis: redis://[:password@]host:port[/db] (default: $${REDIS_URL_ENV}; docs/cluster.md)`)
    .option("--gateway-id <id>", "this gateway's id in the cluster, unique per gateway (default: host name + random)")
    .option("--redis-prefix <prefix>", `key prefix of the cluster's list in Redis (default ${DEFAULT_REDIS_PREFIX})`)
    .option("--dead-after-ms <ms>", `a gateway of the cluster without a heartbeat this long is dead; the others clean its rows up (default ${DEFAULT_DEAD_AFTER_MS})`, milliseconds(50))
    .option(
      "--limits <json>",
      'per-address and gateway-wide limits, overload shedding, e.g. \'{"connectionsPerAddress":1024,"maxConnections":50000,"overload":{"maxEventLoopDelayMs":100}}\' (docs/security.md)',
      jsonObject,
    )
    .option(
      "--connection-rate <per-second>",
      `new connections per second of the whole gateway, every address together; over it an upgrade gets HTTP 503 + Retry-After; off: no limit (default ${DEFAULT_LIMITS.connectionRate.perSecond}; docs/security.md)`,
      integerOrOff(1),
    )
    .option("--connection-burst <n>", `new connections accepted back to back before --connection-rate applies (default ${DEFAULT_LIMITS.connectionRate.burst})`, integer(1))
    .action(async (flags: ServeFlags) => {
      let redisUrl: string | undefined;
      const listeners = flags.listen.length > 0 ? flags.listen : undefined;
      try {
        if (listeners && (flags.binding !== undefined || command.getOptionValueSource("port") === "cli")) {
          throw new Error("--binding and --port describe the one listener; with --listen, each listener names its own binding and port");
        }
        redisUrl = flags.redis ?? (process.env[REDIS_URL_ENV] || undefined);
        // The URL's flag, or the variable it came from: the one to fix.
        const urlSource = flags.redis !== undefined ? "--redis" : `$${REDIS_URL_ENV}`;
        if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) throw new Error(`${urlSource} must be a redis:// or rediss:// URL, got ${JSON.stringify(redactRedisUrl(redisUrl))}`);
        if (redisUrl === undefined && (flags.gatewayId !== undefined || flags.redisPrefix !== undefined || flags.deadAfterMs !== undefined)) {
          throw new Error("--gateway-id, --redis-prefix and --dead-after-ms need --redis");
        }
        if (redisUrl !== undefined) checkRedisFlags({ url: redisUrl, urlSource, gatewayId: flags.gatewayId, prefix: flags.redisPrefix, deadAfterMs: flags.deadAfterMs });
        if (listeners) checkListeners(flags.host, listeners);
        if (flags.limits?.connectionRate !== undefined && (flags.connectionRate !== undefined || flags.connectionBurst !== undefined)) {
          throw new Error("give the connection rate either in --limits (connectionRate) or with --connection-rate/--connection-burst, not both");
        }
        if (flags.connectionRate === "off" && flags.connectionBurst !== undefined) {
          throw new Error("--connection-rate off and --connection-burst do not go together: with no connection rate there is no burst");
        }
        if (flags.limits !== undefined) checkLimitsFlag(flags.limits);
        const rate = flags.limits?.connectionRate;
        if (rate?.enabled === false && (rate.perSecond !== undefined || rate.burst !== undefined)) {
          // The same rule as --connection-rate off with --connection-burst: a rate or burst given beside "off" is a mistake in one of them.
          const given = ["perSecond", "burst"].filter((key) => rate[key as "perSecond" | "burst"] !== undefined).map((key) => `connectionRate.${key}`).join(" and ");
          throw new Error(`--limits: connectionRate.enabled false and ${given} do not go together: with no connection rate there is no rate or burst`);
        }
        // A password in --redis is visible in ps: the process title is replaced (as for --token). It may be
        // before the `@` or in the query (`?password=`, which ioredis reads): whatever redaction would hide.
        if (flags.redis !== undefined && redactRedisUrl(flags.redis) !== flags.redis) process.title = "gateway-presence serve";
      } catch (error) {
        // Options that do not go together, a bad --redis URL: a usage error (exit 2).
        usageError(command, (error as Error).message);
      }
      const token = commandToken(command, flags);
      const options: GatewayOptions = {
        host: flags.host,
        ...(listeners ? { listeners } : { port: flags.port, binding: flags.binding }),
        token,
        ttlMs: flags.ttlMs,
        maxEntries: flags.maxEntries,
        handshakeTimeoutMs: flags.handshakeTimeoutMs,
        tickIntervalMs: flags.tickIntervalMs,
        pushIntervalMs: flags.pushIntervalMs,
        pushBytesPerSecond: flags.pushBytesPerSecond,
        testClock: flags.testClock === true,
        insecureNoAuth: flags.insecureNoAuth === true,
        trustedProxies: flags.trustedProxy,
        ...(redisUrl !== undefined ? { redis: { url: redisUrl, gatewayId: flags.gatewayId, prefix: flags.redisPrefix, deadAfterMs: flags.deadAfterMs } } : {}),
        allowOrigins: flags.allowOrigin,
        ...(flags.limits || flags.connectionRate !== undefined || flags.connectionBurst !== undefined ? { limits: { ...flags.limits, ...connectionRateFlags(flags) } } : {}),
        logger: line,
      };
      let gateway;
      try {
        gateway = await createGateway(options);
      } catch (error) {
        // The gateway's option checks throw TypeError or RangeError (a bad --limits value or key, a bad
        // --gateway-id or --redis URL): usage errors. Anything else (the port is taken, a non-loopback
        // host without a token) is 1.
        if (error instanceof TypeError || error instanceof RangeError) usageError(command, error.message);
        const failure = listenFailure(error, { host: flags.host, port: flags.port, listeners }) ?? startFailure(error, listeners !== undefined);
        process.stderr.write(`gateway-presence serve: ${failure}\n`);
        process.exitCode = 1;
        return;
      }
      const gw = gateway;
      // Before the first line that says it listens: a supervisor (or a test) that stops the gateway
      // as soon as it reads "listening" gets a clean stop, not the default SIGTERM death.
      const stop = (signal: string) => {
        line(`${signal}: stopping`);
        gw.close().then(
          () => line("stopped"),
          (error: unknown) => {
            process.stderr.write(`gateway-presence serve: close failed: ${String(error)}\n`);
            process.exitCode = 1;
          },
        );
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
      const notes = `${options.token ? " (token required)" : ""}${options.testClock ? " (test clock)" : ""}`;
      for (const l of gw.listeners) line(`listening ${l.url} ${l.binding}${notes}`);
      if (redisUrl !== undefined) {
        const { gatewayId, healthy } = gw.store.status();
        line(`cluster: gateway ${gatewayId} on ${redactRedisUrl(redisUrl)} prefix ${flags.redisPrefix ?? DEFAULT_REDIS_PREFIX}${healthy ? "" : " (Redis not reachable yet: serving locally)"}`);
      }
      line(`page ${pageUrl(gw.host, gw.port)} (the Instances page, served by every listener)`);
      if (options.token === undefined && gw.listeners.some((l) => !isLoopbackAddress(l.host))) {
        line("warning: no token on a non-loopback address (--insecure-no-auth)");
      }
    });
}

/**
 * The page's address as a browser opens it: a gateway on every interface (0.0.0.0, ::) is named by a
 * loopback address, and the line says the others serve it too (http://0.0.0.0/ is no address to open).
 */
function pageUrl(host: string, port: number): string {
  if (host === "0.0.0.0" || host === "::") return `http://${host === "::" ? "[::1]" : "127.0.0.1"}:${port}/ or this machine's other addresses, port ${port}`;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
}

/**
 * --limits checked before the gateway is made, so a bad value reads as the option's (`--limits:
 * connectionRate.perSecond must be a finite number > 0, got 0`), not as the gateway's `limits.` option.
 */
function checkLimitsFlag(limits: GatewayLimitsOptions): void {
  try {
    resolveLimits(limits);
  } catch (error) {
    throw new Error(`--limits: ${(error as Error).message.replace(/^gateway: /, "").replace(/\blimits(\.| (?=keys? ))/g, "")}`);
  }
}

/** `limits.connectionRate` from --connection-rate and --connection-burst (nothing when neither is given). */
function connectionRateFlags(flags: ServeFlags): Pick<GatewayLimitsOptions, "connectionRate"> {
  const { connectionRate: rate, connectionBurst: burst } = flags;
  if (rate === undefined && burst === undefined) return {};
  return { connectionRate: { ...(rate === "off" ? { enabled: false } : rate !== undefined ? { perSecond: rate } : {}), ...(burst !== undefined ? { burst } : {}) } };
}

/**
 * Why the gateway did not start, with what to do when the port is taken (the usual case: a gateway
 * from an earlier `npm start` still runs; Node's own text names neither that nor --port), or when a
 * non-loopback host has no token (in this command's flags, not createGateway's options).
 */
function startFailure(error: unknown, withListen: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof InsecureListenerError) {
    return `refusing to listen on non-loopback host ${error.host} without a token (SPEC H5): give one with ${GIVE_TOKEN}, or add --insecure-no-auth to accept anyone`;
  }
  const { code, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (code !== "EADDRINUSE") return error.message;
  const where = address !== undefined && port !== undefined ? `${address.includes(":") ? `[${address}]` : address}:${port}` : "the address";
  const choose = withListen ? "give that --listen another port" : "choose another port with --port N (0: any free one)";
  return `${where} is in use (another gateway, e.g. an earlier npm start, or another program listens there): stop it, or ${choose} (${error.message})`;
}
