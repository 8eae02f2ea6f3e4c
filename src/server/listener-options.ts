/** createGateway's listeners (SPEC T2): one or several addresses, each with its wire binding, and their checks. */
import type { BindingName } from "../transport/binding.js";

/** Where a listener listens when its options name no host or port. */
export const DEFAULT_LISTENER = { host: "127.0.0.1", port: 18789 } as const;

export const BINDING_NAMES: readonly BindingName[] = ["jsonrpc", "openclaw"];

/** One address to listen on and the wire binding spoken there (SPEC T2). */
export interface ListenerOptions {
  /** Default `jsonrpc`. */
  binding?: BindingName;
  /** Default `127.0.0.1`. */
  host?: string;
  /** 0 picks a free one. Default 18789. */
  port?: number;
}

export interface ResolvedListener {
  binding: BindingName;
  host: string;
  port: number;
}

/** The listeners of `options`: `listeners`, or the single one of `host`, `port` and `binding`. Throws TypeError/RangeError naming the option. */
export function resolveListeners(options: { listeners?: ListenerOptions[]; host?: string; port?: number; binding?: BindingName }): ResolvedListener[] {
  if (options.listeners === undefined) return [listener({ binding: options.binding, host: options.host, port: options.port }, "")];
  if (!Array.isArray(options.listeners) || options.listeners.length === 0) {
    throw new TypeError("gateway: listeners must be a non-empty array of {binding, host, port}");
  }
  for (const name of ["port", "binding"] as const) {
    if (options[name] !== undefined) throw new TypeError(`gateway: give either ${name} or listeners, not both`);
  }
  // `host` is the default host of listeners that name none.
  const resolved = options.listeners.map((l, i) => listener({ host: options.host, ...l }, `listeners[${i}].`));
  // Two listeners on one address: the second would fail with EADDRINUSE, said as "another program listens there".
  resolved.forEach((l, i) => {
    const first = resolved.findIndex((o) => o.port === l.port && o.host.toLowerCase() === l.host.toLowerCase());
    if (l.port !== 0 && first < i) {
      const address = l.host.includes(":") ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
      throw new TypeError(
        `gateway: listeners[${first}] (${resolved[first]!.binding}) and listeners[${i}] (${l.binding}) are both on ${address}: one address serves one listener, give each its own port`,
      );
    }
  });
  return resolved;
}

function listener(l: ListenerOptions, where: string): ResolvedListener {
  const host = l.host ?? DEFAULT_LISTENER.host;
  if (typeof host !== "string" || !host.trim()) throw new TypeError(`gateway: ${where}host must be a non-empty string`);
  const binding = l.binding ?? "jsonrpc";
  if (!BINDING_NAMES.includes(binding)) {
    throw new TypeError(`gateway: ${where}binding must be one of ${BINDING_NAMES.join(", ")}, got ${JSON.stringify(binding)}`);
  }
  return { binding, host, port: port(l.port, where) };
}

function port(value: number | undefined, where = ""): number {
  const p = value ?? DEFAULT_LISTENER.port;
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`gateway: ${where}port must be an integer 0..65535, got ${String(value)}`);
  return p;
}
