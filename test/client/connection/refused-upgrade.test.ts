// A WebSocket upgrade refused with HTTP 429/503 and Retry-After (the gateway's connection rate, its
// per-address limits, overload shedding): the SDK's error carries the status and the wait asked
// (TransportError.httpStatus, .retryAfterMs; Node only, through ws's unexpected-response), and the
// reconnect waits at least that long, up to maxDelayMs. Against the reference gateway on loopback
// with a bucket of one token refilled every 3 s; what is asserted is the gateway's own count of
// refusals (a client that came back early would be refused again), not a clock.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, TransportError, type PresenceClient, type StateChange } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";

const CLIENT = { id: "test", displayName: "Desk", version: "1.0.0", platform: "linux", mode: "ui" } as const;

describe("client: an upgrade refused with HTTP 429/503 and Retry-After", () => {
  const gateways: Gateway[] = [];
  const clients: PresenceClient[] = [];
  const servers: Server[] = [];
  const client = (url: string, reconnect: Parameters<typeof createPresenceClient>[0]["reconnect"]) => {
    const c = createPresenceClient({ url, client: CLIENT, reconnect });
    clients.push(c);
    return c;
  };
  /** A gateway whose bucket holds one token, refilled every 3 s: the second upgrade in 3 s gets 503 + Retry-After: 3. */
  const tinyBucket = async (perSecond = 1 / 3) => {
    const gw = await createGateway({ port: 0, limits: { connectionRate: { perSecond, burst: 1 } } });
    gateways.push(gw);
    return gw;
  };
  /** An HTTP server that answers every upgrade with `status` and `headers` (no gateway behind it). */
  const refusing = async (status: number, headers: Record<string, string>) => {
    const server = createServer();
    server.on("upgrade", (_request, socket) => {
      const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\n${head}Content-Length: 0\r\n\r\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it("the reconnect waits the Retry-After of the gateway's 503: one refusal, then in, not a retry every backoff step", async () => {
    const gw = await tinyBucket();
    await client(gw.url, false).connect(); // the bucket's one token
    const c = client(gw.url, { initialDelayMs: 20, maxDelayMs: 30_000, jitter: 0 });
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    await c.connect({ retry: true });
    // A backoff of 20, 40, 80, ... ms would have come back about seven times in the 3 s.
    expect(gw.metrics().connectionRateRefusals).toBe(1);
    const retries = states.filter((s) => s.state === "reconnecting");
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error).toBeInstanceOf(TransportError);
    expect(retries[0]!.error).toMatchObject({ httpStatus: 503, message: `cannot open ${gw.url}: Unexpected server response: 503` });
    // Retry-After: 3 (2 if this machine took a second between the two upgrades), waited in full.
    const asked = (retries[0]!.error as TransportError).retryAfterMs;
    expect([2_000, 3_000]).toContain(asked);
    expect(retries[0]!.delayMs).toBe(asked);
    expect(c.state).toBe("open");
  });

  it("the wait asked is capped by reconnect.maxDelayMs, as a RATE_LIMITED answer's is", async () => {
    const gw = await tinyBucket(0.01); // Retry-After: 100
    await client(gw.url, false).connect();
    const c = client(gw.url, { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 });
    const retry = new Promise<StateChange>((resolve) => c.on("state", (s) => s.state === "reconnecting" && resolve(s)));
    c.connect({ retry: true }).catch(() => {});
    const first = await retry;
    expect(first.error).toMatchObject({ httpStatus: 503, retryAfterMs: 100_000 });
    expect(first.delayMs).toBe(100);
  });

  it("connect() without retry rejects with the status and the wait asked: 429 with an HTTP-date, 503 with none", async () => {
    const date = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5_000).toUTCString(); // IMF-fixdate, 5 to 6 s ahead
    const limited = await refusing(429, { "Retry-After": date });
    const error = await client(limited, false).connect().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: "closed", httpStatus: 429, message: `cannot open ${limited}: Unexpected server response: 429` });
    const asked = (error as TransportError).retryAfterMs!;
    expect(asked).toBeGreaterThan(3_000);
    expect(asked).toBeLessThanOrEqual(6_000);

    const shed = await refusing(503, {});
    const plain = await client(shed, false).connect().then(() => undefined, (e: unknown) => e);
    expect(plain).toMatchObject({ httpStatus: 503, retryAfterMs: undefined, message: expect.stringMatching(/Unexpected server response: 503$/) });
  });
});
