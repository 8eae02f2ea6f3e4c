/** Option parsers shared by the commands: bad values are refused by commander with a one-line error. */
import { InvalidArgumentError } from "commander";
import { MAX_TIMER_MS } from "../protocol/durations.js";

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/**
 * A duration in ms that a timer will wait: an integer from `min` to MAX_TIMER_MS (Node's timers hold
 * at most 2^31 - 1 ms, 24.8 days: a longer delay fires after 1 ms instead; src/protocol/durations.ts).
 */
export function milliseconds(min: number) {
  return integer(min, MAX_TIMER_MS);
}

/** An integer from `min` to `max`, or the word `off` (a limit turned off). */
export function integerOrOff(min: number, max = Number.MAX_SAFE_INTEGER) {
  const parse = integer(min, max);
  return (value: string): number | "off" => {
    if (value.trim().toLowerCase() === "off") return "off";
    try {
      return parse(value);
    } catch {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}, or off`);
    }
  };
}

export function gatewayUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("must be a ws:// or wss:// URL");
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") throw new InvalidArgumentError("must be a ws:// or wss:// URL");
  return value;
}

export const BINDINGS = ["jsonrpc", "openclaw"] as const;

/** The help of a client's `--binding` (list, watch, doctor, conform). */
export const BINDING_HELP = "wire binding: jsonrpc (default) or openclaw (OpenClaw's native frames)";

/** A repeatable option's values, in order (commander keeps only the last value otherwise). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * How the CLI words a value outside an option's choices: `must be one of jsonrpc, openclaw` (after
 * commander's "option '--binding <binding>' argument 'json' is invalid: "). commander's own
 * `.choices()` check is worded so too (usage.ts oneSentence).
 */
export const mustBeOneOf = (choices: readonly string[]): string => `must be one of ${choices.join(", ")}`;

export function bindingName(value: string): (typeof BINDINGS)[number] {
  const name = value.trim().toLowerCase();
  if (!(BINDINGS as readonly string[]).includes(name)) throw new InvalidArgumentError(mustBeOneOf(BINDINGS));
  return name as (typeof BINDINGS)[number];
}

export interface ListenSpec {
  binding: (typeof BINDINGS)[number];
  /** Absent: the --host value. */
  host?: string;
  port: number;
}

/** `BINDING=HOST:PORT`, `BINDING=[IPV6]:PORT` or `BINDING=PORT`, collected (repeatable `--listen`). */
export function listenSpec(value: string, previous: ListenSpec[] = []): ListenSpec[] {
  const match = /^([^=]+)=(?:(?:\[([^\]]+)\]|([^:[\]]+)):)?(\d+)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError("must be BINDING=HOST:PORT (e.g. openclaw=127.0.0.1:18790), BINDING=[::1]:PORT or BINDING=PORT");
  const binding = part("BINDING", match[1]!, bindingName);
  const port = part("PORT", match[4]!, integer(0, 65535));
  const host = match[2] ?? match[3];
  return [...previous, { binding, port, ...(host !== undefined ? { host } : {}) }];
}

/** One part of a compound value, its error naming the part: `BINDING 'grpc' must be one of jsonrpc, openclaw`. */
function part<T>(name: string, value: string, parse: (value: string) => T): T {
  try {
    return parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`${name} '${value}' ${(error as Error).message}`);
  }
}

/** A JSON object given on the command line (e.g. `--limits '{"connectionsPerAddress":64}'`). */
export function jsonObject<T = Record<string, unknown>>(value: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`must be a JSON object (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidArgumentError("must be a JSON object");
  return parsed as T;
}
