/**
 * Addresses (SPEC P5, and P1 for the self row): a loopback ip recorded (a tunnel or port forward
 * the gateway should have ignored), an `ip` that is no address at all (often the host name), and
 * one ip on rows of different hosts (a proxy or NAT in front of the gateway).
 */
import { isIpAddress, isLoopbackAddress, normalizeAddress } from "../presence/addresses.js";
import type { PresenceEntry } from "../protocol/presence.js";
import type { Draft, ListView } from "./check.js";
import { folded, isSelfRow, plural } from "./rows.js";

export function addressFindings(view: ListView): Draft[] {
  // An ip that is not a string is a mistyped field (impossible-rows.ts), not an address to judge.
  const withIp = view.entries.filter((row) => typeof row.ip === "string");
  return [...loopback(withIp), ...notAddresses(withIp), ...shared(withIp)];
}

function loopback(rows: PresenceEntry[]): Draft[] {
  const found = rows.filter((row) => isLoopbackAddress(row.ip!));
  if (found.length === 0) return [];
  return [
    {
      id: "loopback-ip",
      rule: "P5",
      severity: "error",
      subject: "",
      title: `${plural(found.length, "row has a", "rows have a")} loopback ip`,
      detail:
        "A client that comes through an SSH tunnel or a local port forward reaches the gateway from 127.0.0.1 or ::1. " +
        "That address says nothing about the client, and recorded as ip it hides the address the client reported.",
      advice:
        "Gateway: never record a loopback remote address as ip, and never let it overwrite a beacon-reported ip (SPEC P5). " +
        "Client behind a tunnel: report its own ip in a beacon.",
      evidence: found.map((row) => ({ row })),
    },
  ];
}

function notAddresses(rows: PresenceEntry[]): Draft[] {
  const found = rows.filter((row) => !isIpAddress(row.ip!) && folded(row.ip) !== "localhost");
  const drafts: Draft[] = [];
  for (const self of [true, false]) {
    const part = found.filter((row) => isSelfRow(row) === self);
    if (part.length === 0) continue;
    const hostNames = part.filter((row) => folded(row.ip) === folded(row.host));
    drafts.push({
      id: "ip-not-an-address",
      rule: self ? "P1" : "P5",
      severity: "warning",
      subject: self ? "self" : "clients",
      title: self
        ? `the gateway's own row has ip ${JSON.stringify(part[0].ip)}, which is not an IP address`
        : `${plural(part.length, "row has an", "rows have an")} ip that is not an IP address`,
      detail:
        (hostNames.length > 0 ? "The ip field holds the host name. " : "The ip field holds something other than an IPv4 or IPv6 address. ") +
        "Consumers that show, sort or compare addresses get nonsense.",
      advice: self
        ? "Gateway: put the first non-internal IPv4 address in the self row's ip, or leave ip out when there is none (SPEC P1)."
        : "Client: report an IP address in beacons (or none); the host name belongs in host.",
      evidence: part.map((row) => ({ row })),
    });
  }
  return drafts;
}

function shared(rows: PresenceEntry[]): Draft[] {
  // The gateway machine's own addresses, as its self rows say (SPEC P1; a cluster lists several).
  const own = new Set(rows.filter((row) => isSelfRow(row) && isIpAddress(row.ip!)).map((row) => normalizeAddress(row.ip!).toLowerCase()));
  const byIp = new Map<string, PresenceEntry[]>();
  for (const row of rows) {
    if (isSelfRow(row) || !row.host || !isIpAddress(row.ip!) || isLoopbackAddress(row.ip!)) continue;
    const ip = normalizeAddress(row.ip!).toLowerCase();
    byIp.set(ip, [...(byIp.get(ip) ?? []), row]);
  }
  const drafts: Draft[] = [];
  for (const [ip, group] of byIp) {
    const hosts = new Set(group.map((row) => folded(row.host)));
    if (hosts.size < 2) continue;
    const gatewayOwn = own.has(ip);
    drafts.push({
      id: "ip-shared-by-hosts",
      rule: "P5",
      severity: gatewayOwn ? "warning" : "info",
      subject: ip,
      title: gatewayOwn
        ? `ip ${ip}, the gateway machine's own address, is on ${hosts.size} rows of different hosts`
        : `ip ${ip} is on ${hosts.size} rows of different hosts`,
      detail: gatewayOwn
        ? "The gateway's self row has this address too: these clients reached the gateway through something on its own machine " +
          "(a reverse proxy, a tunnel, a container's port forward), and the gateway recorded that instead of the clients' addresses. (Clients that run on the gateway's machine show it too: then nothing is wrong.)"
        : "Different machines behind one NAT share their public address, which is harmless. When every client shows the " +
          "same address, the gateway is recording the address of a proxy in front of it.",
      advice: gatewayOwn ? ownAddressAdvice(ip) : sharedAddressAdvice(ip),
      evidence: group.map((row) => ({ row })),
    });
  }
  return drafts;
}

/**
 * What to check about an address several hosts share. Trusting it as a proxy is right only for a
 * reverse proxy that writes X-Forwarded-For itself: a NAT writes none, so the header would be the
 * clients' own words, and each could choose its ip and its limits budget (it said `serve
 * --trusted-proxy ADDR` for any shared address).
 */
function sharedAddressAdvice(ip: string): string {
  return (
    `Find out what ${ip} is. A NAT or a shared public address (a home or office router, a carrier's): nothing to do, and do not trust it as a proxy: ` +
    "a NAT writes no X-Forwarded-For, so every client behind it could then choose its own ip, and its own limits budget, by sending that header. " +
    `Only a reverse proxy or load balancer you run, which writes X-Forwarded-For itself, is a trusted proxy (\`serve --trusted-proxy ${ip}\`). ` +
    "Clients can also report their ip in beacons. If the rows are one machine under two names, see the duplicate findings."
  );
}

/** The same for the gateway machine's own address: a proxy, a tunnel or a port forward on that machine. */
function ownAddressAdvice(ip: string): string {
  return (
    `A reverse proxy on this machine that writes X-Forwarded-For (nginx, Caddy, a load balancer's agent): tell the gateway to believe it (\`serve --trusted-proxy ${ip}\`). ` +
    "A tunnel or port forward (SSH, a container's published port) writes no such header, and trusting it changes nothing: have clients report their ip in beacons."
  );
}
