/**
 * `serve`'s flag values checked with the gateway's own checks before the gateway is made, so a bad
 * value is reported with the flag the user typed and the value given (`option '--trusted-proxy
 * <address>' argument 'bogus' is invalid: not an IP address, ...`, `--gateway-id must be ..., got
 * "a/b"`), never with the createGateway option behind it (`trustedProxies`, `listeners[1]`,
 * `redis presence store: gatewayId`). The rules themselves stay the gateway's: nothing here decides
 * what is valid. Secrets never appear: a Redis URL is shown redacted (redactRedisUrl), and no token
 * is checked here (token.ts).
 */
import { InvalidArgumentError } from "commander";
import type { ListenSpec } from "./arguments.js";
import { addressProblem } from "./listen-failure.js";
import { resolveListeners } from "../server/listener-options.js";
import { TrustedProxies } from "../server/core/remote-address.js";
import { normalizeOrigin } from "../server/http/origin-check.js";
import { resolveRedisOptions, type RedisPresenceStoreOptions } from "../presence/redis/options.js";

/**
 * The gateway's message about one value, without the option name and value it starts with:
 * `trustedProxies: "bogus" is not an IP address ...` -> `not an IP address ...`, fit to follow
 * commander's `argument 'bogus' is invalid: `.
 */
function reason(message: string, value: string): string {
  const start = message.indexOf(JSON.stringify(value));
  const rest = start < 0 ? message : message.slice(start + JSON.stringify(value).length).trim();
  return rest.replace(/^is (not )?/, (_, not: string | undefined) => (not ? "not " : ""));
}

/** `--trusted-proxy` (repeatable): each value checked as createGateway's `trustedProxies` checks it (SPEC P5). */
export function trustedProxy(value: string, previous: string[] = []): string[] {
  try {
    new TrustedProxies([value]);
  } catch (error) {
    throw new InvalidArgumentError(reason((error as Error).message, value));
  }
  return [...previous, value];
}

/** `--allow-origin` (repeatable): each value checked as createGateway's `allowOrigins` checks it. */
export function allowOrigin(value: string, previous: string[] = []): string[] {
  try {
    normalizeOrigin(value);
  } catch (error) {
    throw new InvalidArgumentError(reason((error as Error).message, value));
  }
  return [...previous, value];
}

/** `--host`: an address or host name to listen on (createGateway's `host`: a non-empty string). */
export function hostName(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError("must be an address or host name to listen on, not empty");
  return value;
}

/** A listener as `--listen` takes it: `openclaw=127.0.0.1:18790`, `jsonrpc=[::1]:0`, `jsonrpc=18789`. */
export function listenText(spec: ListenSpec): string {
  const host = spec.host === undefined ? "" : `${spec.host.includes(":") ? `[${spec.host}]` : spec.host}:`;
  return `${spec.binding}=${host}${spec.port}`;
}

/**
 * The listeners' combination, checked as createGateway checks it (two on one address): the error
 * names them as given, `--listen jsonrpc=127.0.0.1:18789 and --listen openclaw=18789 are both on
 * 127.0.0.1:18789: ...`. Throws an Error for a usage error.
 */
export function checkListeners(host: string, listeners: ListenSpec[]): void {
  try {
    resolveListeners({ host, listeners });
  } catch (error) {
    const flag = (i: string) => `--listen ${listenText(listeners[Number(i)]!)}`;
    throw new Error(
      (error as Error).message
        .replace(/^gateway: /, "")
        .replace(/\blisteners\[(\d+)\] \(\w+\)/g, (_, i: string) => flag(i))
        .replace(/\blisteners\[(\d+)\]\.(\w+)/g, (_, i: string, field: string) => `${flag(i)}: ${field}`),
    );
  }
}

/** The Redis flags' values (`url` from --redis or its variable, named by `urlSource`). */
export interface RedisFlags {
  url: string;
  urlSource: string;
  gatewayId?: string;
  prefix?: string;
  deadAfterMs?: number;
}

const REDIS_FLAGS: Record<string, (flags: RedisFlags) => string> = {
  url: (flags) => flags.urlSource,
  prefix: () => "--redis-prefix",
  gatewayId: () => "--gateway-id",
  deadAfterMs: () => "--dead-after-ms",
};

/**
 * The Redis flags checked as createRedisPresenceStore checks them, before any connection: the error
 * names the flag (`--gateway-id must be 1-64 characters of A-Z a-z 0-9 . _ -, got "a/b"`); the URL
 * is named by where it came from and shown redacted, as the store's own message shows it.
 */
export function checkRedisFlags(flags: RedisFlags): void {
  const options: RedisPresenceStoreOptions = { url: flags.url, gatewayId: flags.gatewayId, prefix: flags.prefix, deadAfterMs: flags.deadAfterMs };
  try {
    resolveRedisOptions(options);
  } catch (error) {
    const message = (error as Error).message.replace(/^redis presence store: /, "");
    const option = /^(\w+)\b/.exec(message)?.[1] ?? "";
    const flag = REDIS_FLAGS[option];
    throw new Error(flag ? `${flag(flags)}${message.slice(option.length)}` : `${flags.urlSource}: ${message}`);
  }
}

/**
 * Why listening failed, naming the flag that gave the address (`--host bogus.example: no such host
 * name (getaddrinfo ENOTFOUND bogus.example)`, `--listen openclaw=10.9.9.9:18790: not an address of
 * this machine (...)`, `--port 80: permission denied ...`), or undefined when the failure is not about
 * the address given.
 */
export function listenFailure(error: unknown, flags: { host: string; port: number; listeners: ListenSpec[] | undefined }): string | undefined {
  const problem = addressProblem(error);
  if (!problem) return undefined;
  if (!flags.listeners) return `${problem.portRefused ? `--port ${flags.port}` : `--host ${flags.host}`}: ${problem.text}`;
  const matches = (l: ListenSpec) => (l.host ?? flags.host) === problem.host && (problem.port === undefined || l.port === problem.port);
  const spec = flags.listeners.find(matches) ?? flags.listeners.find((l) => (l.host ?? flags.host) === problem.host);
  // A listener without a host of its own listens on --host: that is the flag to fix.
  const flag = !spec ? "--listen" : spec.host === undefined && !problem.portRefused ? `--host ${flags.host}` : `--listen ${listenText(spec)}`;
  return `${flag}: ${problem.text}`;
}
