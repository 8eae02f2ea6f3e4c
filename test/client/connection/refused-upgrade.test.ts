// A WebSocket upgrade refused with HTTP 429/503 and Retry-After (the gateway's connection rate, its
// per-address limits, overload shedding): the SDK's error carries the status and the wait asked
// (TransportError.httpStatus, .retryAfterMs; Node only, through ws's unexpected-response), and the
// reconnect waits at least that long, up to maxDelayMs. Against the reference gateway on loopback
// with a bucket of one token refilled every 3 s; what is asserted is the gateway's own count of
// refusals (a client that came back early would be refused again), not a clock.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, TransportError, type PresenceClient, type StateChange } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { refusingUpgrade } from "../../support/refusing-upgrade.js";

const CLIENT = { id: "test", displayName: "Desk", version: "1.0.0", platform: "linux", mode: "ui" } as const;

describe("client: an upgrade refused with HTTP 429/503 and Retry-After", () => {
  const gateways: Gateway[] = [];
  const clients: PresenceClient[] = [];
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
  const refusing = refusingUpgrade;
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
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

  it("a text body is the refusal's httpReason (one line, at most 300 characters, URL secrets redacted); a body of another type is not read", async () => {
    const gw = await tinyBucket(0.01);
    await client(gw.url, false).connect();
    const fromGateway = await client(gw.url, false).connect().then(() => undefined, (e: unknown) => e);
    expect(fromGateway).toMatchObject({ httpStatus: 503, message: `cannot open ${gw.url}: Unexpected server response: 503` });
    expect((fromGateway as TransportError).httpReason).toMatch(/^too many new connections to the gateway[^\n]*: retry in \d+ s$/);

    const long = await refusing(503, { "Content-Type": "text/html" }, `<h1>Busy</h1>\r\n\t${"x".repeat(400)}`);
    const cut = (await client(long, false).connect().then(() => undefined, (e: unknown) => e)) as TransportError;
    expect(cut.httpReason).toBe(`<h1>Busy</h1> ${"x".repeat(285)}…`);
    expect(cut.httpReason).toHaveLength(300);

    const url = "ws://user:hunter2hunter2@127.0.0.1";
    const quoting = await refusing(403, { "Content-Type": "text/plain" }, `no entry for ${url} and hunter2hunter2\n`);
    const withSecret = `${quoting.replace("ws://", "ws://user:hunter2hunter2@")}?token=s3cr3t-s3cr3t`;
    const redacted = (await client(withSecret, false).connect().then(() => undefined, (e: unknown) => e)) as TransportError;
    expect(redacted).toMatchObject({ httpStatus: 403 });
    expect(redacted.httpReason).toMatch(/^no entry for /);
    expect(redacted.httpReason).not.toContain("hunter2hunter2");

    const binary = await refusing(503, { "Content-Type": "application/octet-stream" }, "\u0000\u0001 refused");
    const unread = (await client(binary, false).connect().then(() => undefined, (e: unknown) => e)) as TransportError;
    expect(unread).toMatchObject({ httpStatus: 503, httpReason: undefined });
  });
});
