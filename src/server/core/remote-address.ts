/**
 * The connection's remote address as a presence `ip` (SPEC P5). Loopback addresses (an SSH tunnel,
 * a port forward) are never recorded. `X-Forwarded-For` is believed only when the peer is a
 * configured trusted proxy.
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/** `::ffff:10.0.0.5` -> `10.0.0.5`; other addresses unchanged (trimmed). */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  return mapped ? mapped[1] : trimmed;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** `127.0.0.0/8`, `::1` and `::ffff:127.x.x.x` (SPEC P5), in any textual form. */
export function isLoopbackAddress(address: string): boolean {
  const a = normalizeAddress(address);
  const family = isIP(a);
  if (family === 0) return a.toLowerCase() === "localhost";
  return LOOPBACK.check(a, family === 4 ? "ipv4" : "ipv6");
}

/** Trusted proxies: exact addresses or CIDR subnets (`10.0.0.0/8`, `fd00::/8`). */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[] = []) {
    for (const entry of entries) {
      const [address, bits] = entry.trim().split("/");
      const family = isIP(normalizeAddress(address));
      if (family === 0) throw new TypeError(`trustedProxies: ${JSON.stringify(entry)} is not an IP address or CIDR subnet`);
      const type = family === 4 ? "ipv4" : "ipv6";
      if (bits === undefined) {
        this.list.addAddress(normalizeAddress(address), type);
      } else {
        const prefix = Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
          throw new TypeError(`trustedProxies: ${JSON.stringify(entry)} has a bad prefix length`);
        }
        this.list.addSubnet(normalizeAddress(address), prefix, type);
      }
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    const a = normalizeAddress(address);
    const family = isIP(a);
    if (family === 0) return false;
    return this.list.check(a, family === 4 ? "ipv4" : "ipv6");
  }
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the right-most
 * `X-Forwarded-For` entry that is not itself a trusted proxy.
 */
export function clientAddress(request: IncomingMessage, trusted: TrustedProxies): string | undefined {
  const peer = request.socket.remoteAddress;
  if (peer === undefined) return undefined;
  let address = normalizeAddress(peer);
  if (trusted.size === 0 || !trusted.has(address)) return address;
  const header = request.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((hop) => normalizeAddress(hop))
    .filter((hop) => isIP(hop) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    address = hops[i];
    if (!trusted.has(address)) break;
  }
  return address;
}

/** The `ip` a connection contributes to its row: its address unless loopback (SPEC P5). */
export function connectionIp(address: string | undefined): string | undefined {
  if (address === undefined || isLoopbackAddress(address)) return undefined;
  return address;
}
