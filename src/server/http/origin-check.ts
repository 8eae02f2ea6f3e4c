/**
 * The `Origin` check of WebSocket upgrades, against cross-site WebSocket hijacking: a page on another
 * site, opened in a browser that can reach the gateway (loopback, the LAN), must not read presence
 * with the user's network position. Browsers always send `Origin` on a WebSocket upgrade; Node
 * clients and the CLI send none, and are accepted.
 *
 * Accepted: no `Origin`; an origin in `allowOrigins`; the gateway's own origin, i.e. `http://` with a
 * port the gateway listens on and a host name that is this machine's (`localhost`, a loopback or
 * interface address, read at most every 5 s (interfaceAddresses), `os.hostname()`). Not derived from
 * the `Host` header, so a DNS-rebinding name pointed at the gateway is still refused. Anything else
 * (another site, `null`, a malformed value) is refused with 403 before the handshake.
 */
import { isIP } from "node:net";
import { hostname, networkInterfaces } from "node:os";
import { isLoopbackAddress, normalizeAddress } from "../core/remote-address.js";

export type OriginVerdict =
  | { ok: true; matchedBy: "absent" | "allow-list" | "own" }
  | { ok: false; reason: string };

export interface OriginPolicyOptions extends InterfaceCacheOptions {
  /** Origins accepted besides the gateway's own (normalized with `normalizeOrigin`). */
  allowOrigins: readonly string[];
  /** The ports the gateway listens on (read at check time: known only once listening). */
  ports: () => readonly number[];
}

/** How long one reading of this machine's interface addresses is used, in ms. */
export const INTERFACE_CACHE_MS = 5000;

export interface InterfaceCacheOptions {
  /** Reads the interfaces (default `os.networkInterfaces`; a test passes a counting wrapper around it). */
  networkInterfaces?: () => ReturnType<typeof networkInterfaces>;
  /** How long a reading is used, in ms (default INTERFACE_CACHE_MS). */
  interfaceCacheMs?: number;
  /** The clock of the cache (default `Date.now`). */
  now?: () => number;
}

/**
 * This machine's interface addresses (normalized, lower case), read at most once per
 * `interfaceCacheMs` and only when asked: an upgrade with an IP Origin that is not loopback needs them,
 * and `os.networkInterfaces()` (a syscall and an object per address) per such upgrade would let a flood
 * of them cost that much each. A lookup that finds nothing never re-reads early, so foreign Origins
 * cannot force readings. The price of the cache: an address this machine has just given up stays its
 * own for up to 5 s, and one it has just gained is refused for up to 5 s. A failed reading counts as
 * no interface address (fail closed: only loopback names and the host name are then own).
 */
export function interfaceAddresses(options: InterfaceCacheOptions = {}): () => ReadonlySet<string> {
  const read = options.networkInterfaces ?? networkInterfaces;
  const ttl = options.interfaceCacheMs ?? INTERFACE_CACHE_MS;
  const now = options.now ?? Date.now;
  let cached: ReadonlySet<string> | undefined;
  let readAt = 0;
  return () => {
    const t = now();
    if (cached === undefined || t - readAt >= ttl || t < readAt) {
      const addresses = new Set<string>();
      try {
        for (const list of Object.values(read())) for (const a of list ?? []) addresses.add(normalizeAddress(a.address).toLowerCase());
      } catch {
        // Fail closed: no interface address is own until the next reading.
      }
      cached = addresses;
      readAt = t;
    }
    return cached;
  };
}

const sharedInterfaceAddresses = interfaceAddresses();

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443" };

/**
 * `Http://Example.COM:80/` -> `http://example.com`: scheme and host lower-cased, default port and a
 * lone trailing `/` dropped. Throws a TypeError naming the value when it is not an http(s) origin
 * (no path, query, fragment or credentials; `*` and `null` are not origins).
 */
export function normalizeOrigin(value: string): string {
  const parsed = parseOrigin(value);
  if (!parsed) {
    throw new TypeError(`${JSON.stringify(value)} is not an origin: expected http(s)://host[:port] without a path`);
  }
  return parsed.origin;
}

interface ParsedOrigin {
  origin: string;
  protocol: string;
  hostname: string;
  port: string;
}

function parseOrigin(value: string): ParsedOrigin | undefined {
  const text = value.trim();
  if (!/^https?:\/\/[^/?#\\@]+\/?$/i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.hostname === "") return undefined;
  const port = url.port || DEFAULT_PORTS[url.protocol];
  const origin = `${url.protocol}//${url.host}`.toLowerCase();
  return { origin, protocol: url.protocol, hostname: url.hostname.toLowerCase(), port };
}

/** `localhost`, loopback, this machine's interface addresses (`addresses`: cached, see interfaceAddresses) and host name. */
export function isOwnHostName(name: string, addresses: () => ReadonlySet<string> = sharedInterfaceAddresses): boolean {
  const host = normalizeAddress(name.replace(/^\[|\]$/g, "")).toLowerCase();
  if (host === "localhost" || isLoopbackAddress(host)) return true;
  if (isIP(host) === 0) return host === hostname().trim().toLowerCase();
  return addresses().has(host);
}

export function createOriginPolicy(options: OriginPolicyOptions): (origin: string | undefined) => OriginVerdict {
  const allowed = new Set(options.allowOrigins.map(normalizeOrigin));
  const addresses = interfaceAddresses(options);
  return (origin) => {
    if (origin === undefined) return { ok: true, matchedBy: "absent" };
    const parsed = parseOrigin(origin);
    if (!parsed) return { ok: false, reason: "malformed or opaque Origin" };
    if (allowed.has(parsed.origin)) return { ok: true, matchedBy: "allow-list" };
    const ownPort = options.ports().some((port) => String(port) === parsed.port);
    if (parsed.protocol === "http:" && ownPort && isOwnHostName(parsed.hostname, addresses)) return { ok: true, matchedBy: "own" };
    return { ok: false, reason: "not the gateway's own origin nor in --allow-origin" };
  };
}
