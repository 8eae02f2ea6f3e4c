// An IPv4 client is one client however its address is written: `192.0.2.1`, `::ffff:192.0.2.1` and
// the same IPv4-mapped IPv6 address in hex, `::ffff:c000:201`, share one per-address budget and give
// one row `ip`. Real gateway on a loopback port; the forms arrive through X-Forwarded-For from a
// trusted proxy (the loopback peer), as a proxy that writes mapped addresses in hex would send them.
import { describe, expect, it } from "vitest";
import { budgetKey } from "../../../src/server/limits/address-limits.js";
import { normalizeAddress, TrustedProxies } from "../../../src/server/core/remote-address.js";
import { connectClient, connectParams, errorOf, isResponse, list, observer, peers, startGateway, WireClient, type RpcResponse } from "../helpers.js";

const via = (xff: string) => ({ headers: { "x-forwarded-for": xff } });

describe("IPv4-mapped IPv6 addresses in hex", () => {
  it("count against the IPv4 address's budget, not the /64 ::/64 every mapped address would share", async () => {
    const gw = await startGateway({ trustedProxies: ["127.0.0.1"], limits: { connectionsPerAddress: 2 } });
    await connectClient(gw, { instanceId: "a" }, via("192.0.2.1"));
    await connectClient(gw, { instanceId: "b" }, via("::ffff:192.0.2.1"));
    // The third from 192.0.2.1, written in hex: over its address's limit.
    const third = await WireClient.open(gw.url, via("::ffff:c000:201"));
    third.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "connect", params: connectParams({ instanceId: "e" }) }));
    const answer = (await third.waitFor(isResponse)) as RpcResponse; // the refusal (id null) or, admitted, the hello
    expect(errorOf(answer).message).toMatch(/^too many connections from 192\.0\.2\.1 \(at most 2 open\)/);
    // Another IPv4 address in hex is another client with a budget of its own (it shared 0:0:0:0::/64 with every mapped one).
    await connectClient(gw, { instanceId: "c" }, via("::ffff:c633:6407"));
    await connectClient(gw, { instanceId: "d" }, via("0:0:0:0:0:FFFF:C633:6408"));
    const rows = peers(await list(await observer(gw)));
    expect(Object.fromEntries(rows.map((row) => [row.instanceId, row.ip]))).toEqual({ a: "192.0.2.1", b: "192.0.2.1", c: "198.51.100.7", d: "198.51.100.8" });
  });

  it("every written form of a mapped address is its IPv4 address, and its budget key", () => {
    for (const form of ["::ffff:c000:201", "::FFFF:C000:0201", "0:0:0:0:0:ffff:c000:201", "0000:0000:0000:0000:0000:ffff:192.0.2.1", "::ffff:192.0.2.1", " ::ffff:c000:201 "]) {
      expect(normalizeAddress(form), form).toBe("192.0.2.1");
      expect(budgetKey(form), form).toBe("192.0.2.1");
    }
    // Not mapped: left as they are (IPv4-compatible ::c000:201, IPv4-translated ::ffff:0:c000:201, NAT64 64:ff9b::c000:201).
    for (const other of ["::c000:201", "::ffff:0:c000:201", "64:ff9b::c000:201", "2001:db8::ffff:c000:201", "::ffff", "not-an-ip", "::ffff:192.0.2.256", "::ffff:192.0.2.1%eth0"]) {
      expect(normalizeAddress(other), other).toBe(other);
    }
    expect(budgetKey("::ffff:0:c000:201")).toBe("0:0:0:0::/64");
  });

  it("as trusted proxies: the IPv4 address or subnet; ::ffff:0:0/96 (every IPv4 client) is refused like any prefix of 0", () => {
    const proxies = new TrustedProxies(["::ffff:c000:201", "::ffff:c633:6400/120", "::ffff:203.0.113.0/120"]);
    expect(["192.0.2.1", "::ffff:192.0.2.1", "198.51.100.9", "203.0.113.200"].every((a) => proxies.has(a))).toBe(true);
    expect(["192.0.2.2", "198.51.101.1", "8.8.8.8"].some((a) => proxies.has(a))).toBe(false);
    // Trusted every IPv4 address (so any client could set its own ip through X-Forwarded-For).
    for (const everyone of ["::ffff:0:0/96", "0:0:0:0:0:ffff:0:0/96", "::ffff:0.0.0.0/96"]) {
      expect(() => new TrustedProxies([everyone]), everyone).toThrow(`trustedProxies: ${JSON.stringify(everyone)} would trust every address (a prefix of 0)`);
    }
    // Said: 'trustedProxies: undefined is not an IP address ...'.
    expect(() => new TrustedProxies(["::ffff:192.0.2.0/24"])).toThrow('trustedProxies: "::ffff:192.0.2.0/24" is an IPv4-mapped address with a prefix that is not 96 to 128; give the IPv4 subnet (192.0.2.0/N) instead');
    expect(() => new TrustedProxies([7 as unknown as string])).toThrow("trustedProxies: 7 is not a string");
  });
});
