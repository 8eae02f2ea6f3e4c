/**
 * The connection's remote address as a presence `ip` (SPEC P5). Loopback addresses (an SSH tunnel,
 * a port forward) are never recorded. `X-Forwarded-For` is believed only when the peer is a
 * configured trusted proxy; the walk through it is proxy-addr's.
 */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import proxyaddr from "proxy-addr";
import { isLoopbackAddress, normalizeAddress } from "../../presence/addresses.js";

export { isLoopbackAddress, normalizeAddress } from "../../presence/addresses.js";

/**
 * Trusted proxies, compiled by proxy-addr (Express's): addresses, CIDR subnets (`10.0.0.0/8`,
 * `fd00::/8`), netmasks (`10.0.0.0/255.0.0.0`) and proxy-addr's names `loopback`, `linklocal`,
 * `uniquelocal`. A prefix of 0 (trust every address) is refused.
 */
export class TrustedProxies {
  readonly trust: (address: string, hop: number) => boolean;
  readonly size: number;

  constructor(entries: readonly string[] = []) {
    const list = entries.map(trustedEntry);
    try {
      this.trust = list.length === 0 ? () => false : proxyaddr.compile(list);
    } catch (error) {
      const bad = entries.find((entry, i) => {
        try {
          proxyaddr.compile(list[i]!);
          return false;
        } catch {
          return true;
        }
      });
      throw new TypeError(`trustedProxies: ${JSON.stringify(bad)} is not an IP address, a CIDR subnet or loopback/linklocal/uniquelocal (${(error as Error).message})`);
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    const a = normalizeAddress(address);
    return isIP(a) !== 0 && this.trust(a, 0);
  }
}

/**
 * A trusted-proxy entry as proxy-addr takes it. An IPv4-mapped address (`::ffff:192.0.2.1`,
 * `::ffff:c000:201`) is its IPv4 address, and with a prefix of 96 to 128 the IPv4 subnet it covers
 * (`::ffff:c000:200/120` -> `192.0.2.0/24`; a shorter prefix covers more than mapped addresses and is
 * refused). A prefix of 0, in any form (`0.0.0.0/0`, `::/0`, `::ffff:0:0/96`: every IPv4 client),
 * would trust every address and is refused: any client could then claim any ip.
 */
function trustedEntry(entry: string): string {
  if (typeof entry !== "string") throw new TypeError(`trustedProxies: ${JSON.stringify(entry) ?? String(entry)} is not a string (an address, a CIDR subnet or loopback/linklocal/uniquelocal)`);
  const [address, bits] = entry.trim().split("/") as [string, string | undefined];
  const normal = normalizeAddress(address);
  const mapped = normal !== address.trim() && isIP(normal) === 4;
  let prefix = bits?.trim();
  if (mapped && prefix !== undefined) {
    const n = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(n >= 96 && n <= 128)) {
      throw new TypeError(`trustedProxies: ${JSON.stringify(entry)} is an IPv4-mapped address with a prefix that is not 96 to 128; give the IPv4 subnet (${normal}/N) instead`);
    }
    prefix = String(n - 96);
  }
  if (prefix !== undefined && /^(0+|0+\.0+\.0+\.0+)$/.test(prefix)) {
    throw new TypeError(`trustedProxies: ${JSON.stringify(entry)} would trust every address (a prefix of 0), so any client could claim any ip; give the proxies' own addresses or subnets`);
  }
  return prefix === undefined ? normal : `${normal}/${prefix}`;
}

/**
 * A hop as an address: an IP, or an IPv4 `a.b.c.d:port` / IPv6 `[addr]:port` (some proxies append
 * the client's port) without its port; undefined for anything else (`unknown`, a host name, junk).
 */
function hopAddress(hop: string): string | undefined {
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(hop) ?? /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(hop);
  const address = normalizeAddress(withPort ? withPort[1]! : hop);
  return isIP(address) !== 0 ? address : undefined;
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the right-most
 * `X-Forwarded-For` hop that is not itself a trusted proxy (proxy-addr's walk, from the right). A hop
 * that is not an address (`unknown`, a host name) ends the walk: everything left of it came from
 * whoever sent the request, so the client is not known and the nearest trusted proxy's address
 * stands for it (its budget, no `ip`). Skipping such a hop, as this did, took the client's own
 * claim: `X-Forwarded-For: 198.51.100.66` through a proxy that appends `unknown` or `ip:port` made
 * the client 198.51.100.66, so it chose its row's `ip` and a new address, a new budget and no
 * lockout, for every connect.
 */
export function clientAddress(request: IncomingMessage, trusted: TrustedProxies): string | undefined {
  const peer = request.socket.remoteAddress;
  if (peer === undefined) return undefined;
  let client = normalizeAddress(peer);
  if (trusted.size === 0 || !trusted.trust(client, 0)) return client;
  const header = request.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((hop) => hop.trim());
  // An empty header, or empty entries between commas, add no hop.
  for (let i = hops.length - 1, hop = 1; i >= 0; i--) {
    if (hops[i] === "") continue;
    const address = hopAddress(hops[i]!);
    if (address === undefined) return client;
    client = address;
    if (!trusted.trust(address, hop++)) return client;
  }
  return client;
}

/** The `ip` a connection contributes to its row: its address unless loopback (SPEC P5). */
export function connectionIp(address: string | undefined): string | undefined {
  if (address === undefined || isLoopbackAddress(address)) return undefined;
  return address;
}
