import { readFileSync } from "node:fs";
import { hostname, networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import type { PresenceEvent } from "../../../src/protocol/index.js";
import { connectClient, connectParams, errorOf, eventually, list, observer, peers, rowOf, startGateway, WireClient, type Notification } from "../helpers.js";

const packageVersion = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;

function presenceEvents(frames: Notification[]): PresenceEvent[] {
  return frames.map((frame) => frame.params as PresenceEvent);
}

describe("P1: the gateway's own row", () => {
  it("is seeded before any client connects, with host, ip, version, platform, deviceFamily", async () => {
    const gw = await startGateway();
    const rows = await gw.store.list();
    expect(rows).toHaveLength(1);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === "IPv4" && !a.internal)?.address;
    expect(rows[0]).toMatchObject({ reason: "self", mode: "gateway", host: hostname(), version: packageVersion });
    expect(rows[0].ip).toBe(external);
    expect(rows[0].platform).toMatch(new RegExp(`^${process.platform}`));
    expect(rows[0].deviceFamily).toBeTruthy();
  });

  it("has a fresh ts in every listing, also after the clock moved on", async () => {
    const gw = await startGateway({ testClock: true });
    const watcher = await observer(gw);
    const { now } = await watcher.result<{ now: number }>("test.clock.advance", { ms: 3_600_000 });
    const self = (await list(watcher)).find((row) => row.reason === "self")!;
    expect(self.ts).toBeGreaterThanOrEqual(now);
  });
});

describe("P2: a connect writes the connection's row", () => {
  it("host from displayName (else client.id), version, platform, device, mode, instanceId, roles, scopes", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, {
      instanceId: "p2",
      displayName: "Peer Mac",
      scopes: ["operator.read"],
      extra: { client: { id: "mac", version: "2026.9.6", platform: "macos 15.1", mode: "ui", displayName: "Peer Mac", deviceFamily: "Mac", modelIdentifier: "Mac14,2", instanceId: "p2" } },
    });
    const row = rowOf(await list(client), "p2");
    expect(row).toMatchObject({
      instanceId: "p2",
      host: "Peer Mac",
      version: "2026.9.6",
      platform: "macos 15.1",
      deviceFamily: "Mac",
      modelIdentifier: "Mac14,2",
      mode: "ui",
      roles: ["operator"],
      scopes: ["operator.read"],
      reason: "connect",
    });
    expect(row?.ip).toBeUndefined(); // loopback (P5)
    const { client: plain } = await connectClient(gw, { instanceId: "p2b", id: "webchat-ui" });
    expect(rowOf(await list(plain), "p2b")?.host).toBe("webchat-ui");
  });
});

describe("P3: cli connections are never recorded", () => {
  it("no row and no presence event, neither on connect nor on disconnect", async () => {
    const gw = await startGateway();
    const watcher = await observer(gw);
    const start = gw.stateVersion();
    const cli = await connectClient(gw, { mode: "cli", instanceId: "cli-1" });
    expect(rowOf(cli.hello.snapshot.presence, "cli-1")).toBeUndefined();
    await cli.client.result("system-presence");
    await cli.client.close();
    // A tracked client afterwards: its push is the only change since the start.
    await connectClient(gw, { instanceId: "marker" });
    await watcher.waitFor((f) => JSON.stringify(f).includes("marker"));
    const events = presenceEvents(watcher.notifications("presence"));
    expect(events.every((e) => !e.presence.some((row) => row.mode === "cli" || row.instanceId === "cli-1"))).toBe(true);
    expect(events.at(-1)?.stateVersion.presence).toBe(start + 1);
    expect(rowOf(await list(watcher), "cli-1")).toBeUndefined();
  });

  it("the ephemeral modes are configurable", async () => {
    const gw = await startGateway({ ephemeralModes: ["probe", "cli"] });
    const { client } = await connectClient(gw, { mode: "probe", instanceId: "probe-1" });
    await connectClient(gw, { mode: "backend", instanceId: "backend-1" });
    const rows = await list(client);
    expect(rowOf(rows, "probe-1")).toBeUndefined();
    expect(rowOf(rows, "backend-1")).toBeDefined();
  });
});

describe("P4: node connections", () => {
  it("are recorded with node in roles and reason node-connected", async () => {
    const gw = await startGateway();
    await connectClient(gw, { role: "node", mode: "node", instanceId: "node-1" });
    const row = rowOf(await list(await observer(gw)), "node-1");
    expect(row?.roles).toContain("node");
    expect(row?.reason).toBe("node-connected");
  });
});

describe("P5: remote address as ip", () => {
  it("a loopback address is not recorded; X-Forwarded-For is ignored from an untrusted peer", async () => {
    const gw = await startGateway();
    await connectClient(gw, { instanceId: "lo" }, { headers: { "x-forwarded-for": "203.0.113.7" } });
    expect(rowOf(await list(await observer(gw)), "lo")?.ip).toBeUndefined();
  });

  it("X-Forwarded-For from a trusted proxy gives the ip; a forwarded loopback (also ::ffff:127.x) is ignored", async () => {
    const gw = await startGateway({ trustedProxies: ["127.0.0.1"] });
    await connectClient(gw, { instanceId: "far" }, { headers: { "x-forwarded-for": "198.51.100.9, 203.0.113.7" } });
    await connectClient(gw, { instanceId: "mapped" }, { headers: { "x-forwarded-for": "::ffff:127.0.0.2" } });
    await connectClient(gw, { instanceId: "v6" }, { headers: { "x-forwarded-for": "::1" } });
    const rows = await list(await observer(gw));
    expect(rowOf(rows, "far")?.ip).toBe("203.0.113.7");
    expect(rowOf(rows, "mapped")?.ip).toBeUndefined();
    expect(rowOf(rows, "v6")?.ip).toBeUndefined();
  });

  it("a client cannot claim an address through a trusted proxy that appends 'unknown' or ip:port", async () => {
    // Before, hops that are no address were skipped and the walk went on into the client's own claim.
    const gw = await startGateway({ trustedProxies: ["127.0.0.1"] });
    await connectClient(gw, { instanceId: "azure" }, { headers: { "x-forwarded-for": "198.51.100.66, 203.0.113.7:5555" } });
    await connectClient(gw, { instanceId: "squid" }, { headers: { "x-forwarded-for": "198.51.100.67, unknown" } });
    const rows = await list(await observer(gw));
    expect(rowOf(rows, "azure")?.ip).toBe("203.0.113.7");
    expect(rowOf(rows, "squid")?.ip).toBeUndefined(); // the proxy, 127.0.0.1, stands for it: loopback, no ip
  });

  it("wrong tokens that each claim another address behind an 'unknown' hop meet one lockout", async () => {
    // Before, each claimed address had a budget of its own: no lockout, however many guesses.
    const gw = await startGateway({ token: "right-token", trustedProxies: ["127.0.0.1"], limits: { authFailures: { maxFailures: 3, delayMs: 1, maxDelayMs: 1 } } });
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 5; i++) {
      const client = await WireClient.open(gw.url, { headers: { "x-forwarded-for": `198.51.100.${100 + i}, unknown` } });
      codes.push(errorOf(await client.call("connect", connectParams({ instanceId: "guess", token: `wrong-${i}` }))).data?.code);
      client.terminate();
    }
    expect(codes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "RATE_LIMITED", "RATE_LIMITED"]);
  });

  it("wrong tokens from the addresses of one IPv6 /64 meet one lockout; another /64 is still answered", async () => {
    // Before, each IPv6 address had a budget of its own: a /64 held 2^64 of them, no lockout.
    const gw = await startGateway({ token: "right-token", trustedProxies: ["127.0.0.1"], limits: { authFailures: { maxFailures: 3, delayMs: 1, maxDelayMs: 1 } } });
    const attempt = async (address: string, token: string) => {
      const client = await WireClient.open(gw.url, { headers: { "x-forwarded-for": address } });
      const response = await client.call("connect", connectParams({ instanceId: "v6", token }));
      client.terminate();
      return response.error?.data?.code ?? "hello-ok";
    };
    const codes: string[] = [];
    for (let i = 1; i <= 5; i++) codes.push(await attempt(`2001:db8:0:7::${i}`, `wrong-${i}`));
    expect(codes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "RATE_LIMITED", "RATE_LIMITED"]);
    expect(await attempt("2001:db8:0:7:1:2:3:4", "right-token")).toBe("RATE_LIMITED");
    expect(await attempt("2001:db8:0:8::1", "right-token")).toBe("hello-ok");
  });

  it("the addresses of one IPv6 /64 share its log share and are told the /64 is locked out", async () => {
    // Before, the log throttle kept a share per address: a client stepping through its /64 logged a
    // line for every refused connect, and the answer named an address that had never failed.
    const lines: string[] = [];
    const gw = await startGateway({
      token: "right-token",
      trustedProxies: ["127.0.0.1"],
      limits: { authFailures: { maxFailures: 3, delayMs: 1, maxDelayMs: 1 } },
      logger: (line) => lines.push(line),
    });
    const messages: string[] = [];
    for (let i = 1; i <= 16; i++) {
      const client = await WireClient.open(gw.url, { headers: { "x-forwarded-for": `2001:db8:0:7::${i.toString(16)}` } });
      const response = await client.call("connect", connectParams({ instanceId: "v6", token: `wrong-${i}` }));
      client.terminate();
      messages.push(response.error?.message ?? "hello-ok");
    }
    expect(messages.slice(3)).toEqual(Array(13).fill(expect.stringMatching(/^too many failed connects from 2001:db8:0:7::\/64: retry in \d+ ms$/)));
    expect(lines.filter((l) => l.includes("reason=AUTH_RATE_LIMITED"))).toHaveLength(10);
    expect(lines.find((l) => l.includes("reason=UNAUTHORIZED") && l.includes("locked out"))).toContain("2001:db8:0:7::/64 locked out for");
  });

  it("a loopback reconnect keeps a beacon-reported ip, and so does one from a real address", async () => {
    const gw = await startGateway({ trustedProxies: ["127.0.0.1"] });
    const watcher = await observer(gw);
    const first = await connectClient(gw, { instanceId: "tunnelled" });
    await first.client.result("system-event", { ip: "192.168.1.44", text: "beacon" });
    await first.client.close();
    await connectClient(gw, { instanceId: "tunnelled" });
    expect(rowOf(await list(watcher), "tunnelled")?.ip).toBe("192.168.1.44");
    await connectClient(gw, { instanceId: "TUNNELLED" }, { headers: { "x-forwarded-for": "203.0.113.99" } });
    expect(rowOf(await list(watcher), "tunnelled")?.ip).toBe("192.168.1.44");
  });
});

describe("P6: disconnect", () => {
  it("marks the row only when the last connection with its key closes", async () => {
    const gw = await startGateway();
    const watcher = await observer(gw);
    const a = await connectClient(gw, { instanceId: "twice" });
    const b = await connectClient(gw, { instanceId: "Twice" });
    await a.client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rowOf(await list(watcher), "twice")?.reason).toBe("connect");
    await b.client.close();
    await eventually(async () => expect(rowOf(await list(watcher), "twice")?.reason).toBe("disconnect"));
  });

  it("never brings back a row that was evicted", async () => {
    const gw = await startGateway({ maxEntries: 3 });
    const watcher = await observer(gw);
    const gone = await connectClient(gw, { instanceId: "gone" });
    await connectClient(gw, { instanceId: "b" });
    await connectClient(gw, { instanceId: "c" }); // evicts "gone", the oldest
    expect(rowOf(await list(watcher), "gone")).toBeUndefined();
    await gone.client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const rows = await list(watcher);
    expect(rowOf(rows, "gone")).toBeUndefined();
    expect(rows).toHaveLength(3);
  });
});

describe("P7: keep-alive", () => {
  it("keeps an open connection's row fresh past the TTL and drops a peer that stops answering pings", async () => {
    const gw = await startGateway({ ttlMs: 1_000, keepAliveIntervalMs: 100 });
    const watcher = await observer(gw);
    await connectClient(gw, { instanceId: "alive" });
    const mute = await connectClient(gw, { instanceId: "mute" }, { autoPong: false });
    expect((await mute.client.closed).code).toBe(1006); // terminated by the gateway
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // past the TTL since alive connected
    // Disconnected, then expired: by the sweep after its TTL, late on a busy machine.
    await eventually(async () => expect(rowOf(await list(watcher), "mute")).toBeUndefined());
    // Fresh: written within the TTL before the listing was asked for (not before its answer was read).
    const asked = Date.now();
    const rows = await list(watcher);
    expect(rowOf(rows, "alive")?.reason).toBe("connect");
    expect(asked - rowOf(rows, "alive")!.ts).toBeLessThan(1_000);
    expect(gw.metrics().rejections).toBeGreaterThanOrEqual(1);
  });

  // 90 ms: the next round is on time (under 1.5 intervals) but its pong waits unread; 200 ms: a late round.
  it.each([90, 200])("does not drop a live peer because the gateway's own process stalled %i ms (its pong was waiting unread)", async (stallMs) => {
    const gw = await startGateway({ ttlMs: 1_000, keepAliveIntervalMs: 75 });
    const { client } = await connectClient(gw, { instanceId: "alive" });
    let closed = false;
    void client.closed.then(() => (closed = true));
    // The process stalls (a long GC, a starved CPU) just after the client answered a ping: timers run
    // before sockets are read, so the next round came with the pong still unread, and dropped the peer.
    const stalled = new Promise<void>((resolve) =>
      client.ws.once("ping", () => {
        for (const end = performance.now() + stallMs; performance.now() < end; );
        resolve();
      }),
    );
    await stalled;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closed).toBe(false);
    expect(gw.metrics().rejections).toBe(0);
    expect(await list(client)).toEqual(expect.arrayContaining([expect.objectContaining({ instanceId: "alive" })]));
  });
});
