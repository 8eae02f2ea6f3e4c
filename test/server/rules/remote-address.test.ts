// X-Forwarded-For through trusted proxies (SPEC P5), walked by proxy-addr: the right-most hop that is
// not a trusted proxy is the client; non-IP hops are skipped; loopback is never recorded as ip.
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientAddress, connectionIp, TrustedProxies } from "../../../src/server/core/remote-address.js";

const request = (peer: string, xff?: string | string[]) =>
  ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { "x-forwarded-for": xff } }) as unknown as IncomingMessage;

describe("clientAddress", () => {
  const trusted = new TrustedProxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);

  it.each([
    ["no trusted proxies: the peer, header ignored", new TrustedProxies(), request("203.0.113.1", "198.51.100.2"), "203.0.113.1"],
    ["an untrusted peer: its own address", trusted, request("203.0.113.1", "198.51.100.2"), "203.0.113.1"],
    ["a trusted peer: the right-most hop", trusted, request("127.0.0.1", "198.51.100.9, 203.0.113.7"), "203.0.113.7"],
    ["trusted hops are walked past", trusted, request("127.0.0.1", "198.51.100.9, 203.0.113.7, 10.1.2.3, 10.9.9.9"), "203.0.113.7"],
    ["every hop trusted: the left-most", trusted, request("127.0.0.1", "10.1.1.1, 10.2.2.2"), "10.1.1.1"],
    // Left of a hop that is no address, every hop came from the client: the nearest trusted one stands for it.
    ["a hop that is no address ends the walk", trusted, request("127.0.0.1", "203.0.113.7, unknown, 10.0.0.1:80"), "10.0.0.1"],
    ["a client's claim behind an 'unknown' hop is not believed", trusted, request("127.0.0.1", "198.51.100.66, unknown"), "127.0.0.1"],
    ["a hop with a port is its address (IPv4)", trusted, request("127.0.0.1", "198.51.100.66, 203.0.113.7:5555"), "203.0.113.7"],
    ["a hop with a port is its address (IPv6)", trusted, request("127.0.0.1", "198.51.100.66, [2001:db8::7]:443"), "2001:db8::7"],
    ["empty entries add no hop", trusted, request("127.0.0.1", "203.0.113.7, , 10.0.0.1"), "203.0.113.7"],
    ["only junk: the peer", trusted, request("127.0.0.1", "unknown, , x"), "127.0.0.1"],
    ["repeated headers count as one list", trusted, request("127.0.0.1", ["198.51.100.1", "203.0.113.8"]), "203.0.113.8"],
    ["IPv4-mapped peer and hops are plain IPv4", trusted, request("::ffff:127.0.0.1", "::ffff:203.0.113.5"), "203.0.113.5"],
    ["IPv6 trusted subnet", trusted, request("fd00::1", "2001:db8::7"), "2001:db8::7"],
  ] as const)("%s", (_name, proxies, req, expected) => {
    expect(clientAddress(req, proxies)).toBe(expected);
  });

  it("loopback is never an ip, however it arrives", () => {
    for (const xff of ["127.0.0.2", "::1", "::ffff:127.9.9.9"]) {
      expect(connectionIp(clientAddress(request("127.0.0.1", xff), trusted))).toBeUndefined();
    }
    expect(connectionIp(clientAddress(request("127.0.0.1", "203.0.113.7"), trusted))).toBe("203.0.113.7");
  });
});

describe("TrustedProxies", () => {
  it("takes addresses, subnets, netmasks and proxy-addr's names", () => {
    const t = new TrustedProxies(["192.0.2.1", "10.0.0.0/255.0.0.0", "loopback", "::ffff:198.51.100.1"]);
    expect(["192.0.2.1", "10.200.0.1", "127.0.0.5", "::1", "198.51.100.1"].every((a) => t.has(a))).toBe(true);
    expect(t.has("192.0.2.2")).toBe(false);
    expect(t.has("not-an-ip")).toBe(false);
  });

  it("refuses what is not an address, a bad prefix, and trusting everyone (/0), naming the entry", () => {
    expect(() => new TrustedProxies(["127.0.0.1", "not-an-ip"])).toThrow(/trustedProxies: "not-an-ip" is not an IP address/);
    expect(() => new TrustedProxies(["10.0.0.0/33"])).toThrow(/"10\.0\.0\.0\/33".*invalid range/);
    for (const everyone of ["0.0.0.0/0", "::/0", "10.0.0.0/0", "0.0.0.0/0.0.0.0"]) {
      expect(() => new TrustedProxies([everyone])).toThrow(`trustedProxies: ${JSON.stringify(everyone)} would trust every address (a prefix of 0)`);
    }
  });
});
