// Sockets whose HTTP request never finishes (slowloris: upgrade headers sent slowly or never ended,
// or nothing sent at all). Before, the gateway held every one of them for ever (the per-address
// limits count WebSockets only, and Node's default headersTimeout did not close them in 130 s), so
// one address could use up the gateway's file descriptors. Now such a socket is answered 408 and
// closed after handshakeTimeoutMs, and one address holds at most unfinishedRequestsPerAddress of
// them (more: 429, closed at once). Real gateway, raw TCP sockets from several loopback addresses.
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { tcpSocket, UNFINISHED_UPGRADE as UNFINISHED, wsOpens, type TcpSocket } from "../../../scripts/hardening/hostile/slowloris.js";
import { BINDINGS, closedAfterEach, urlOf, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();

const sockets: Socket[] = [];

/** A TCP socket to `url`'s port from `localAddress` that sends `text` and nothing more (destroyed after the test). */
async function raw(url: string, localAddress: string, text: string): Promise<TcpSocket> {
  const s = await tcpSocket(url, localAddress, text);
  sockets.push(s.socket);
  return s;
}

/** Resolves true when `p` settles within `ms`. */
const within = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe.each(BINDINGS)("%s listener: unfinished HTTP requests", (binding) => {
  it("a socket that sends nothing, or headers it never ends, is answered 408 and closed after handshakeTimeoutMs", async () => {
    const gw = await start({ handshakeTimeoutMs: 500 });
    const url = urlOf(gw, binding);
    const silent = await raw(url, "127.0.0.1", "");
    const slow = await raw(url, "127.0.0.1", UNFINISHED);
    const page = await raw(url, "127.0.0.1", "GET /healthz HTTP/1.1\r\nHost: x\r\n");
    try {
      for (const s of [silent, slow, page]) {
        expect(await within(s.closed, 5_000)).toBe(true);
        expect(s.received()).toMatch(/^HTTP\/1\.1 408 /);
        expect(await s.closed).toBeGreaterThanOrEqual(400);
      }
    } finally {
      for (const s of sockets.splice(0)) s.destroy();
    }
  });

  it("with the default limits one address holds 64 of them; the 65th and after are answered 429 at once", async () => {
    const gw = await start({});
    const url = urlOf(gw, binding);
    try {
      const flood: TcpSocket[] = [];
      for (let i = 0; i < 70; i++) flood.push(await raw(url, "127.0.0.2", UNFINISHED));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const refused = flood.filter((s) => s.isClosed());
      expect(refused.map((s) => s.received().slice(0, 32))).toEqual(Array(6).fill("HTTP/1.1 429 Too Many Requests\r\n"));
      expect(flood.indexOf(refused[0]!)).toBe(64);
    } finally {
      for (const s of sockets.splice(0)) s.destroy();
    }
  });

  it("one address holds at most unfinishedRequestsPerAddress of them (more: 429 at once); other addresses and trusted proxies are not held back", async () => {
    const lines: string[] = [];
    const gw = await start({ handshakeTimeoutMs: 20_000, limits: { unfinishedRequestsPerAddress: 4 }, trustedProxies: ["127.0.0.4"], logger: (l) => lines.push(l) });
    const url = urlOf(gw, binding);
    try {
      const flood = await Promise.all(Array.from({ length: 20 }, () => raw(url, "127.0.0.2", UNFINISHED)));
      // The refused ones are closed at once, but on a loaded machine "at once" can be seconds late
      // (a fixed 300 ms wait saw none closed in a full run at load 18): wait, bounded, for 16 to
      // close, then 300 ms more in which a 17th must not.
      for (let i = 0; i < 250 && flood.filter((s) => s.isClosed()).length < 16; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const settled = await Promise.all(flood.map((s) => within(s.closed, 0)));
      expect(settled.filter(Boolean)).toHaveLength(16);
      for (const s of flood.filter((_, i) => settled[i])) expect(s.received()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n[^]*too many unfinished HTTP requests from 127\.0\.0\.2 \(at most 4\)/);
      expect(lines.filter((l) => /reason=HANDSHAKE_LIMIT too many unfinished HTTP requests from 127\.0\.0\.2/.test(l)).length).toBeGreaterThan(0);
      expect(gw.metrics().limitRefusals).toBe(16);

      // The flooding address cannot open a WebSocket now; another address can, and a trusted proxy
      // (whose clients are told apart by X-Forwarded-For) is not counted here.
      expect(await wsOpens(url, "127.0.0.2")).toMatch(/429/);
      expect(await wsOpens(url, "127.0.0.3")).toBe("open");
      const proxied = await Promise.all(Array.from({ length: 10 }, () => raw(url, "127.0.0.4", UNFINISHED)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await Promise.all(proxied.map((s) => within(s.closed, 0)))).filter(Boolean)).toEqual([]);

      // Once its unfinished sockets are gone, the address connects again.
      for (const s of flood) s.socket.destroy();
      await Promise.all(flood.map((s) => s.closed));
      keep(await Wire.connected(gw, binding));
      expect(await wsOpens(url, "127.0.0.2")).toBe("open");
    } finally {
      for (const s of sockets.splice(0)) s.destroy();
    }
  });
});
