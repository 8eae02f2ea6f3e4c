// Against the reference gateway: restarts, dropped connections, and fatal answers.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type HelloOk, type PresenceClient, type PresenceEntry, type StateChange } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { LossySocket } from "../lossy-socket.js";
import { waitFor } from "../scripted-gateway.js";

const fast = { initialDelayMs: 20, maxDelayMs: 200 };
const rowsOf = (list: readonly PresenceEntry[], instanceId: string) =>
  list.filter((e) => e.instanceId?.toLowerCase() === instanceId.toLowerCase());

describe("client against the reference gateway: reconnect", () => {
  const gateways: Gateway[] = [];
  const clients: PresenceClient[] = [];
  const start = async (options: Parameters<typeof createGateway>[0] = {}) => {
    const gw = await createGateway({ port: 0, ...options });
    gateways.push(gw);
    return gw;
  };
  const client = (url: string, extra: Partial<Parameters<typeof createPresenceClient>[0]> = {}) => {
    const c = createPresenceClient({
      url,
      client: { id: "test", displayName: "Desk", version: "1.0.0", platform: "linux", mode: "ui" },
      reconnect: fast,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  it("waits the retryAfterMs of a RATE_LIMITED connect (a locked-out address), up to maxDelayMs, instead of hammering the gateway", async () => {
    const gw = await start({ token: "s3cret", limits: { authFailures: { maxFailures: 1, lockoutMs: 1_500, delayMs: 1, maxDelayMs: 1 } } });
    const intruder = client(gw.url, { token: "wrong", reconnect: false });
    await expect(intruder.connect()).rejects.toMatchObject({ code: "UNAUTHORIZED" }); // 127.0.0.1 is locked out now
    const c = client(gw.url, { token: "s3cret", reconnect: { initialDelayMs: 10, maxDelayMs: 5_000 } });
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    await c.connect({ retry: true });
    const retries = states.filter((s) => s.state === "reconnecting");
    expect(retries[0]).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect(retries[0]!.delayMs).toBeGreaterThan(1_000); // the lockout's retryAfterMs, not the 10 ms backoff
    expect(retries.length).toBeLessThanOrEqual(2);
  });

  it("a gateway that refuses the socket as it opens (full: maxConnections) is named as refusing, every time, not 'the socket is not open'", async () => {
    // The refusal (id null) and the close 1013 can come before the client has sent connect: the
    // attempt must still fail with the gateway's error, as `list` and `watch` then say.
    const gw = await createGateway({ limits: { maxConnections: 1 }, listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
    gateways.push(gw);
    await client(gw.url).connect();
    for (const { binding, url } of gw.listeners) {
      for (let i = 0; i < 5; i++) {
        const error = await client(url, { binding, reconnect: false }).connect().then(() => undefined, (e: Error) => e);
        expect(error, `${binding}, attempt ${i + 1}`).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/the gateway is full/) });
      }
    }
  });

  it("waits no longer than maxDelayMs even when retryAfterMs is longer (a 5-minute lockout)", async () => {
    const gw = await start({ token: "s3cret", limits: { authFailures: { maxFailures: 1, delayMs: 1, maxDelayMs: 1 } } });
    await expect(client(gw.url, { token: "wrong", reconnect: false }).connect()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const c = client(gw.url, { token: "s3cret", reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    const retry = new Promise<StateChange>((resolve) => c.on("state", (s) => s.state === "reconnecting" && resolve(s)));
    c.connect({ retry: true }).catch(() => {});
    const first = await retry;
    expect(first).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect((first.error as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(200_000);
    expect(first.delayMs).toBeLessThanOrEqual(50);
  });

  it("survives a gateway restart on the same port: same instanceId, same row, no duplicate", async () => {
    const first = await start();
    const reconnects: HelloOk[] = [];
    const c = client(first.url, { instanceId: "Desk-7f3a", onReconnect: (h) => void reconnects.push(h) });
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    await c.connect();
    c.startBeacons({ intervalMs: 60_000, ip: "10.1.2.3" });
    await waitFor(() => c.presence.get("desk-7f3a")?.ip === "10.1.2.3", "the launch beacon in the mirror");
    expect(rowsOf(await c.systemPresence(), "Desk-7f3a")).toHaveLength(1);

    await first.close();
    const second = await start({ port: first.port });
    await waitFor(() => reconnects.length === 1, "the re-handshake");
    expect(states.map((s) => s.state)).toEqual(expect.arrayContaining(["reconnecting", "connecting"]));
    expect(states.at(-1)).toMatchObject({ state: "open", reconnected: true });

    // The connect beacon after the reconnect brings the reported ip back to the new gateway's row.
    await waitFor(() => c.presence.get("desk-7f3a")?.reason === "connect" && c.presence.get("desk-7f3a")?.ip === "10.1.2.3", "the connect beacon");
    const listed = await c.systemPresence();
    expect(rowsOf(listed, "Desk-7f3a")).toEqual([expect.objectContaining({ instanceId: "Desk-7f3a", host: "Desk", mode: "ui", ip: "10.1.2.3" })]);
    expect(listed).toHaveLength(2); // the new gateway's self row and ours
    expect(rowsOf(c.presence.entries, "Desk-7f3a")).toHaveLength(1);
    expect(c.presence.version).toBe(second.stateVersion());
  });

  it("reconnects a dropped connection into the same row (K1), not a second one", async () => {
    const gw = await start();
    const c = client(gw.url, { WebSocket: LossySocket });
    await c.connect();
    const before = await c.systemPresence();
    LossySocket.all.at(-1)!.ws.terminate();
    await waitFor(() => c.state === "reconnecting", "reconnecting");
    await waitFor(() => c.state === "open", "open again");
    const after = await c.systemPresence();
    expect(after).toHaveLength(before.length);
    expect(rowsOf(after, c.instanceId)).toEqual([expect.objectContaining({ reason: "connect" })]);
  });

  it("stops reconnecting when the restarted gateway refuses the token (UNAUTHORIZED)", async () => {
    const first = await start({ token: "old-token" });
    const c = client(first.url, { token: "old-token" });
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    await c.connect();
    await first.close();
    const second = await start({ port: first.port, token: "new-token" });
    await waitFor(() => c.state === "closed", "the client to give up");
    expect(states.at(-1)!.error).toMatchObject({ name: "GatewayError", code: "UNAUTHORIZED" });
    expect(states.at(-1)!.reason).toMatch(/^fatal: connect: UNAUTHORIZED/);
    const rejections = second.metrics().rejections;
    await new Promise((r) => setTimeout(r, 500)); // well past several backoff delays
    expect(second.metrics().rejections).toBe(rejections);
    expect(second.metrics().connections).toBe(0);
    // It says why, and that this client will not connect again (it used to say "connect: the client is closed").
    await expect(c.connect()).rejects.toThrow(
      /^connect: the client is closed for good \(fatal: connect: UNAUTHORIZED: .*\): create a new client to connect again$/,
    );
  });

  it("rejects a first connect with a wrong token without retrying, even with retry: true", async () => {
    const gw = await start({ token: "right" });
    const c = client(gw.url, { token: "wrong" });
    await expect(c.connect({ retry: true })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await new Promise((r) => setTimeout(r, 300));
    expect(gw.metrics().rejections).toBe(1);
  });
});
