/**
 * Addresses in presence rows (SPEC P5): which are loopback, which are addresses at all. Shared by
 * the gateway (what it records) and the doctor (what it reports). Node only (node:net).
 */
import { BlockList, isIP } from "node:net";

const DOTTED_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * An IPv4-mapped IPv6 address (`::ffff:0:0/96`) as its IPv4 address, in any of its written forms:
 * `::ffff:10.0.0.5`, `::ffff:a00:5` (hex, as some proxies write it), `0:0:0:0:0:FFFF:0A00:0005` ->
 * `10.0.0.5`. Anything else is returned unchanged (trimmed): other IPv6 addresses (IPv4-compatible
 * `::a00:5`, translated `::ffff:0:a00:5`, NAT64 `64:ff9b::a00:5` are other addresses), one with a zone
 * (`%eth0`), host names, junk. One client is one address however it is written: its budget
 * (budgetKey), its row's `ip`, trusted proxies.
 */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  if (!/ffff/i.test(trimmed) || trimmed.includes("%")) return trimmed; // the common forms cost one scan
  // The form Node gives every IPv4 peer of a dual-stack listener, once or twice per connection: a
  // tenth of the time of the groups below (0.3 against 4 us).
  const dotted = DOTTED_MAPPED.exec(trimmed);
  if (dotted && isIP(dotted[1]!) === 4) return dotted[1]!;
  const groups = ipv6Groups(trimmed);
  if (!groups || groups[5] !== 0xffff || groups.slice(0, 5).some((group) => group !== 0)) return trimmed;
  const [high, low] = [groups[6]!, groups[7]!];
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * An IPv6 address's eight 16-bit groups (`::` expanded, a trailing dotted quad as two groups, a
 * `%zone` left out), or undefined when `address` is not an IPv6 address.
 */
export function ipv6Groups(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  const [head, tail] = address.split("%")[0]!.split("::") as [string, string | undefined];
  const groups = (text: string | undefined) => (text ? text.split(":").flatMap((part) => (part.includes(".") ? dottedGroups(part) : [parseInt(part, 16)])) : []);
  const left = groups(head);
  if (tail === undefined) return left;
  const right = groups(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** `a.b.c.d` at the end of an IPv6 address as its two 16-bit groups. */
function dottedGroups(dotted: string): number[] {
  const [a, b, c, d] = dotted.split(".").map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
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
