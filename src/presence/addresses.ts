/**
 * Addresses in presence rows (SPEC P5): which are loopback, which are addresses at all. Shared by
 * the gateway (what it records) and the doctor (what it reports). Node only (node:net).
 */
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
  // The common forms without the BlockList (a native call that costs microseconds, once per connect):
  // a valid dotted quad is in 127.0.0.0/8 exactly when its first number is 127.
  if (family === 4) return a.startsWith("127.");
  if (a === "::1") return true;
  return LOOPBACK.check(a, "ipv6");
}

/** Is this an IPv4 or IPv6 address (not a host name)? */
export function isIpAddress(address: string): boolean {
  return isIP(normalizeAddress(address)) !== 0;
}
