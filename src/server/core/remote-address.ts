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
    const list = entries.map((entry) => {
      const trimmed = entry.trim();
      const [address, bits] = trimmed.split("/");
      if (bits !== undefined && /^(0+|0+\.0+\.0+\.0+)$/.test(bits.trim())) {
        throw new TypeError(`trustedProxies: ${JSON.stringify(entry)} would trust every address (a prefix of 0), so any client could claim any ip; give the proxies' own addresses or subnets`);
      }
      // Accept `::ffff:a.b.c.d` as a.b.c.d, as everywhere else here.
      return bits === undefined ? normalizeAddress(address!) : `${normalizeAddress(address!)}/${bits}`;
    });
    try {
      this.trust = list.length === 0 ? () => false : proxyaddr.compile(list);
    } catch (error) {
      const bad = entries.find((entry) => {
        try {
          proxyaddr.compile(entry.trim());
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
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the right-most
 * `X-Forwarded-For` entry that is not itself a trusted proxy (proxy-addr's walk). Hops that are not
 * IP addresses (`unknown`, `host:port`) are left out first, so they are never taken for the client.
 */
export function clientAddress(request: IncomingMessage, trusted: TrustedProxies): string | undefined {
  const peer = request.socket.remoteAddress;
  if (peer === undefined) return undefined;
  if (trusted.size === 0) return normalizeAddress(peer);
  const header = request.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => isIP(normalizeAddress(hop)) !== 0);
  const view = { headers: { "x-forwarded-for": hops.join(", ") }, socket: { remoteAddress: peer } };
  return normalizeAddress(proxyaddr(view as unknown as IncomingMessage, trusted.trust));
}

/** The `ip` a connection contributes to its row: its address unless loopback (SPEC P5). */
export function connectionIp(address: string | undefined): string | undefined {
  if (address === undefined || isLoopbackAddress(address)) return undefined;
  return address;
}
