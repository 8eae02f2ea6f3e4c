// A gateway that completes the handshake and drops the socket soon after: the backoff restarts only
// after a connection stayed up for reconnect.minUptimeMs, so such a gateway is not hammered.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient, type StateChange } from "../../../src/index.js";
import { helloFor, startScriptedGateway, waitFor, type ScriptedGateway } from "../scripted-gateway.js";
import { scaled } from "../../support/timing.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

/** A real WebSocket gateway on loopback that answers connect with hello-ok and closes `upMs` later. */
async function flappingGateway(upMs: number): Promise<ScriptedGateway & { connectTimes: number[] }> {
  const gw = Object.assign(await startScriptedGateway(), { connectTimes: [] as number[] });
  gw.handlers.connect = (req) => {
    gw.connectTimes.push(performance.now());
    setTimeout(() => req.socket.close(1012, "flapping"), upMs);
    return helloFor(gw.list, gw.version);
  };
  return gw;
}

describe("reconnect after a connection that did not stay up", () => {
  let gw: ScriptedGateway | undefined;
  let client: PresenceClient | undefined;
  afterEach(async () => {
    await client?.close();
    await gw?.close();
    client = gw = undefined;
  });

  it("with the default options, a gateway that closes 150 ms after hello-ok sees at most 6 attempts in 10 s", { timeout: scaled(20_000) }, async () => {
    const flapping = await flappingGateway(150);
    gw = flapping;
    const states: StateChange[] = [];
    client = createPresenceClient({ url: flapping.url, client: info });
    client.on("state", (s) => states.push(s));
    await client.connect();
    await new Promise((r) => setTimeout(r, 10_000));
    const first = flapping.connectTimes[0]!;
    const within = flapping.connectTimes.filter((t) => t - first <= 10_000);
    // Backoff 250, 500, 1000, 2000, 4000 ms (jittered down to 70 %): six attempts, the seventh after 11 s.
    expect(within.length).toBeLessThanOrEqual(6);
    expect(within.length).toBeGreaterThanOrEqual(5);
    const delays = states.filter((s) => s.state === "reconnecting").map((s) => s.delayMs!);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);
  });

  it("restarts the backoff once a connection stayed up for minUptimeMs, and grows it while they do not", async () => {
    const reconnect = { initialDelayMs: 20, maxDelayMs: 10_000, factor: 2, jitter: 0, minUptimeMs: 300 };
    for (const [upMs, expected] of [
      [450, [20, 20, 20]],
      [60, [20, 40, 80]],
    ] as const) {
      gw = await flappingGateway(upMs);
      const states: StateChange[] = [];
      client = createPresenceClient({ url: gw.url, client: info, reconnect });
      client.on("state", (s) => states.push(s));
      await client.connect();
      await waitFor(() => states.filter((s) => s.state === "reconnecting").length >= 3, "three reconnects", scaled(8000));
      expect(states.filter((s) => s.state === "reconnecting").slice(0, 3).map((s) => s.delayMs), `up ${upMs} ms`).toEqual(expected);
      await client.close();
      await gw.close();
    }
  });

  it("counts connections that closed too soon towards maxAttempts", async () => {
    gw = await flappingGateway(30);
    const states: StateChange[] = [];
    client = createPresenceClient({ url: gw.url, client: info, reconnect: { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 3 } });
    client.on("state", (s) => states.push(s));
    await client.connect();
    await waitFor(() => client!.state === "closed", "closed");
    expect(states.at(-1)).toMatchObject({ state: "closed", reason: "gave up after 3 attempts: connection closed (1012 flapping)" });
    expect((gw as Awaited<ReturnType<typeof flappingGateway>>).connectTimes).toHaveLength(3);
  });

  it("refuses a minUptimeMs that is not a finite number >= 0", () => {
    expect(() => createPresenceClient({ url: "ws://127.0.0.1:1", client: info, reconnect: { minUptimeMs: -1 } })).toThrow(/reconnect.minUptimeMs must be a finite number >= 0/);
  });
});
